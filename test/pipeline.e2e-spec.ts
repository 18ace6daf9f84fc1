import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';

/**
 * The whole path on the real broker and database: intake → Kafka → router → Kafka → adapters →
 * partner simulator → Kafka → exchange log, and the request's view through the API.
 */
describe('submit → route → deliver → log', () => {
  const stack = new TestStack();
  let intake: string;
  let requester: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    requester = await tokenFor('PZ-5339', ['requester']);
  });
  afterAll(() => stack.stop());

  async function deliveredView(id: string) {
    return waitFor(async () => {
      const res = await api<{
        status: string;
        deliveries: { channel: string; destination: string; role: string; status: string }[];
      }>(intake, 'GET', `/v1/requests/${id}`, { token: requester });
      return res.status === 200 && res.body.status === 'delivered' ? res.body : undefined;
    }, `request ${id} delivered`);
  }

  it('delivers a request to NL over siena, with the national_spoc copy, and logs every step', async () => {
    const submitted = await api<{
      id: string;
      status: string;
      receivedAt: string;
      deadline: { at: string; basis: string };
    }>(intake, 'POST', '/v1/requests', { token: requester, body: requestBody({ targetCountries: ['NL'] }) });
    expect(submitted.status).toBe(202);
    expect(submitted.body.status).toBe('received');
    expect(submitted.body.deadline.basis).toBe('standard_7d');
    expect(Date.parse(submitted.body.deadline.at) - Date.parse(submitted.body.receivedAt)).toBe(
      7 * 24 * 3600 * 1000,
    );

    const view = await deliveredView(submitted.body.id);
    const routes = view.deliveries.map((d) => `${d.channel}:${d.destination}:${d.role}:${d.status}`).sort();
    expect(routes).toEqual(
      expect.arrayContaining(['siena:NL:primary:delivered', 'national_spoc:CGI-SPOC:copy:delivered']),
    );

    // The partner simulator got the siena message exactly once.
    const messages = await api<{ channel: string; destination: string }[]>(
      stack.url('partner-simulator', ''),
      'GET',
      `/simulator/requests/${submitted.body.id}/messages`,
    );
    expect(messages.body.filter((m) => m.channel === 'siena' && m.destination === 'NL')).toHaveLength(1);

    // Every step is in the exchange log, in order.
    const deliveries = view.deliveries.length;
    const kinds = await waitFor(async () => {
      const { rows } = await stack.db.query<{ kind: string }>(
        "SELECT kind FROM exchange_log WHERE request_id = $1 AND kind <> 'consulted' ORDER BY seq",
        [submitted.body.id],
      );
      return rows.length === 2 + 2 * deliveries ? rows.map((r) => r.kind) : undefined;
    }, 'the exchange-log entries of the request');
    expect(kinds[0]).toBe('received');
    expect(kinds[1]).toBe('routed');
    expect(kinds.filter((k) => k === 'dispatched')).toHaveLength(deliveries);
    expect(kinds.filter((k) => k === 'delivered')).toHaveLength(deliveries);
  });

  it('routes a third country to interpol and shows the decision', async () => {
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({
        targetCountries: ['US'],
        offence: { category: 'other', description: 'Online threat' },
      }),
    });
    expect(submitted.status).toBe(202);
    await deliveredView(submitted.body.id);
    const decision = await api<{
      routes: { channel: string; destination: string; role: string; reason: string }[];
      deadline: { basis: string };
    }>(intake, 'GET', `/v1/requests/${submitted.body.id}/decision`, { token: requester });
    expect(decision.status).toBe(200);
    expect(decision.body.routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'interpol', destination: 'US', role: 'primary' }),
      ]),
    );
    expect(decision.body.deadline.basis).toBe('none');
    for (const route of decision.body.routes) expect(route.reason.length).toBeGreaterThan(10);
  });

  it('refuses a body with a missing field, naming it, and stores nothing', async () => {
    const before = await stack.db.query<{ requests: string; outbox: string }>(
      'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM outbox) AS outbox',
    );
    const { purpose: _omitted, ...body } = requestBody();
    const res = await api<{ error: { code: string; details: { path: string; message: string }[] } }>(
      intake,
      'POST',
      '/v1/requests',
      { token: requester, body },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INTAKE.VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'purpose' })]);
    const after = await stack.db.query(
      'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM outbox) AS outbox',
    );
    expect(after.rows[0].requests).toBe(before.rows[0]?.requests);
  });

  it('answers 401 without a valid token', async () => {
    const none = await api(intake, 'POST', '/v1/requests', { body: requestBody() });
    expect(none.status).toBe(401);
    const forged = await api(intake, 'GET', '/v1/requests/00000000-0000-0000-0000-000000000000', {
      token: `${requester.slice(0, -4)}AAAA`,
    });
    expect(forged.status).toBe(401);
  });

  it('honours Idempotency-Key: same body → same request, other body → 409', async () => {
    const key = `e2e-${Date.now()}`;
    const body = requestBody({ targetCountries: ['DE'] });
    const first = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body,
      headers: { 'idempotency-key': key },
    });
    const again = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const other = await api<{ error: { code: string } }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['FR'] }),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('INTAKE.IDEMPOTENCY_CONFLICT');
  });

  it('keeps another unit out of a request', async () => {
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody(),
    });
    const other = await tokenFor('PZ-5340', ['requester']);
    const res = await api(intake, 'GET', `/v1/requests/${submitted.body.id}`, { token: other });
    expect(res.status).toBe(403);
  });
});
