import { api, requestBody, tokenFor } from '../support/api';
import { TestStack, waitFor } from '../support/stack';
import { testEnvironment } from '../support/test-env';
import { checkScenario, faultPool, metric, partnerMode, type Submitted } from './support/fault-harness';

interface Route {
  channel: string;
  destination: string;
  role: string;
  ruleId: string;
  reason: string;
}

/**
 * Circuit breakers, timeouts and dead letters on the running system: a partner that hangs is cut
 * off at the timeout, a partner that fails opens its circuit and the router takes the fallback
 * route with the Art 13(2)(c) reason until it is back, and a partner away past the retry window
 * leaves a dead letter an operator re-drives.
 */
describe('partner outages: circuits, fallbacks, dead letters', () => {
  const stack = new TestStack({
    PARTNER_TIMEOUT_MS: '1000',
    CIRCUIT_RESET_MS: '2000',
    CIRCUIT_VOLUME_THRESHOLD: '3',
    DELIVERY_MAX_ATTEMPTS: '3',
    DELIVERY_RETRY_BASE_MS: '300',
    DELIVERY_RETRY_MAX_MS: '2000',
  });
  const pool = faultPool(testEnvironment().databaseUrl);
  let intake: string;
  let simulator: string;
  let adaptersMetrics: string;
  let requester: string;
  let operator: string;
  const submitted: Submitted[] = [];

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    adaptersMetrics = stack.url('channel-adapters', '/metrics');
    requester = await tokenFor('PZ-5339', ['requester']);
    operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
  });
  afterAll(async () => {
    await stack.stop();
    await pool.end();
  });

  async function submit(targetCountries: string[]): Promise<string> {
    const key = `cb-${submitted.length}-${Date.now()}`;
    const res = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries }),
      headers: { 'idempotency-key': key },
    });
    expect(res.status).toBe(202);
    submitted.push({ key, id: res.body.id, retries: 0 });
    return res.body.id;
  }

  async function routesOf(id: string): Promise<Route[]> {
    return waitFor(async () => {
      const res = await api<{ routes: Route[] }>(intake, 'GET', `/v1/requests/${id}/decision`, {
        token: requester,
      });
      return res.status === 200 ? res.body.routes : undefined;
    }, `the decision of ${id}`);
  }

  it('aborts a call to a hanging partner at the timeout, and delivers once the partner answers', async () => {
    await partnerMode(simulator, 'siena', 'FR', { mode: 'hang' });
    const id = await submit(['FR']);
    await waitFor(async () => {
      const stats = await (await fetch(`${simulator}/simulator/stats`)).json();
      return (stats as { hanging: number }).hanging > 0;
    }, 'a call held by the hanging partner');
    // The adapter gives up after 1 s and closes the connection: the partner sees it go.
    const aborted = Date.now();
    await waitFor(async () => {
      const stats = (await (await fetch(`${simulator}/simulator/stats`)).json()) as { hanging: number };
      const { rows } = await pool.query<{ last_error: string | null }>(
        // The adapters' own send ledger: a pending send's last error is theirs, not the router's.
        `SELECT s.last_error FROM deliveries d JOIN delivery_sends s ON s.id = d.id
          WHERE d.request_id = $1 AND d.channel = 'siena'`,
        [id],
      );
      return stats.hanging === 0 && /1000 ms|timed out/.test(rows[0]?.last_error ?? '');
    }, 'the aborted call');
    expect(Date.now() - aborted).toBeLessThan(10_000);
    // The request view shows the send still pending with its last error, from the adapters' ledger
    // (the router's delivery row learns the outcome only when there is one).
    const view = await api<{
      deliveries: { channel: string; status: string; attempts: number; lastError: string | null }[];
    }>(intake, 'GET', `/v1/requests/${id}`, { token: requester });
    const pending = view.body.deliveries.find((d) => d.channel === 'siena');
    expect(pending).toMatchObject({
      status: 'pending',
      lastError: expect.stringMatching(/1000 ms|timed out/),
    });
    expect(pending!.attempts).toBeGreaterThanOrEqual(1);
    expect(
      await metric(adaptersMetrics, 'ixr_circuit_events_total', {
        channel: 'siena',
        destination: 'FR',
        event: 'timeout',
      }),
    ).toBeGreaterThan(0);
    await partnerMode(simulator, 'siena', 'FR', { mode: 'ok' });
  });

  it('opens the circuit of a failing partner, reroutes to the fallback for a technical incident, closes when it is back', async () => {
    await partnerMode(simulator, 'siena', 'NL', { mode: 'fail' });
    for (let i = 0; i < 3; i++) await submit(['NL']);
    await waitFor(
      async () =>
        (await metric(adaptersMetrics, 'ixr_circuit_state', { channel: 'siena', destination: 'NL' })) === 2,
      'the siena/NL circuit open',
    );
    // The adapters report the change to the shared table just after it happens: wait for it.
    const shared = await waitFor(async () => {
      const { rows } = await pool.query<{ state: string }>(
        `SELECT state FROM circuit_states WHERE channel = 'siena' AND destination = 'NL'`,
      );
      return rows.some((r) => r.state === 'open') ? rows : undefined;
    }, 'the open siena/NL circuit reported to circuit_states');
    expect(shared.map((r) => r.state)).toContain('open');

    // New requests to NL now take the directory's fallback (siena → interpol, no liaison post for NL).
    const rerouted = await waitFor(async () => {
      const id = await submit(['NL']);
      const routes = await routesOf(id);
      return routes.some((r) => r.role === 'fallback') ? { id, routes } : undefined;
    }, 'a request rerouted to the fallback');
    const fallback = rerouted.routes.find((r) => r.role === 'fallback')!;
    expect(fallback).toMatchObject({
      channel: 'interpol',
      destination: 'NL',
      ruleId: 'OUT-FALLBACK-INCIDENT',
    });
    expect(fallback.reason).toMatch(/technical incident/);
    expect(fallback.reason).toMatch(/Art 13\(2\)\(c\)/);
    expect(rerouted.routes.some((r) => r.channel === 'siena')).toBe(false);
    // The log records the decision with its reason and the circuit snapshot it saw.
    const routed = await waitFor(async () => {
      const { rows } = await pool.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE request_id = $1 AND kind = 'routed'`,
        [rerouted.id],
      );
      return rows[0]?.entry;
    }, 'the routed entry');
    expect(routed).toMatch(/technical incident/);
    expect(JSON.parse(routed).details.channelHealth.open).toEqual(
      expect.arrayContaining([{ channel: 'siena', destination: 'NL' }]),
    );

    // The partner is back: the half-open probe closes the circuit, the router routes to siena again.
    await partnerMode(simulator, 'siena', 'NL', { mode: 'ok' });
    await waitFor(
      async () =>
        (await metric(adaptersMetrics, 'ixr_circuit_state', { channel: 'siena', destination: 'NL' })) === 0,
      'the siena/NL circuit closed',
    );
    const back = await waitFor(async () => {
      const id = await submit(['NL']);
      const routes = await routesOf(id);
      return routes.some((r) => r.channel === 'siena' && r.role === 'primary') ? routes : undefined;
    }, 'a request routed to siena again');
    expect(back.some((r) => r.role === 'fallback')).toBe(false);

    // The requests sent while the partner failed were parked, not lost, and arrive once each.
    const check = await checkScenario({ pool, simulator, submitted, timeoutMs: 60_000 });
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ lost: 0, duplicated: 0 });
  });

  it('dead-letters a delivery whose partner stays away past the window; an operator lists and re-drives it', async () => {
    await stack.restartWith('channel-adapters', { DELIVERY_RETRY_WINDOW_MS: '2500' });
    await partnerMode(simulator, 'siena', 'SE', { mode: 'fail' });
    const id = await submit(['SE']);
    const letter = await waitFor(async () => {
      const res = await api<{
        deadLetters: { id: string; requestId: string; error: { code: string }; topic: string }[];
      }>(intake, 'GET', '/v1/dead-letters?topic=ixr.deliveries.dispatched', {
        token: operator,
        headers: { 'x-justification': 'checking undelivered messages' },
      });
      return res.body.deadLetters?.find((d) => d.requestId === id);
    }, 'the dead letter of the SE delivery');
    expect(letter.error.code).toBe('DELIVERY.PARTNER_UNREACHABLE');

    expect((await api(intake, 'GET', '/v1/dead-letters', { token: requester })).status).toBe(403);
    expect((await api(intake, 'GET', `/v1/dead-letters/${letter.id}`, { token: operator })).status).toBe(400);
    const read = await api<{ payload: { data: { deliveryId: string } } }>(
      intake,
      'GET',
      `/v1/dead-letters/${letter.id}`,
      {
        token: operator,
        headers: { 'x-justification': 'which delivery failed' },
      },
    );
    expect(read.status).toBe(200);
    expect(read.body.payload.data.deliveryId).toBeDefined();
    const without = await api(intake, 'POST', `/v1/dead-letters/${letter.id}/redrive`, { token: operator });
    expect(without.status).toBe(400);

    await partnerMode(simulator, 'siena', 'SE', { mode: 'ok' });
    const redriven = await api<{ status: string }>(intake, 'POST', `/v1/dead-letters/${letter.id}/redrive`, {
      token: operator,
      headers: { 'x-justification': 'SE partner is back after its outage' },
    });
    expect(redriven.status).toBe(202);
    expect(redriven.body.status).toBe('redriven');
    const again = await api<{ error: { code: string } }>(
      intake,
      'POST',
      `/v1/dead-letters/${letter.id}/redrive`,
      {
        token: operator,
        headers: { 'x-justification': 'twice' },
      },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DEAD_LETTER.ALREADY_REDRIVEN');

    const check = await checkScenario({ pool, simulator, submitted: submitted.filter((s) => s.id === id) });
    expect(check.problems).toEqual([]);
    expect(check).toMatchObject({ lost: 0, duplicated: 0 });
    const kinds = await waitFor(async () => {
      const { rows } = await pool.query<{ kind: string; entry: string }>(
        `SELECT kind, entry FROM exchange_log WHERE request_id = $1 AND kind IN ('redriven', 'consulted') ORDER BY seq`,
        [id],
      );
      return rows.some((r) => r.kind === 'redriven') ? rows : undefined;
    }, 'the redriven entry');
    const redrive = kinds.find((r) => r.kind === 'redriven')!;
    expect(redrive.entry).toMatch(/SE partner is back after its outage/);
    expect(kinds.some((r) => r.kind === 'consulted')).toBe(true);
  });
});
