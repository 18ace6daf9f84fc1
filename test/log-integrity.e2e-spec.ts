import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../scripts/dev/paths';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';

/** The compiled recovery command as an operator runs it (as the owner). */
function recover(args: string[], databaseUrl: string): Promise<{ code: number | null; out: string }> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(root, 'scripts', 'register-paths.js'),
      join(root, 'dist', 'scripts', 'log-recover.js'),
      ...args,
    ],
    { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/**
 * SPEC §6: a log writer whose store goes back in time (here the superuser cuts the log's tail)
 * appends nothing, says so on /health, and keeps the business events waiting — none is
 * dead-lettered; the operator's recovery restores the missing entries (verified against the signed
 * checkpoint) and every request is then delivered once, with nothing lost.
 */
describe('log integrity', () => {
  const stack = new TestStack({ CHECKPOINT_INTERVAL_MS: '300' });
  let intake: string;
  let requester: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    requester = await tokenFor('PZ-5339', ['requester']);
  });
  afterAll(() => stack.stop());

  async function submit(): Promise<string> {
    const res = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['NL'] }),
    });
    expect(res.status).toBe(202);
    return res.body.id;
  }

  async function status(id: string): Promise<string> {
    return (await api<{ status: string }>(intake, 'GET', `/v1/requests/${id}`, { token: requester })).body
      .status;
  }

  async function logHealth(): Promise<{ status: number; text: string }> {
    const response = await fetch(stack.url('exchange-log', '/health'));
    return { status: response.status, text: await response.text() };
  }

  it('a tail cut stops the writer with /health 503; after the recovery every request is delivered once', async () => {
    const deadLetters = async () =>
      Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM dead_letters')).rows[0].n);
    const deadBefore = await deadLetters();
    const before = [await submit(), await submit(), await submit()];
    for (const id of before) await waitFor(async () => (await status(id)) === 'delivered', `${id} delivered`);
    // Idle, every entry under a signed checkpoint.
    const size = await waitFor(async () => {
      const { rows } = await stack.db.query<{ n: string; signed: string | null; outbox: string }>(
        `SELECT (SELECT count(*) FROM exchange_log) AS n, (SELECT max(tree_size) FROM exchange_log_checkpoints) AS signed,
                (SELECT count(*) FROM outbox) AS outbox`,
      );
      const { n, signed, outbox } = rows[0];
      return Number(n) > 0 && Number(signed) === Number(n) && Number(outbox) === 0 ? Number(n) : undefined;
    }, 'every entry checkpointed');

    // A copy of the tail (an operator's replica), then the cut: the superuser, triggers off.
    const cutFrom = size - 4;
    const { rows: tail } = await stack.db.query<{ entry: string }>(
      'SELECT entry FROM exchange_log WHERE seq >= $1 ORDER BY seq',
      [cutFrom],
    );
    const copy = join(mkdtempSync(join(tmpdir(), 'ixr-log-copy-')), 'entries.jsonl');
    writeFileSync(copy, `${tail.map((r) => r.entry).join('\n')}\n`);
    await stack.db.query('BEGIN');
    await stack.db.query("SET LOCAL session_replication_role = 'replica'");
    await stack.db.query('DELETE FROM exchange_log WHERE seq >= $1', [cutFrom]);
    await stack.db.query('COMMIT');
    const owner = stack.env.DATABASE_URL!;
    let recovered = false;
    // The writer stops: /health 503 naming the sequence number and the checkpoint; nothing appended.
    const after = await submit();
    try {
      const health = await waitFor(async () => {
        const h = await logHealth();
        return h.status === 503 ? h : undefined;
      }, 'the exchange log reporting 503');
      expect(health.text).toContain(`next seq ${cutFrom}`);
      expect(health.text).toContain(`covers ${size} entries`);
      const metrics = await (await fetch(stack.url('exchange-log', '/metrics'))).text();
      expect(metrics).toMatch(/^ixr_log_integrity_halted(\{[^}]*\})? 1$/m);
      const { rows: counted } = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM exchange_log');
      expect(Number(counted[0].n)).toBe(cutFrom);
      expect(await status(after)).not.toBe('delivered');

      // The operator: the command states what is missing, and restores it from the copy.
      const stated = await recover(['--justification', 'tail cut found by the writer'], owner);
      expect(stated.code).toBe(2);
      expect(stated.out).toContain(`Missing: entries ${cutFrom}..${size - 1} (4)`);
      const forged = join(mkdtempSync(join(tmpdir(), 'ixr-log-forged-')), 'entries.jsonl');
      writeFileSync(forged, `${tail.map((r) => r.entry.replace('"kind":"', '"kind":"x')).join('\n')}\n`);
      expect((await recover(['--entries', forged, '--justification', 'forged copy'], owner)).code).toBe(1);
      const done = await recover(
        ['--entries', copy, '--justification', 'tail cut found by the writer'],
        owner,
      );
      expect(done.out).toContain(`Restored entries ${cutFrom}..${size - 1}`);
      expect(done.code).toBe(0);
      recovered = true;
    } finally {
      // Whatever failed above, later suites get a whole log back.
      if (!recovered) await recover(['--entries', copy, '--justification', 'test cleanup'], owner);
    }

    // The writer resumes; the waiting request is delivered, each delivery once, nothing lost.
    // The delivery rows are the adapters' own record; the request view follows them through events.
    await waitFor(
      async () => {
        const { rows } = await stack.db.query<{ status: string }>(
          'SELECT status FROM deliveries WHERE request_id = $1',
          [after],
        );
        return rows.length > 0 && rows.every((d) => d.status === 'delivered');
      },
      'the waiting request delivered',
      120_000,
    );
    await waitFor(
      async () => (await status(after)) === 'delivered',
      'the waiting request shown delivered',
      60_000,
    );
    expect((await logHealth()).status).toBe(200);
    const { rows: deliveries } = await stack.db.query<{ request_id: string; status: string }>(
      `SELECT request_id, status FROM deliveries WHERE request_id = ANY($1::uuid[])`,
      [[...before, after]],
    );
    expect(deliveries.every((d) => d.status === 'delivered')).toBe(true);
    expect(new Set(deliveries.map((d) => d.request_id)).size).toBe(4);
    const stats = (await (await fetch(stack.url('partner-simulator', '/simulator/stats'))).json()) as {
      duplicates: unknown[];
    };
    expect(stats.duplicates).toEqual([]);
    for (const id of [...before, after]) {
      const messages = (await (
        await fetch(stack.url('partner-simulator', `/simulator/requests/${id}/messages`))
      ).json()) as unknown[];
      expect(messages.length).toBeGreaterThan(0);
    }
    expect(await deadLetters()).toBe(deadBefore);
    // The log is whole again: every request's entries, chained and under a checkpoint.
    const { rows: kinds } = await stack.db.query<{ kind: string }>(
      `SELECT DISTINCT kind FROM exchange_log WHERE request_id = $1`,
      [after],
    );
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(['received', 'routed', 'dispatched']));
    const { rows: gaps } = await stack.db.query<{ n: string; max: string }>(
      'SELECT count(*) AS n, max(seq) AS max FROM exchange_log',
    );
    expect(Number(gaps[0].n)).toBe(Number(gaps[0].max) + 1);
  });
});
