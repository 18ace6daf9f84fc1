import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';

/**
 * Personal data over time (SPEC §10), as far as the intake's own tables go: the data-protection
 * officer lists due reviews, records one, and erases a request; the view says erased, when, who
 * and why; the intake's tables hold none of the subject's name, birth date or free text; the
 * erasure is an `erased` log entry without payload, and the audit verify still finds the log intact.
 */
const NAME = `Zebulon Quartermaine-${randomUUID().slice(0, 6)}`;
const BIRTH = '1971-09-23';
const SOUGHT = `Whereabouts of the lighthouse keeper ${randomUUID().slice(0, 8)}`;
const INTAKE_TABLES = ['requests', 'replies', 'unit_inbox', 'erasures', 'data_protection_reviews'];

describe('data-protection reviews and erasure (SPEC §10)', () => {
  const stack = new TestStack();
  let base: string;
  let dpo: string;
  let operator: string;
  let id: string;
  const justified = { 'x-justification': 'retention period ended (case 2026/77)' };

  beforeAll(async () => {
    await stack.start();
    base = stack.url('intake-api', '');
    dpo = await tokenFor('CGI-DPO', ['dpo']);
    operator = await tokenFor('CGI-SPOC', ['spoc_operator']);
    const requester = await tokenFor('PZ-5339', ['requester']);
    const body = requestBody({
      subjects: [{ type: 'person', name: NAME, dateOfBirth: BIRTH }],
      informationSought: SOUGHT,
    });
    const res = await api(base, 'POST', '/v1/requests', { token: requester, body });
    expect(res.status).toBe(202);
    id = res.body.id as string;
    await waitFor(
      async () =>
        (
          await stack.db.query(`SELECT 1 FROM exchange_log WHERE request_id = $1 AND kind = 'dispatched'`, [
            id,
          ])
        ).rowCount,
      'the request routed and logged',
    );
  });
  afterAll(() => stack.stop());

  /** The intake's tables, dumped by pg_dump as data. */
  function dumpIntakeTables(): string {
    const dump = spawnSync(
      'pg_dump',
      ['--data-only', ...INTAKE_TABLES.flatMap((t) => ['-t', t]), stack.env.DATABASE_URL!],
      {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    expect(dump.status).toBe(0);
    return dump.stdout;
  }

  it('lists a request whose review is due, and a recorded review moves it out', async () => {
    const old = randomUUID();
    await stack.db.query(
      `INSERT INTO requests (id, requesting_unit, requested_by, mission_type, body, body_hash, status, received_at)
       VALUES ($1, 'PZ-OLD', 'gen', 'judicial', '{}', 'gen', 'received', '2012-03-01T10:00:00Z')`,
      [old],
    );
    const due = await api<{ reviews: { requestId: string; dueAt: string; exchangeEndedAt: string }[] }>(
      base,
      'GET',
      '/v1/data-protection/reviews?limit=1000',
      { token: dpo },
    );
    expect(due.status).toBe(200);
    const listed = due.body.reviews.find((r) => r.requestId === old);
    // First review: 180 days (REVIEW_FIRST_DAYS) after the exchange's last step.
    expect(listed).toMatchObject({
      exchangeEndedAt: '2012-03-01T10:00:00.000Z',
      dueAt: '2012-08-28T10:00:00.000Z',
    });
    expect(due.body.reviews.some((r) => r.requestId === id)).toBe(false);

    const review = await api(base, 'POST', `/v1/requests/${old}/review`, {
      token: dpo,
      headers: justified,
      body: { reason: 'investigation still open' },
    });
    expect(review.status).toBe(201);
    const after = await api<{ reviews: { requestId: string }[] }>(
      base,
      'GET',
      '/v1/data-protection/reviews?limit=1000',
      {
        token: dpo,
      },
    );
    expect(after.body.reviews.some((r) => r.requestId === old)).toBe(false);
    expect((await api(base, 'GET', '/v1/data-protection/reviews', { token: operator })).status).toBe(403);
    expect((await api(base, 'GET', '/v1/data-protection/reviews?limit=0', { token: dpo })).status).toBe(400);
  });

  it('refuses an erasure without the role, a justification or a reason, and changes nothing', async () => {
    const path = `/v1/requests/${id}/erasure`;
    expect(
      (await api(base, 'POST', path, { token: operator, headers: justified, body: { reason: 'x' } })).status,
    ).toBe(403);
    expect((await api(base, 'POST', path, { token: dpo, body: { reason: 'x' } })).status).toBe(400);
    const noReason = await api(base, 'POST', path, { token: dpo, headers: justified, body: {} });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toContain('reason');
    expect(
      (
        await api(base, 'POST', `/v1/requests/${randomUUID()}/erasure`, {
          token: dpo,
          headers: justified,
          body: { reason: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(dumpIntakeTables()).toContain(NAME);
  });

  it('erases the subjects and free text from the intake tables; the view says when, who and why', async () => {
    const res = await api(base, 'POST', `/v1/requests/${id}/erasure`, {
      token: dpo,
      headers: justified,
      body: { reason: 'no longer needed for the purpose (Directive 2016/680 Art 16)' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: 'erased',
      erasure: { by: 'test-cgi-dpo', unit: 'CGI-DPO' },
    });

    const view = await api<Record<string, unknown>>(base, 'GET', `/v1/requests/${id}`, { token: operator });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      status: 'erased',
      erasure: { by: 'test-cgi-dpo', reason: 'no longer needed for the purpose (Directive 2016/680 Art 16)' },
      request: { erased: true, targetCountries: ['NL'], offence: { category: expect.any(String) } },
    });
    const shown = JSON.stringify(view.body);
    for (const secret of [NAME, BIRTH, SOUGHT]) expect(shown).not.toContain(secret);

    const dump = dumpIntakeTables();
    for (const secret of [NAME, BIRTH, SOUGHT]) expect(dump).not.toContain(secret);

    const again = await api(base, 'POST', `/v1/requests/${id}/erasure`, {
      token: dpo,
      headers: justified,
      body: { reason: 'x' },
    });
    expect(again.status).toBe(409);
  });

  it('records the erasure as an entry without payload, and the log still verifies', async () => {
    const entry = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE request_id = $1 AND kind = 'erased'`,
        [id],
      );
      return rows[0] && (JSON.parse(rows[0].entry) as Record<string, unknown>);
    }, 'the erased entry');
    expect(entry).toMatchObject({
      kind: 'erased',
      requestId: id,
      details: {},
      justification: justified['x-justification'],
    });
    const verify = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', 'scripts', 'run-compiled.js'),
        'scripts/audit.js',
        'verify',
        '--justification',
        'after erasure',
      ],
      { env: { ...process.env, DATABASE_URL: stack.env.DATABASE_URL }, encoding: 'utf8' },
    );
    expect([verify.status, verify.stdout]).toEqual([0, expect.stringMatching(/^log intact: \d+ entries/)]);
  });
});
