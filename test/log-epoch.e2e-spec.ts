import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onDatabase, recreateDatabase, serviceDatabaseEnv, type ServiceUrls } from '../scripts/dev/postgres';
import { repoRoot } from '../scripts/dev/paths';
import { prepare } from '../scripts/migrate';
import { checkpointEpoch, leafHash, verifyCheckpoint, verifyInclusion } from '@ixr/exchange-log';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { testEnvironment } from './support/test-env';

/** A compiled operator command (log-recover.js, audit.js), run as the owner with exactly this environment. */
function run(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string }> {
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'scripts', 'register-paths.js'), join(root, 'dist', 'scripts', script), ...args],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/**
 * Its own database: the suite leaves the log in epoch 1, which the other suites sharing the test
 * database do not expect.
 */
function epochDatabase(): { owner: string; services: ServiceUrls } {
  const { databaseUrl, serviceDatabaseUrls } = testEnvironment();
  const owner = new URL(databaseUrl);
  owner.pathname = '/ixr_test_epoch';
  return { owner: owner.toString(), services: onDatabase(serviceDatabaseUrls, owner.toString()) };
}

/**
 * SPEC §6, issue 12: entries under a signed checkpoint are lost and no copy is left. The writer
 * stops (/health 503) and business events wait; the operator opens a new log epoch over the old
 * checkpoint (`npm run log:recover -- --new-epoch`); the writer resumes in epoch 1, the waiting
 * events are logged there, none is dead-lettered, and `npm run audit -- verify` passes across
 * both epochs, reporting the loss as the recovery declared it.
 */
describe('a new log epoch when the lost entries cannot be restored', () => {
  const db = epochDatabase();
  const checkpointFile = join(mkdtempSync(join(tmpdir(), 'ixr-log-checkpoint-')), 'checkpoint');
  const stack = new TestStack({
    DATABASE_URL: db.owner,
    ...serviceDatabaseEnv(db.services),
    CHECKPOINT_INTERVAL_MS: '300',
    LOG_CHECKPOINT_FILE: checkpointFile,
  });
  let intake: string;
  let requester: string;

  beforeAll(async () => {
    await recreateDatabase(db.owner);
    await prepare(db.owner, db.services, testEnvironment().brokers.split(','), () => undefined);
    await stack.start();
    intake = stack.url('intake-api', '');
    requester = await tokenFor('PZ-5340', ['requester']);
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
  const status = async (id: string): Promise<string> =>
    (await api<{ status: string }>(intake, 'GET', `/v1/requests/${id}`, { token: requester })).body.status;
  const logHealth = async (): Promise<{ status: number; text: string }> => {
    const response = await fetch(stack.url('exchange-log', '/health'));
    return { status: response.status, text: await response.text() };
  };
  const halted = async (): Promise<string | undefined> =>
    /^ixr_log_integrity_halted(\{[^}]*\})? (\d)$/m.exec(
      await (await fetch(stack.url('exchange-log', '/metrics'))).text(),
    )?.[2];
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await stack.db.query<{ n: string }>(sql, params)).rows[0].n);
  const recover = (args: string[]) => run('log-recover.js', args, { DATABASE_URL: db.owner });

  it('cuts the tail, halts, opens epoch 1, resumes with the waiting events, and verifies both epochs', async () => {
    const deadBefore = await count('SELECT count(*) AS n FROM dead_letters');
    const before = [await submit(), await submit()];
    for (const id of before) await waitFor(async () => (await status(id)) === 'delivered', `${id} delivered`);
    const size = await waitFor(async () => {
      const { rows } = await stack.db.query<{ n: string; signed: string | null; outbox: string }>(
        `SELECT (SELECT count(*) FROM exchange_log) AS n, (SELECT max(tree_size) FROM exchange_log_checkpoints) AS signed,
                (SELECT count(*) FROM outbox) AS outbox`,
      );
      const { n, signed, outbox } = rows[0];
      return Number(n) > 0 && Number(signed) === Number(n) && Number(outbox) === 0 ? Number(n) : undefined;
    }, 'every entry checkpointed');
    // The copy outside the database holds that checkpoint too.
    await waitFor(
      async () => readFileSync(checkpointFile, 'utf8').split('\n')[1] === String(size),
      'checkpoint file',
    );

    // The superuser cuts the tail (triggers off), and there is no copy of it.
    const cutFrom = size - 3;
    await stack.db.query('BEGIN');
    await stack.db.query("SET LOCAL session_replication_role = 'replica'");
    await stack.db.query('DELETE FROM exchange_log WHERE seq >= $1', [cutFrom]);
    await stack.db.query('COMMIT');

    const waiting = await submit();
    const health = await waitFor(async () => {
      const h = await logHealth();
      return h.status === 503 ? h : undefined;
    }, 'the exchange log reporting 503');
    expect(health.text).toContain(`next seq ${cutFrom}`);
    expect(health.text).toContain(`covers ${size} entries`);
    expect(await halted()).toBe('1');
    expect(await status(waiting)).not.toBe('delivered');
    expect(await count('SELECT count(*) AS n FROM exchange_log')).toBe(cutFrom);

    // Bad flags: a clear error naming the flag, exit 2, nothing written.
    const typo = await recover(['--new-epch', '--justification', 'typo']);
    expect(typo.code).toBe(2);
    expect(typo.out).toContain("'--new-epch'");
    const both = await recover(['--new-epoch', '--entries', 'copy.jsonl', '--justification', 'both']);
    expect(both.code).toBe(2);
    expect(both.out).toContain('--entries and --new-epoch exclude each other');
    const unreadable = await recover([
      '--new-epoch',
      '--checkpoint',
      '/nonexistent/cp',
      '--justification',
      'x',
    ]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.out).toContain('--checkpoint /nonexistent/cp: cannot be read');
    expect(await count('SELECT count(*) AS n FROM exchange_log')).toBe(cutFrom);

    // Without a copy, the command states both recoveries; the operator opens the new epoch.
    const stated = await recover(['--justification', 'tail cut found by the writer']);
    expect(stated.code).toBe(2);
    expect(stated.out).toContain(`Missing: entries ${cutFrom}..${size - 1} (3)`);
    expect(stated.out).toContain('--new-epoch opens epoch 1');
    const dry = await recover(['--new-epoch', '--dry-run', '--justification', 'tail cut, no copy left']);
    expect(dry.code).toBe(0);
    expect(await count('SELECT count(*) AS n FROM exchange_log WHERE epoch = 1')).toBe(0);
    const opened = await recover(['--new-epoch', '--justification', 'tail cut, no copy left']);
    expect(opened.out).toContain(`Lost: entries ${cutFrom}..${size - 1} of epoch 0 (3)`);
    expect(opened.out).toContain('Opened epoch 1');
    expect(opened.code).toBe(0);

    // The writer resumes in epoch 1: the waiting request is logged there and delivered, none dead-lettered.
    await waitFor(
      async () => (await status(waiting)) === 'delivered',
      'the waiting request delivered',
      60_000,
    );
    await waitFor(async () => ((await logHealth()).status === 200 ? true : undefined), '/health 200');
    expect(await halted()).toBe('0');
    expect(await count('SELECT count(*) AS n FROM dead_letters')).toBe(deadBefore);
    const { rows: first } = await stack.db.query<{ kind: string; entry: string }>(
      'SELECT kind, entry FROM exchange_log WHERE epoch = 1 AND seq = 0',
    );
    expect(first[0].kind).toBe('epoch');
    const opening = JSON.parse(first[0].entry) as {
      details: { previous: { checkpoint: { size: number }; storedEntries: number }; reason: string };
    };
    expect(opening.details.previous.checkpoint.size).toBe(size);
    expect(opening.details.previous.storedEntries).toBe(cutFrom);
    expect(opening.details.reason).toBe('tail cut, no copy left');
    const { rows: waitingEntries } = await stack.db.query<{ epoch: number; kind: string }>(
      'SELECT epoch, kind FROM exchange_log WHERE request_id = $1',
      [waiting],
    );
    expect(waitingEntries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['received', 'routed', 'dispatched']),
    );
    expect(waitingEntries.every((e) => e.epoch === 1)).toBe(true);
    // Epoch 1 is gapless from seq 0 and signed (the checkpoint file moves on to it).
    await waitFor(async () => {
      const n = await count('SELECT count(*) AS n FROM exchange_log WHERE epoch = 1');
      const signed = await count(
        'SELECT coalesce(max(tree_size), 0) AS n FROM exchange_log_checkpoints WHERE epoch = 1',
      );
      return n > 1 && signed === n ? true : undefined;
    }, 'epoch 1 checkpointed');
    expect(await count('SELECT max(seq) + 1 - count(*) AS n FROM exchange_log WHERE epoch = 1')).toBe(0);
    await waitFor(
      async () => (readFileSync(checkpointFile, 'utf8').includes('\nepoch 1\n') ? true : undefined),
      'file in epoch 1',
    );

    // The audit verifies both epochs and the link between them.
    const verified = await run('audit.js', ['verify', '--json', '--justification', 'after the new epoch'], {
      DATABASE_URL: db.owner,
    });
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.out.slice(verified.out.indexOf('{'))) as {
      ok: boolean;
      epochs: {
        epoch: number;
        ok: boolean;
        entries: number;
        lost?: { from: number; to: number };
        opening?: { ok: boolean };
      }[];
    };
    expect(report.ok).toBe(true);
    expect(report.epochs.map((e) => [e.epoch, e.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(report.epochs[0]).toMatchObject({ entries: cutFrom, lost: { from: cutFrom, to: size - 1 } });
    expect(report.epochs[1].opening).toMatchObject({ ok: true });

    // The waiting request's timeline: each entry proven in epoch 1's tree, checked here with the
    // published key alone.
    const auditor = await tokenFor('AIG-AUDIT', ['auditor']);
    // The key the running log signs with, as it publishes it (the table holds every key ever used).
    const vkey = { vkey: (await (await fetch(stack.url('exchange-log', '/log/vkey'))).text()).trim() };
    await waitFor(async () => {
      const n = await count('SELECT count(*) AS n FROM exchange_log WHERE epoch = 1');
      const signed = await count(
        'SELECT coalesce(max(tree_size), 0) AS n FROM exchange_log_checkpoints WHERE epoch = 1',
      );
      return signed === n && (await count('SELECT count(*) AS n FROM outbox')) === 0 ? true : undefined;
    }, 'epoch 1 checkpointed before the read');
    const res = await api<{
      checkpoints: { epoch: number; note: string }[];
      entries: {
        epoch: number;
        seq: number;
        kind: string;
        canonical: string;
        inclusion: { epoch: number; treeSize: number; hashes: string[]; verified: boolean } | null;
      }[];
    }>(intake, 'GET', `/v1/audit/requests/${waiting}/timeline`, {
      token: auditor,
      headers: { 'x-justification': 'epoch 1 review' },
    });
    expect(res.status).toBe(200);
    const timeline = res.body;
    expect(timeline.entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['received', 'routed']));
    expect(timeline.checkpoints.map((c) => c.epoch)).toEqual([1]);
    const head = verifyCheckpoint(timeline.checkpoints[0].note, vkey.vkey);
    expect(checkpointEpoch(head)).toBe(1);
    for (const e of timeline.entries) {
      expect([e.epoch, e.inclusion!.epoch, e.inclusion!.verified]).toEqual([1, 1, true]);
      const proof = e.inclusion!.hashes.map((h) => Buffer.from(h, 'hex'));
      const leaf = leafHash(Buffer.from(e.canonical));
      expect(verifyInclusion(leaf, e.seq, head.size, proof, head.rootHash)).toEqual({ ok: true });
    }

    // An undeclared cut in the old epoch is still caught: the link says how many entries were left.
    await stack.db.query('BEGIN');
    await stack.db.query("SET LOCAL session_replication_role = 'replica'");
    await stack.db.query('DELETE FROM exchange_log WHERE epoch = 0 AND seq = $1', [cutFrom - 1]);
    await stack.db.query('COMMIT');
    const cut = await run('audit.js', ['verify', '--json', '--justification', 'after a second cut'], {
      DATABASE_URL: db.owner,
    });
    expect(cut.code).toBe(1);
    const failed = JSON.parse(cut.out.slice(cut.out.indexOf('{'))) as { ok: boolean; firstBadEpoch?: number };
    expect(failed).toMatchObject({ ok: false, firstBadEpoch: 0 });
  });
});
