import { openForView } from '@ixr/messaging';
import { DataKeyVault, DEVELOPMENT_DATA_KEY_MASTER } from '@ixr/persistence';
import { api, requestBody, tokenFor } from './support/api';
import { SseClient } from './support/sse-client';
import { TestStack, waitFor } from './support/stack';
import { partnerRequest } from './support/partner-request';

interface ListItem {
  id: string;
  direction: string;
  status: string;
  unit: string;
  level: string | null;
  targetCountries: string[];
  offenceCategory: string | null;
  urgent: boolean;
  deadline: string | null;
  overdue?: boolean;
}
interface Page {
  items: ListItem[];
  nextCursor: string | null;
}
interface InboxItem {
  id: string;
  kind: string;
  requestId: string;
  at: string;
  summary: string;
  readAt: string | null;
}
interface StatusEvent {
  requestId: string;
  status: string;
  previous: string | null;
}
interface HistoryEntry {
  at: string;
  kind: string;
  [detail: string]: unknown;
}

/**
 * SPEC §7 on the running system: units find their own work and nothing of others', answers and
 * deadline warnings reach the right inboxes and event streams, the SPOC's queue puts the overdue
 * first, and an assignment moves a foreign request to another unit.
 */
describe('finding and following work', () => {
  const stack = new TestStack({ EVENTS_HEARTBEAT_MS: '1000' });
  let intake: string;
  let simulator: string;
  let own: string;
  let other: string;
  let operator: string;
  let antwerp: string;
  let cyber: string;
  const streams: SseClient[] = [];

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    own = await tokenFor('PZ-5339', ['requester']);
    other = await tokenFor('PZ-1111', ['requester']);
    operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
    antwerp = await tokenFor('FGP-ANTWERPEN', ['requester'], 'federal');
    cyber = await tokenFor('DJSOC-CYBER', ['requester'], 'cyber');
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await stack.stop();
  });

  async function submit(token: string, overrides: Parameters<typeof requestBody>[0] = {}) {
    const res = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token,
      body: requestBody(overrides),
    });
    expect(res.status).toBe(202);
    return res.body.id;
  }

  async function list(token: string, query: string) {
    return api<Page>(intake, 'GET', `/v1/requests?${query}`, { token });
  }

  /** Every page of a listing, following nextCursor. */
  async function listAll(token: string, query: string): Promise<ListItem[]> {
    const items: ListItem[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(token, `${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  async function inbox(token: string): Promise<InboxItem[]> {
    const res = await api<{ items: InboxItem[] }>(intake, 'GET', '/v1/inbox?limit=200', { token });
    expect(res.status).toBe(200);
    return res.body.items;
  }

  async function stream(token: string, lastEventId?: string): Promise<SseClient> {
    const client = await SseClient.connect(stack.url('intake-api', '/v1/events'), {
      authorization: `Bearer ${token}`,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    });
    streams.push(client);
    expect(client.status).toBe(200);
    return client;
  }

  async function partnerSends(message: Record<string, unknown>) {
    const res = await api<{ ixr: { status: number; body: { reference: string } } }>(
      simulator,
      'POST',
      '/simulator/partners/siena/NL/send',
      { body: message },
    );
    expect(res.status).toBe(200);
    expect(res.body.ixr.status).toBe(202);
    return res.body.ixr.body.reference;
  }

  it('lists and searches only what the unit may see, page by page, and logs each search with its terms', async () => {
    const name = `Zwartkop${Date.now()}`;
    const subject = { type: 'person' as const, name: `Anneliese ${name}`, dateOfBirth: '1975-02-03' };
    const mine = await submit(own, { targetCountries: ['DE'], subjects: [subject] });
    const mineToo = await submit(own, { targetCountries: ['NL'] });
    const theirs = await submit(other, { targetCountries: ['DE'], subjects: [subject] });
    await waitFor(async () => {
      const all = await listAll(operator, 'direction=outbound');
      return [mine, mineToo, theirs].every((id) => all.some((i) => i.id === id));
    }, 'the three requests listed');

    const ownList = await listAll(own, 'direction=outbound');
    expect(ownList.map((i) => i.id)).toEqual(expect.arrayContaining([mine, mineToo]));
    expect(ownList.every((i) => i.unit === 'PZ-5339')).toBe(true);
    expect(ownList.some((i) => i.id === theirs)).toBe(false);
    expect(ownList.find((i) => i.id === mine)).toMatchObject({
      direction: 'outbound',
      unit: 'PZ-5339',
      level: 'local',
      targetCountries: ['DE'],
      offenceCategory: 'drug_trafficking',
    });

    // Full-text search over subject names: each unit finds its own request, never the other's.
    const found = await list(own, `q=${name.toLowerCase()}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i) => i.id)).toEqual([mine]);
    const foundByOther = await list(other, `q=${name}`);
    expect(foundByOther.body.items.map((i) => i.id)).toEqual([theirs]);
    const foundBySpoc = await list(operator, `q=${name}`);
    expect(foundBySpoc.body.items.map((i) => i.id).sort()).toEqual([mine, theirs].sort());
    // …and over free text, with the filters.
    expect((await list(own, `q=${name}&country=NL`)).body.items).toEqual([]);
    expect((await list(own, `q=${name}&country=DE&direction=outbound`)).body.items.map((i) => i.id)).toEqual([
      mine,
    ]);
    // The unit filter names another unit: need-to-know still applies, nothing comes back.
    expect((await list(own, 'unit=PZ-1111')).body.items).toEqual([]);

    const logged = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE kind = 'consulted' AND entry LIKE $1`,
        [`%${name.toLowerCase()}%`],
      );
      return rows.length > 0 ? rows.map((r) => JSON.parse(r.entry) as Record<string, unknown>) : undefined;
    }, 'the search logged');
    expect(logged[0]).toMatchObject({
      actor: { unit: 'PZ-5339' },
      details: { action: 'requests_searched', terms: name.toLowerCase() },
    });

    // Keyset pages: a new request arriving between two pages neither repeats nor skips an item.
    const first = await list(own, 'direction=outbound&limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    await submit(own, { targetCountries: ['FR'] });
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next = await list(own, `direction=outbound&limit=2&cursor=${cursor}`);
      expect(next.status).toBe(200);
      seen.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([mine, mineToo]));
    const keys = seen.map((i) => i.deadline ?? '9999');
    expect([...keys].sort()).toEqual(keys); // by deadline

    // Bad input: every bad parameter named, nothing read.
    const bad = await api<{ error: { details: { path: string }[] } }>(
      intake,
      'GET',
      '/v1/requests?status=lost&limit=500&colour=red&cursor=zz',
      { token: own },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(['colour', 'limit', 'status'].sort());
    expect((await list(own, 'cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
    expect(
      (await api(intake, 'GET', '/v1/requests', { token: await tokenFor('ADAPTER-1', ['adapter']) })).status,
    ).toBe(403);
  });

  it("puts a partner's answer in the requesting unit's inbox and on its event stream", async () => {
    await api(simulator, 'PUT', '/simulator/partners/siena/NL', {
      body: { mode: 'ok', answerAfterMs: 1500 },
    });
    const events = await stream(own);
    const otherEvents = await stream(other);
    const id = await submit(own, { targetCountries: ['NL'] });
    const item = await waitFor(
      async () => events.json<InboxItem>('inbox').find((i) => i.requestId === id && i.kind === 'answer'),
      'the answer on the stream',
    );
    const arrived = events.events.find((e) => e.event === 'inbox' && e.data.includes(id))!.receivedAt;
    await api(simulator, 'PUT', '/simulator/partners/siena/NL', { body: { mode: 'ok' } });
    // The inbox item follows the log's entry of the answer; the intake stores the answer itself from
    // the router's ixr.inbound.recorded, a separate event that may come a moment later.
    const rows = await waitFor(async () => {
      const result = await stack.db.query<{ created_at: Date }>(
        `SELECT created_at FROM replies WHERE request_id = $1 AND direction = 'inbound'`,
        [id],
      );
      return result.rows.length > 0 ? result.rows : undefined;
    }, 'the answer stored by the intake');
    // Reported, not asserted (speed lives in benchmarks): from the adapter's receipt to the stream.
    process.stdout.write(`answer → event stream: ${arrived - rows[0].created_at.getTime()} ms\n`);

    expect(item.summary).toContain('siena/NL');
    const statuses = events.json<StatusEvent>('status').filter((s) => s.requestId === id);
    expect(statuses.map((s) => s.status)).toContain('answered');
    expect((await inbox(own)).find((i) => i.id === item.id)).toMatchObject({ kind: 'answer', readAt: null });
    // Another unit hears nothing of it.
    expect(otherEvents.events.some((e) => e.data.includes(id))).toBe(false);
    expect((await inbox(other)).some((i) => i.requestId === id)).toBe(false);

    // Mark read: once for the unit; another unit cannot.
    expect((await api(intake, 'POST', `/v1/inbox/${item.id}/read`, { token: other })).status).toBe(404);
    const read = await api<InboxItem>(intake, 'POST', `/v1/inbox/${item.id}/read`, { token: own });
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    const unread = await api<{ items: InboxItem[] }>(intake, 'GET', '/v1/inbox?unread=true&limit=200', {
      token: own,
    });
    expect(unread.body.items.some((i) => i.id === item.id)).toBe(false);

    // The request view tells the case in order.
    const view = await api<{ history: HistoryEntry[] }>(intake, 'GET', `/v1/requests/${id}`, { token: own });
    const kinds = view.body.history.map((h) => h.kind);
    expect(kinds[0]).toBe('received');
    expect(kinds[1]).toBe('routed');
    expect(kinds).toContain('dispatched');
    expect(kinds).toContain('delivered');
    expect(kinds[kinds.length - 1]).toBe('answer_received');
    const times = view.body.history.map((h) => h.at);
    expect([...times].sort()).toEqual(times);
    // Exactly once: one answer item, however often the events were seen.
    const { rows: items } = await stack.db.query(
      `SELECT count(*)::int AS n FROM inbox_items WHERE request_id = $1 AND kind = 'answer'`,
      [id],
    );
    expect(items[0].n).toBe(1);
  });

  it('resumes an event stream with Last-Event-ID across a restart of the intake; tickets are for one use', async () => {
    const ticket = await api<{ ticket: string; expiresAt: string }>(intake, 'POST', '/v1/events/ticket', {
      token: own,
    });
    expect(ticket.status).toBe(201);
    const byTicket = await SseClient.connect(
      stack.url('intake-api', `/v1/events?ticket=${ticket.body.ticket}`),
    );
    streams.push(byTicket);
    expect(byTicket.status).toBe(200);
    const again = await SseClient.connect(stack.url('intake-api', `/v1/events?ticket=${ticket.body.ticket}`));
    expect(again.status).toBe(401);
    again.close();
    expect((await SseClient.connect(stack.url('intake-api', '/v1/events'))).status).toBe(401);

    const first = await submit(own, { targetCountries: ['DE'] });
    await waitFor(
      async () =>
        byTicket.json<StatusEvent>('status').some((s) => s.requestId === first && s.status === 'delivered'),
      'the first request delivered, on the stream',
    );
    await waitFor(async () => byTicket.comments >= 2, 'heartbeats'); // "connected" and at least one heartbeat
    const resumeFrom = byTicket.lastEventId!;
    byTicket.close();

    // The partner answers while the intake is down: the router places it (the unit's inbox, its own
    // table); its record waits in Kafka for the intake, which alone stores it in replies.
    await stack.services.get('intake-api')!.stop();
    const sent = await api<{ ixr: { status: number } }>(
      simulator,
      'POST',
      '/simulator/partners/siena/DE/send',
      {
        body: {
          kind: 'answer',
          inReplyTo: first,
          handlingCode: 'H1',
          language: 'en',
          text: 'No record of the subject in Germany',
        },
      },
    );
    expect(sent.body.ixr.status).toBe(202);
    await waitFor(async () => {
      const { rows } = await stack.db.query(
        `SELECT 1 FROM unit_inbox WHERE request_id = $1 AND role = 'answer'`,
        [first],
      );
      return rows.length > 0;
    }, 'the answer placed by the router while the intake is down');
    await stack.restart('intake-api');

    const second = await submit(own, { targetCountries: ['NL'] });
    const resumed = await stream(own, resumeFrom);
    await waitFor(
      async () =>
        resumed.json<StatusEvent>('status').some((s) => s.requestId === second && s.status === 'delivered'),
      'the second request delivered, on the resumed stream',
    );
    // What happened while the stream was away (the answer, during the restart) comes first, once.
    const answer = resumed
      .json<InboxItem>('inbox')
      .filter((i) => i.requestId === first && i.kind === 'answer');
    expect(answer).toHaveLength(1);
    expect(resumed.json<StatusEvent>('status').filter((s) => s.requestId === first)).toEqual([
      expect.objectContaining({ status: 'answered', previous: 'delivered' }),
    ]);
    const ids = resumed.events.map((e) => BigInt(e.id!));
    expect(ids.every((id) => id > BigInt(resumeFrom))).toBe(true);
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends deadline warnings and escalations to the right units, and the SPOC queue puts the overdue first', async () => {
    const outbound = await submit(own, {
      targetCountries: ['NL'],
      urgency: { urgent: true, ground: 'threat_to_life', reason: 'x' },
      accessibility: 'direct',
    });
    const inbound = await partnerSends(partnerRequest());
    for (const id of [outbound, inbound]) {
      await waitFor(async () => {
        const { rows } = await stack.db.query(`SELECT 1 FROM deadline_milestones WHERE request_id = $1`, [
          id,
        ]);
        return rows.length > 0;
      }, 'the milestones');
    }
    const spocStream = await stream(operator);
    // Time passes: the 75 % warning of both falls due; then the outbound one is overdue.
    await stack.db.query(
      `UPDATE deadline_milestones SET due_at = now() - interval '1 second'
        WHERE request_id = ANY($1::uuid[]) AND milestone IN ('warning_50', 'warning_75')`,
      [[outbound, inbound]],
    );
    const warned = await waitFor(async () => {
      const spoc = (await inbox(operator)).filter((i) => i.kind === 'deadline_warning');
      const ok = [outbound, inbound].every((id) => spoc.filter((i) => i.requestId === id).length === 2);
      return ok ? spoc : undefined;
    }, 'the warnings in the SPOC inbox');
    expect(warned.find((i) => i.requestId === outbound)!.summary).toContain('chase the partner');
    expect(warned.find((i) => i.requestId === inbound)!.summary).toContain('answer in time');
    const ownWarnings = (await inbox(own)).filter((i) => i.requestId === outbound);
    expect(ownWarnings.map((i) => i.kind)).toEqual(['deadline_warning', 'deadline_warning']);
    const antwerpWarnings = (await inbox(antwerp)).filter((i) => i.kind === 'deadline_warning');
    expect(antwerpWarnings.map((i) => i.requestId)).toEqual([inbound, inbound]);
    // Not to a unit without a need to know.
    expect((await inbox(own)).some((i) => i.requestId === inbound)).toBe(false);
    expect((await inbox(antwerp)).some((i) => i.requestId === outbound)).toBe(false);
    await waitFor(
      async () =>
        spocStream.json<InboxItem>('inbox').filter((i) => i.kind === 'deadline_warning').length >= 4,
      'the warnings on the SPOC stream',
    );

    // The outbound request's deadline passes: escalation, and it leads the queue.
    await stack.db.query(`UPDATE requests SET deadline_at = now() - interval '1 minute' WHERE id = $1`, [
      outbound,
    ]);
    await stack.db.query(
      `UPDATE deadline_milestones SET due_at = now() - interval '1 second' WHERE request_id = $1 AND milestone = 'breach'`,
      [outbound],
    );
    await waitFor(
      async () => (await inbox(own)).some((i) => i.requestId === outbound && i.kind === 'escalation'),
      'the escalation in the unit inbox',
    );
    expect((await inbox(operator)).some((i) => i.requestId === outbound && i.kind === 'escalation')).toBe(
      true,
    );

    const queue = await api<Page>(intake, 'GET', '/v1/queue?limit=200', { token: operator });
    expect(queue.status).toBe(200);
    const flags = queue.body.items.map((i) => i.overdue);
    expect(flags[0]).toBe(true);
    expect(flags.lastIndexOf(true)).toBeLessThan(flags.indexOf(false) < 0 ? Infinity : flags.indexOf(false));
    const deadlines = queue.body.items.map((i) => i.deadline ?? '9999');
    expect([...deadlines].sort()).toEqual(deadlines);
    expect(queue.body.items.some((i) => i.id === inbound && i.overdue === false)).toBe(true);
    const overdue = await api<Page>(intake, 'GET', '/v1/queue?overdue=true&limit=200', { token: operator });
    expect(overdue.body.items.map((i) => i.id)).toContain(outbound);
    expect(overdue.body.items.every((i) => i.overdue)).toBe(true);
    const soon = await api<Page>(intake, 'GET', '/v1/queue?dueWithinHours=1000&limit=200', {
      token: operator,
    });
    expect(soon.body.items.map((i) => i.id)).toEqual(expect.arrayContaining([outbound, inbound]));
    expect((await api(intake, 'GET', '/v1/queue', { token: own })).status).toBe(403);

    // Exactly once across the whole run: one item per unit, kind and milestone.
    const { rows } = await stack.db.query(
      `SELECT unit, kind, count(*)::int AS n FROM inbox_items WHERE request_id = ANY($1::uuid[])
        AND kind IN ('deadline_warning', 'escalation') GROUP BY unit, kind, source HAVING count(*) > 1`,
      [[outbound, inbound]],
    );
    expect(rows).toEqual([]);
  });

  it('assigns a foreign request to another unit: into its inbox and list, logged with who and why', async () => {
    const id = await partnerSends(partnerRequest());
    await waitFor(
      async () => (await inbox(antwerp)).some((i) => i.requestId === id && i.kind === 'inbound_request'),
      'the request in the contact point inbox',
    );
    expect((await listAll(antwerp, 'direction=inbound')).map((i) => i.id)).toContain(id);
    expect((await listAll(cyber, 'direction=inbound')).map((i) => i.id)).not.toContain(id);
    const cyberStream = await stream(cyber);

    const refused = await api(intake, 'POST', `/v1/requests/${id}/assign`, {
      token: antwerp,
      body: { unit: 'DJSOC-CYBER', reason: 'not ours' },
    });
    expect(refused.status).toBe(403);
    const invalid = await api<{ error: { details: { path: string }[] } }>(
      intake,
      'POST',
      `/v1/requests/${id}/assign`,
      { token: operator, body: { unit: 'not a unit', reason: '' } },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((d) => d.path).sort()).toEqual(['reason', 'unit']);

    const assigned = await api<{ unit: string; previousUnit: string }>(
      intake,
      'POST',
      `/v1/requests/${id}/assign`,
      {
        token: operator,
        body: { unit: 'DJSOC-CYBER', reason: 'Dark-web marketplace angle: cyber unit' },
      },
    );
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ unit: 'DJSOC-CYBER', previousUnit: 'FGP-ANTWERPEN' });
    expect((await inbox(cyber)).filter((i) => i.requestId === id).map((i) => i.kind)).toEqual(['assignment']);
    await waitFor(
      async () =>
        cyberStream.json<InboxItem>('inbox').some((i) => i.requestId === id && i.kind === 'assignment'),
      'the assignment on the new unit stream',
    );
    const cyberList = await listAll(cyber, 'direction=inbound');
    expect(cyberList.find((i) => i.id === id)).toMatchObject({
      unit: 'DJSOC-CYBER',
      targetCountries: ['NL'],
    });
    expect((await api(intake, 'GET', `/v1/requests/${id}`, { token: cyber })).status).toBe(200);

    const view = await api<{ history: HistoryEntry[] }>(intake, 'GET', `/v1/requests/${id}`, {
      token: operator,
    });
    expect(view.body.history.find((h) => h.kind === 'assigned')).toMatchObject({
      from: 'FGP-ANTWERPEN',
      to: 'DJSOC-CYBER',
      reason: 'Dark-web marketplace angle: cyber unit',
      by: 'test-cgi-spoc',
    });
    const entry = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE request_id = $1 AND kind = 'assigned'`,
        [id],
      );
      return rows[0] ? (JSON.parse(rows[0].entry) as Record<string, unknown>) : undefined;
    }, 'the assignment logged');
    // The reason is the operator's free text about the case: the entry holds it sealed under the
    // request's data key (SPEC §10), readable while the key is there.
    expect(entry).toMatchObject({
      actor: { person: 'test-cgi-spoc', unit: 'CGI-SPOC' },
      justification: expect.stringMatching(/^ixr-sealed:v1:/),
      recipients: ['DJSOC-CYBER'],
    });
    const db = {
      query: async (sql: string, params?: unknown[]): Promise<unknown> =>
        (await stack.db.query(sql, params)).rows,
    };
    const vault = new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, false);
    expect((await openForView(entry, (keyId) => vault.find(db, keyId))).value).toMatchObject({
      justification: 'Dark-web marketplace angle: cyber unit',
    });

    const again = await api(intake, 'POST', `/v1/requests/${id}/assign`, {
      token: operator,
      body: { unit: 'DJSOC-CYBER', reason: 'twice' },
    });
    expect(again.status).toBe(409);
    const outbound = await submit(own);
    expect(
      (
        await api(intake, 'POST', `/v1/requests/${outbound}/assign`, {
          token: operator,
          body: { unit: 'DJSOC-CYBER', reason: 'x' },
        })
      ).status,
    ).toBe(409);
  });
});
