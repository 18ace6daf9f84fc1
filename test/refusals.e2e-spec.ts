import { request } from 'node:http';
import { api, requestBody, tokenFor } from './support/api';

/**
 * One GET on its own connection: no client resends it (fetch may resend an idempotent request
 * when a kept-alive socket closes under it, and the server would count one refusal more).
 */
function getStatus(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
import { TestStack, waitFor } from './support/stack';

interface DeniedEntry {
  actor: { unit: string };
  requestId: string | null;
  details: { repeated?: number; action?: string };
}

/**
 * Refusals recorded without flooding (issue 12): one unit hammering another unit's request gets
 * its refusals recorded as one entry at once and one entry with the count per window — a bounded
 * number of entries whose counts still add up to every refusal; and refused calls spend the
 * caller's rate limit like any other.
 */
describe('refusals without flooding', () => {
  const WINDOW_MS = 4000;
  const stack = new TestStack({
    DENIAL_WINDOW_MS: String(WINDOW_MS),
    RATE_LIMIT_UNITS: 'PZ-FLOOD=100000/100000,PZ-LIMITED=1/20',
  });
  let intake: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
  });
  afterAll(() => stack.stop());

  const deniedOf = async (unit: string): Promise<DeniedEntry[]> => {
    const { rows } = await stack.db.query<{ entry: string }>(
      `SELECT entry FROM exchange_log WHERE kind = 'denied' ORDER BY seq`,
    );
    return rows.map((r) => JSON.parse(r.entry) as DeniedEntry).filter((e) => e.actor.unit === unit);
  };

  it('5,000 refused reads of another unit’s request make a bounded number of entries that count them all', async () => {
    const owner = await tokenFor('PZ-5339', ['requester']);
    const flooder = await tokenFor('PZ-FLOOD', ['requester']);
    const created = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: owner,
      body: requestBody(),
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const total = 5000;
    const started = Date.now();
    let refused = 0;
    for (let sent = 0; sent < total; sent += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => getStatus(`${intake}/v1/requests/${id}`, flooder)),
      );
      refused += answers.filter((s) => s === 403).length;
    }
    expect(refused).toBe(total);
    const elapsed = Date.now() - started;
    // Every refusal is accounted for once its window has closed: the opening entry is one refusal,
    // a closing entry the `repeated` ones after it.
    const entries = await waitFor(
      async () => {
        const found = (await deniedOf('PZ-FLOOD')).filter((e) => e.requestId === id);
        const counted = found.reduce((sum, e) => sum + (e.details.repeated ?? 1), 0);
        return counted >= total ? found : undefined;
      },
      'every refusal counted in the exchange log',
      60_000,
    );
    expect(entries.reduce((sum, e) => sum + (e.details.repeated ?? 1), 0)).toBe(total);
    // Two entries per window at most (the first refusal, and the count of the rest).
    const windows = Math.ceil(elapsed / WINDOW_MS) + 1;
    expect(entries.length).toBeLessThanOrEqual(2 * windows);
    expect(entries.length).toBeLessThan(50);
  });

  it('refused calls spend the caller’s rate limit', async () => {
    const limited = await tokenFor('PZ-LIMITED', ['requester']);
    const statuses: number[] = [];
    // The dead-letter list is for operators: a requester is refused (403) — until the limit says 429.
    for (let i = 0; i < 30; i++) {
      statuses.push((await api(intake, 'GET', '/v1/dead-letters', { token: limited })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(20)).toContain(429);
  });
});
