import { api, tokenFor } from '../support/api';
import { TestStack, waitFor } from '../support/stack';

jest.setTimeout(420_000);

/** Cases per run: a few dozen by default (FAULT_CASES). */
const CASES = Number(process.env.FAULT_CASES ?? 40);

interface SimMessage {
  idempotencyKey: string;
  message: { kind?: string };
}

/**
 * Fault injection on the case steps (SPEC §8): clarifications (which suspend and resume the
 * deadline in the router) and refusals run while the router is killed (-9) and restarted. Every
 * message must reach the partner exactly once, every step be logged exactly once, and every
 * clarified deadline end resumed (none left suspended).
 */
describe('fault injection: case steps while the router restarts', () => {
  const stack = new TestStack({ PARTNER_TIMEOUT_MS: '2000', DELIVERY_RETRY_BASE_MS: '500' });
  let intake: string;
  let simulator: string;
  let unit: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    unit = await tokenFor('FGP-ANTWERPEN', ['requester'], 'federal');
  });
  afterAll(() => stack.stop());

  async function partnerSends(message: Record<string, unknown>) {
    // The partner's system retries while IXR's inbound endpoint is busy, as a real one would.
    return waitFor(async () => {
      const res = await api<{ messageId: string; ixr: { status: number; body: { reference: string } } }>(
        simulator,
        'POST',
        '/simulator/partners/siena/NL/send',
        { body: message },
      );
      return res.status === 200 && res.body.ixr.status === 202 ? res.body : undefined;
    }, 'the partner message accepted');
  }

  async function post(path: string, body: unknown): Promise<string> {
    const res = await waitFor(async () => {
      const r = await api<{ messages: { id: string }[] }>(intake, 'POST', path, { token: unit, body });
      if (r.status >= 500) return undefined; // dependency away: nothing stored, retry
      return r;
    }, `POST ${path}`);
    expect(res.status).toBe(202);
    return res.body.messages[0].id;
  }

  it('refusals and clarifications while the router is killed and restarted: 0 lost, 0 duplicated', async () => {
    const requests: { id: string; messageId: string; deadline: number }[] = [];
    for (let i = 0; i < CASES; i++) {
      const sent = await partnerSends({
        kind: 'request',
        messageId: `fault-case-${Date.now()}-${i}`,
        missionType: 'administrative',
        offence: { category: 'drug_trafficking', description: 'Shipments' },
        region: 'antwerpen',
        urgency: { urgent: false },
        accessibility: 'indirect',
        handlingCode: 'H1',
        language: 'en',
        informationSought: 'Known addresses',
        purpose: `Case ${i}`,
        subjects: [{ type: 'person', name: `Person ${i}` }],
      });
      requests.push({ id: sent.ixr.body.reference, messageId: sent.messageId, deadline: 0 });
    }
    // The router's milestones, and the intake's rows (stored from the router's events).
    await waitFor(async () => {
      const { rows } = await stack.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deadline_milestones m JOIN requests r ON r.id = m.request_id
          WHERE m.request_id = ANY($1) AND m.milestone = 'breach'`,
        [requests.map((r) => r.id)],
      );
      return rows[0].n === CASES;
    }, 'every request routed with its deadline');
    const { rows: before } = await stack.db.query<{ request_id: string; due_at: Date }>(
      `SELECT request_id, due_at FROM deadline_milestones WHERE request_id = ANY($1) AND milestone = 'breach'`,
      [requests.map((r) => r.id)],
    );
    const dueBefore = new Map(before.map((r) => [r.request_id, r.due_at.getTime()]));

    // Questions go out; the router is killed a third of the way through and restarted.
    const outgoing: string[] = [];
    let fault: Promise<void> | undefined;
    for (const [i, request] of requests.entries()) {
      if (i === Math.floor(CASES / 3)) {
        fault = (async () => {
          await stack.services.get('router')!.kill();
          await stack.restart('router');
        })();
      }
      outgoing.push(
        await post(`/v1/requests/${request.id}/clarifications`, { question: `Which city? (${i})` }),
      );
    }
    // The partner answers each question, and the router is killed once more while it does.
    await fault;
    for (const [i, request] of requests.entries()) {
      if (i === Math.floor(CASES / 2)) {
        fault = (async () => {
          await stack.services.get('router')!.kill();
          await stack.restart('router');
        })();
      }
      await partnerSends({
        kind: 'clarification_answer',
        inReplyTo: request.messageId,
        language: 'en',
        answer: `Antwerp (${i})`,
      });
    }
    await fault;
    for (const request of requests) {
      outgoing.push(
        await post(`/v1/requests/${request.id}/refusal`, { ground: 'not_available', reason: 'No record' }),
      );
    }

    // Every message at the partner exactly once.
    const counts = await waitFor(
      async () => {
        const res = await api<{ counts: Record<string, number> }>(simulator, 'POST', '/simulator/counts', {
          body: { keys: outgoing },
        });
        return Object.values(res.body.counts).every((n) => n >= 1) ? res.body.counts : undefined;
      },
      'every message at the partner',
      180_000,
    );
    const lost = outgoing.filter((k) => counts[k] === 0).length;
    const duplicated = outgoing.filter((k) => counts[k] > 1).length;
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });

    // Every step logged exactly once per request.
    const ids = requests.map((r) => r.id);
    const steps = await waitFor(
      async () => {
        const { rows } = await stack.db.query<{ kind: string; n: number }>(
          `SELECT kind, count(*)::int AS n FROM exchange_log WHERE request_id = ANY($1)
            AND kind IN ('clarification_requested', 'clarification_answered', 'refused') GROUP BY kind`,
          [ids],
        );
        const byKind = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
        if (Object.keys(byKind).length === 3 && Object.values(byKind).every((n) => n >= CASES)) return byKind;
        throw new Error(`logged so far ${JSON.stringify(byKind)}`);
      },
      'every step in the log',
      120_000,
    );
    expect(steps).toEqual({ clarification_requested: CASES, clarification_answered: CASES, refused: CASES });

    // Every clock resumed, and moved on by the time it stood still.
    const { rows: after } = await stack.db.query<{ request_id: string; due_at: Date; suspended: boolean }>(
      `SELECT request_id, due_at, suspended_at IS NOT NULL AS suspended FROM deadline_milestones
        WHERE request_id = ANY($1) AND milestone = 'breach'`,
      [ids],
    );
    expect(after.filter((r) => r.suspended)).toEqual([]);
    for (const row of after) expect(row.due_at.getTime()).toBeGreaterThan(dueBefore.get(row.request_id)!);
    const kinds = await api<{ kinds: Record<string, number> }>(simulator, 'GET', '/simulator/stats');
    expect(kinds.body.kinds).toMatchObject({ clarification: CASES, refusal: CASES });
    const messages = await api<SimMessage[]>(simulator, 'GET', '/simulator/messages');
    expect(messages.body.filter((m) => outgoing.includes(m.idempotencyKey))).toHaveLength(outgoing.length);
    process.stdout.write(
      `\ncase steps while the router restarts: ${CASES} cases, ${outgoing.length} messages, lost ${lost}, duplicated ${duplicated}\n`,
    );
  });
});
