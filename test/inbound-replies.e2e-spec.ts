import { randomUUID } from 'node:crypto';
import {
  derivePartnerKey,
  DEV_PARTNER_KEY_SEED,
  SIGNATURE_HEADER,
  signPartnerMessage,
  TIMESTAMP_HEADER,
} from '@ixr/messaging';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { partnerRequest } from './support/partner-request';

interface ReplyView {
  id: string;
  direction: string;
  channel: string;
  partner: string;
  inReplyTo: string;
  status: string;
  late: boolean;
  text: string;
}
interface RequestView {
  status: string;
  origin: {
    direction: string;
    assignedUnit: string | null;
    originChannel: string | null;
    originPartner: string | null;
    originCountry: string | null;
  };
  deadline: { basis: string };
  decision: {
    routes: { channel: string; destination: string; role: string; ruleId: string; reason: string }[];
  };
  deliveries: { channel: string; destination: string; status: string }[];
  replies: ReplyView[];
}

/**
 * SPEC §4.4 on the running system: partners' requests and answers come in signed through their
 * adapter, go to the right unit or queue, and replies go back the way requests came.
 */
describe('inbound requests, answers and replies', () => {
  const stack = new TestStack();
  let intake: string;
  let simulator: string;
  let inbound: string;
  let contactPoint: string;
  let otherUnit: string;
  let requester: string;
  let operator: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    inbound = stack.url('channel-adapters', '');
    contactPoint = await tokenFor('FGP-ANTWERPEN', ['requester'], 'federal');
    otherUnit = await tokenFor('PZ-5339', ['requester']);
    requester = otherUnit;
    operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
  });
  afterAll(() => stack.stop());

  async function partnerSends(channel: string, partner: string, message: Record<string, unknown>) {
    const res = await api<{
      messageId: string;
      ixr: { status: number; body: { reference: string; error?: { details: { path: string }[] } } };
    }>(simulator, 'POST', `/simulator/partners/${channel}/${partner}/send`, { body: message });
    expect(res.status).toBe(200);
    return res.body;
  }

  async function viewWhen(id: string, token: string, ready: (v: RequestView) => boolean, what: string) {
    return waitFor(async () => {
      const res = await api<RequestView>(intake, 'GET', `/v1/requests/${id}`, { token });
      return res.status === 200 && ready(res.body) ? res.body : undefined;
    }, what);
  }

  it('routes a foreign request to the contact point of its theme and region, on the same deadline clock', async () => {
    const sent = await partnerSends('siena', 'NL', partnerRequest());
    expect(sent.ixr.status).toBe(202);
    const id = sent.ixr.body.reference;
    const view = await viewWhen(
      id,
      contactPoint,
      (v) => v.deliveries.length > 0,
      'the inbound request routed',
    );
    expect(view.origin).toMatchObject({
      direction: 'inbound',
      assignedUnit: 'FGP-ANTWERPEN',
      originChannel: 'siena',
    });
    expect(view.decision.routes).toEqual([
      expect.objectContaining({
        channel: 'national_unit',
        destination: 'FGP-ANTWERPEN',
        ruleId: 'IN-CONTACT-POINT',
      }),
    ]);
    expect(view.deliveries).toEqual([
      expect.objectContaining({ destination: 'FGP-ANTWERPEN', status: 'delivered' }),
    ]);
    expect(view.deadline.basis).toBe('standard_7d');
    expect((await api(intake, 'GET', `/v1/requests/${id}`, { token: otherUnit })).status).toBe(403);
    const inbox = await stack.db.query(`SELECT unit FROM unit_inbox WHERE request_id = $1`, [id]);
    expect(inbox.rows).toEqual([{ unit: 'FGP-ANTWERPEN' }]);
    const kinds = await waitFor(async () => {
      const { rows } = await stack.db.query<{ kind: string }>(
        // Reads (and refused reads) of the request are logged too; the exchange's own steps are checked here.
        `SELECT kind FROM exchange_log WHERE request_id = $1 AND kind NOT IN ('consulted', 'denied') ORDER BY seq`,
        [id],
      );
      return rows.length >= 3 ? rows.map((r) => r.kind) : undefined;
    }, 'the inbound log entries');
    expect(kinds).toEqual(['received', 'routed', 'delivered']);
  });

  it('sends a request no contact point covers to the SPOC duty desk', async () => {
    const sent = await partnerSends(
      'interpol',
      'US',
      partnerRequest({ offence: { category: 'other', description: 'Threats online' }, region: undefined }),
    );
    const id = sent.ixr.body.reference;
    const view = await viewWhen(id, operator, (v) => v.deliveries.length > 0, 'routed to the duty desk');
    expect(view.decision.routes).toEqual([
      expect.objectContaining({ destination: 'CGI-SPOC', ruleId: 'IN-SPOC-DUTY-DESK' }),
    ]);
    expect(view.deadline.basis).toBe('none');
  });

  it('sends the contact point’s reply back over the channel the request came on, once', async () => {
    const sent = await partnerSends('siena', 'NL', partnerRequest());
    const id = sent.ixr.body.reference;
    await viewWhen(id, contactPoint, (v) => v.deliveries.length > 0, 'the inbound request routed');

    const bad = await api<{ error: { details: { path: string }[] } }>(
      intake,
      'POST',
      `/v1/requests/${id}/replies`,
      {
        token: contactPoint,
        body: { text: '', handlingCode: 'H9', extra: 1 },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(
      ['(body)', 'handlingCode', 'text'].sort(),
    );
    expect(
      (
        await api(intake, 'POST', `/v1/requests/${id}/replies`, {
          token: otherUnit,
          body: { text: 'x', handlingCode: 'H1' },
        })
      ).status,
    ).toBe(403);

    const reply = await api<{ id: string; channel: string; destination: string }>(
      intake,
      'POST',
      `/v1/requests/${id}/replies`,
      {
        token: contactPoint,
        body: { text: 'The subject lives at an address known to us.', handlingCode: 'H2' },
      },
    );
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ channel: 'siena', destination: 'NL' });

    const view = await viewWhen(
      id,
      contactPoint,
      (v) => v.replies[0]?.status === 'delivered',
      'the reply delivered',
    );
    expect(view.status).toBe('answered');
    expect(view.replies[0]).toMatchObject({
      direction: 'outbound',
      channel: 'siena',
      partner: 'NL',
      inReplyTo: sent.messageId,
    });
    const received = await api<
      {
        channel: string;
        destination: string;
        idempotencyKey: string;
        message: { inReplyTo: string; handlingCode: string };
      }[]
    >(simulator, 'GET', `/simulator/messages?inReplyTo=${sent.messageId}`);
    expect(received.body).toHaveLength(1);
    expect(received.body[0]).toMatchObject({
      channel: 'siena',
      destination: 'NL',
      idempotencyKey: reply.body.id,
    });
    expect(received.body[0].message.handlingCode).toBe('H2');
    const counts = await api<{ counts: Record<string, number> }>(simulator, 'POST', '/simulator/counts', {
      body: { keys: [reply.body.id] },
    });
    expect(counts.body.counts[reply.body.id]).toBe(1);
    const kinds = await waitFor(async () => {
      const { rows } = await stack.db.query<{ kind: string }>(
        // Reads of the request are logged too (`consulted`); the exchange's own steps are checked here.
        `SELECT kind FROM exchange_log WHERE request_id = $1 AND kind NOT IN ('consulted', 'denied') ORDER BY seq`,
        [id],
      );
      const logged = rows.map((r) => r.kind);
      return logged.includes('responded') && logged.lastIndexOf('delivered') > 2 ? logged : undefined;
    }, 'the reply and its delivery logged');
    expect(kinds.slice(0, 3)).toEqual(['received', 'routed', 'delivered']);
    // The reply (`responded`, an audit event) and its delivery (an outcome event) reach the log over
    // two topics: either may be appended first.
    expect([...kinds.slice(3)].sort()).toEqual(['delivered', 'responded']);
  });

  it('honours Idempotency-Key on replies: the same reply twice is sent once, another reply under the key is refused', async () => {
    const sent = await partnerSends('siena', 'NL', partnerRequest());
    const id = sent.ixr.body.reference;
    await viewWhen(id, contactPoint, (v) => v.deliveries.length > 0, 'the inbound request routed');
    const key = `reply-${randomUUID()}`;
    const body = { text: 'Two addresses are known to us.', handlingCode: 'H1' };
    const post = (replyBody: Record<string, unknown>, requestId = id) =>
      api<{ id: string; status: string; error?: { code: string } }>(
        intake,
        'POST',
        `/v1/requests/${requestId}/replies`,
        { token: contactPoint, body: replyBody, headers: { 'idempotency-key': key } },
      );

    // Sent twice at once (a client retrying on a timeout), then once more after.
    const [first, second] = await Promise.all([post(body), post(body)]);
    const third = await post(body);
    for (const res of [first, second, third]) expect(res.status).toBe(202);
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
    expect(third.headers.get('idempotent-replayed')).toBe('true');

    const changed = await post({ ...body, text: 'Three addresses are known to us.' });
    expect(changed.status).toBe(409);
    expect(changed.body.error?.code).toBe('INTAKE.IDEMPOTENCY_CONFLICT');
    const other = await partnerSends('siena', 'NL', partnerRequest());
    await viewWhen(
      other.ixr.body.reference,
      contactPoint,
      (v) => v.deliveries.length > 0,
      'the other routed',
    );
    expect((await post(body, other.ixr.body.reference)).status).toBe(409);

    const view = await viewWhen(
      id,
      contactPoint,
      (v) => v.replies.some((r) => r.status === 'delivered'),
      'the reply delivered',
    );
    expect(view.replies).toHaveLength(1);
    const counts = await api<{ counts: Record<string, number> }>(simulator, 'POST', '/simulator/counts', {
      body: { keys: [first.body.id] },
    });
    expect(counts.body.counts[first.body.id]).toBe(1);
    const received = await api<unknown[]>(
      simulator,
      'GET',
      `/simulator/messages?inReplyTo=${sent.messageId}`,
    );
    expect(received.body).toHaveLength(1);
    // Written in the transaction of the reply itself: one reply row, one `responded` entry.
    const responded = await waitFor(async () => {
      const { rows } = await stack.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM exchange_log WHERE request_id = $1 AND kind = 'responded'`,
        [id],
      );
      return Number(rows[0].n) || undefined;
    }, 'the responded entry');
    expect(responded).toBe(1);
    const stored = await stack.db.query(`SELECT id FROM replies WHERE request_id = ANY($1::uuid[])`, [
      [id, other.ixr.body.reference],
    ]);
    expect(stored.rows).toEqual([{ id: first.body.id }]);
  });

  describe.each([
    {
      who: 'a police and customs cooperation centre',
      channel: 'pccc',
      partner: 'PCCC-HEERLEN',
      fields: {
        originCountry: 'NL',
        region: 'liege',
        offence: { category: 'motor_vehicle_crime', description: 'Stolen vans crossing at Kerkrade' },
      },
      unit: 'PJF-LIEGE',
      originCountry: 'NL',
      basis: 'standard_7d',
      reason: /^Request from PCCC Heerlen, for Netherlands \(PCCC-HEERLEN\) about motor_vehicle_crime/,
      format: { format: 'PCCC', centre: 'PCCC-HEERLEN' },
    },
    {
      who: 'a liaison post',
      channel: 'liaison_officer',
      partner: 'LO-WASHINGTON',
      fields: { region: undefined, offence: { category: 'cybercrime', description: 'Ransomware servers' } },
      unit: 'DJSOC-CYBER',
      originCountry: 'US',
      basis: 'none',
      reason: /^Request from liaison post Washington, for United States \(LO-WASHINGTON\)/,
      format: { format: 'LIAISON', post: 'LO-WASHINGTON' },
    },
    {
      who: 'Europol',
      channel: 'europol',
      partner: 'EUROPOL',
      fields: { region: undefined, offence: { category: 'terrorism', description: 'Cross-match report' } },
      unit: 'DJSOC-TERRO',
      originCountry: null,
      basis: 'standard_7d',
      reason: /^Request from Europol \(EUROPOL\) about terrorism/,
      format: { format: 'SIENA', recipient: 'EUROPOL' },
    },
  ])('a request from $who', (c) => {
    it('goes to the contact point of its theme and region, and the reply goes back to that partner over its channel', async () => {
      const sent = await partnerSends(c.channel, c.partner, partnerRequest(c.fields));
      expect(sent.ixr.status).toBe(202);
      const id = sent.ixr.body.reference;
      const unit = await tokenFor(c.unit, ['requester'], 'federal');
      const view = await viewWhen(
        id,
        unit,
        (v) => v.deliveries.length > 0,
        `the request of ${c.partner} routed`,
      );
      expect(view.origin).toEqual({
        direction: 'inbound',
        assignedUnit: c.unit,
        originChannel: c.channel,
        originPartner: c.partner,
        originCountry: c.originCountry,
      });
      expect(view.decision.routes).toEqual([
        expect.objectContaining({
          channel: 'national_unit',
          destination: c.unit,
          ruleId: 'IN-CONTACT-POINT',
        }),
      ]);
      expect(view.decision.routes[0].reason).toMatch(c.reason);
      expect(view.deadline.basis).toBe(c.basis);

      const reply = await api<{ id: string; channel: string; destination: string }>(
        intake,
        'POST',
        `/v1/requests/${id}/replies`,
        { token: unit, body: { text: 'Nothing known here.', handlingCode: 'H1' } },
      );
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ channel: c.channel, destination: c.partner });
      await viewWhen(id, unit, (v) => v.replies[0]?.status === 'delivered', 'the reply delivered');
      const received = await api<
        { channel: string; destination: string; message: Record<string, unknown> }[]
      >(simulator, 'GET', `/simulator/messages?inReplyTo=${sent.messageId}`);
      expect(received.body).toEqual([
        expect.objectContaining({
          channel: c.channel,
          destination: c.partner,
          message: expect.objectContaining({ ...c.format, inReplyTo: sent.messageId }),
        }),
      ]);
    });
  });

  it('refuses a request from a partner the directory does not know, or that does not say for which state', async () => {
    const unknown = await partnerSends('pccc', 'PCCC-VIENNA', partnerRequest());
    expect(unknown.ixr.status).toBe(401);
    const wrongChannel = await partnerSends('siena', 'EUROPOL', partnerRequest());
    expect(wrongChannel.ixr.status).toBe(401);
    // Heerlen serves DE and NL: the centre must say which state asks.
    const unnamed = await partnerSends('pccc', 'PCCC-HEERLEN', partnerRequest());
    expect(unnamed.ixr.status).toBe(400);
    expect(unnamed.ixr.body.error?.details.map((d) => d.path)).toEqual(['originCountry']);
    const { rows } = await stack.db.query(`SELECT 1 FROM inbound_messages WHERE message_id = ANY($1)`, [
      [unknown.messageId, wrongChannel.messageId, unnamed.messageId],
    ]);
    expect(rows).toEqual([]);
  });

  it('attaches the answers of a PCCC and of Europol to our request', async () => {
    for (const partner of ['pccc/PCCC-TOURNAI', 'europol/EUROPOL'])
      await api(simulator, 'PUT', `/simulator/partners/${partner}`, {
        body: { mode: 'ok', answerAfterMs: 200 },
      });
    try {
      // A border-region matter with France: the Tournai centre, and the Europol copy (BE and FR).
      const own = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
        token: requester,
        body: requestBody({ targetCountries: ['FR'], borderRegion: true }),
      });
      expect(own.status).toBe(202);
      const view = await viewWhen(
        own.body.id,
        requester,
        (v) => v.replies.length >= 2,
        'both answers attached',
      );
      expect(view.status).toBe('answered');
      expect(view.replies.map((r) => `${r.direction} ${r.channel}/${r.partner}`).sort()).toEqual([
        'inbound europol/EUROPOL',
        'inbound pccc/PCCC-TOURNAI',
      ]);
    } finally {
      for (const partner of ['pccc/PCCC-TOURNAI', 'europol/EUROPOL'])
        await api(simulator, 'PUT', `/simulator/partners/${partner}`, { body: { mode: 'ok' } });
    }
  });

  it('refuses a reply to one of our own requests', async () => {
    const own = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody(),
    });
    const res = await api<{ error: { code: string } }>(
      intake,
      'POST',
      `/v1/requests/${own.body.id}/replies`,
      {
        token: operator,
        body: { text: 'no', handlingCode: 'H1' },
      },
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('REPLY.NOT_ACCEPTED');
  });

  it('refuses unsigned, badly signed, stale and replayed partner messages, storing nothing', async () => {
    const count = async () =>
      Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM inbound_messages`)).rows[0].n);
    const before = await count();
    const partner = { channel: 'siena', id: 'NL' };
    const key = derivePartnerKey(DEV_PARTNER_KEY_SEED, partner);
    const body = JSON.stringify({ ...partnerRequest(), messageId: `replay-${randomUUID()}` });
    const now = String(Math.floor(Date.now() / 1000));
    const post = (headers: Record<string, string>, raw = body) =>
      api<{ error: { code: string } }>(inbound, 'POST', '/inbound/siena/NL', {
        rawBody: raw,
        headers: { 'content-type': 'application/json', ...headers },
      });

    expect((await post({})).body.error.code).toBe('INBOUND.SIGNATURE_MISSING');
    const forged = await post({
      [TIMESTAMP_HEADER]: now,
      [SIGNATURE_HEADER]: signPartnerMessage('wrong-key', partner, now, body),
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('INBOUND.SIGNATURE_MISMATCH');
    const otherPartner = await post({
      [TIMESTAMP_HEADER]: now,
      [SIGNATURE_HEADER]: signPartnerMessage(key, { channel: 'siena', id: 'DE' }, now, body),
    });
    expect(otherPartner.body.error.code).toBe('INBOUND.SIGNATURE_MISMATCH');
    const old = String(Number(now) - 3600);
    expect(
      (
        await post({
          [TIMESTAMP_HEADER]: old,
          [SIGNATURE_HEADER]: signPartnerMessage(key, partner, old, body),
        })
      ).body.error.code,
    ).toBe('INBOUND.SIGNATURE_STALE');
    const tampered = body.replace('Piet', 'Paul');
    expect(
      (
        await post(
          { [TIMESTAMP_HEADER]: now, [SIGNATURE_HEADER]: signPartnerMessage(key, partner, now, body) },
          tampered,
        )
      ).status,
    ).toBe(401);
    expect(await count()).toBe(before);

    const signed = {
      [TIMESTAMP_HEADER]: now,
      [SIGNATURE_HEADER]: signPartnerMessage(key, partner, now, body),
    };
    expect((await post(signed)).status).toBe(202);
    const replay = await post(signed);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('INBOUND.REPLAYED');
    expect(await count()).toBe(before + 1);

    const invalid = JSON.stringify({ kind: 'request', messageId: `bad-${randomUUID()}` });
    const refused = await post(
      { [TIMESTAMP_HEADER]: now, [SIGNATURE_HEADER]: signPartnerMessage(key, partner, now, invalid) },
      invalid,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INBOUND.INVALID_MESSAGE');
    expect(await count()).toBe(before + 1);
  });

  it('attaches a partner’s answer to our request across a router restart, and notifies the requesting unit', async () => {
    await api(simulator, 'PUT', '/simulator/partners/siena/DE', {
      body: { mode: 'ok', answerAfterMs: 4000 },
    });
    const own = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['DE'] }),
    });
    expect(own.status).toBe(202);
    await viewWhen(own.body.id, requester, (v) => v.status === 'delivered', 'our request delivered');
    // The correlation is in PostgreSQL: a router restarted before the answer still attaches it.
    await stack.restart('router');
    const view = await viewWhen(own.body.id, requester, (v) => v.replies.length > 0, 'the answer attached');
    expect(view.status).toBe('answered');
    expect(view.replies[0]).toMatchObject({
      direction: 'inbound',
      channel: 'siena',
      partner: 'DE',
      late: false,
    });
    const inbox = await stack.db.query(
      `SELECT unit, role FROM unit_inbox WHERE request_id = $1 AND role = 'answer'`,
      [own.body.id],
    );
    expect(inbox.rows).toEqual([{ unit: 'PZ-5339', role: 'answer' }]);
  });

  it('keeps a late answer, marked late', async () => {
    const own = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['AT'] }),
    });
    await viewWhen(own.body.id, requester, (v) => v.status === 'delivered', 'our request delivered');
    // The router judges lateness by its own record of the deadline it set.
    await stack.db.query(`UPDATE requests SET deadline_at = now() - interval '1 hour' WHERE id = $1`, [
      own.body.id,
    ]);
    await stack.db.query(
      `UPDATE routed_requests SET deadline_at = now() - interval '1 hour' WHERE request_id = $1`,
      [own.body.id],
    );
    await partnerSends('siena', 'AT', {
      kind: 'answer',
      inReplyTo: own.body.id,
      handlingCode: 'H1',
      language: 'de',
      text: 'Spät, aber hier.',
    });
    const view = await viewWhen(
      own.body.id,
      requester,
      (v) => v.replies.length > 0,
      'the late answer attached',
    );
    expect(view.replies[0]).toMatchObject({ late: true, text: 'Spät, aber hier.' });
  });

  it('refuses an answer from a partner the request was not sent to (403), and logs the attempt', async () => {
    const own = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['AT'] }),
    });
    expect(own.status).toBe(202);
    await viewWhen(own.body.id, requester, (v) => v.status === 'delivered', 'our request delivered');
    const wrong = await partnerSends('siena', 'LU', {
      kind: 'answer',
      inReplyTo: own.body.id,
      handlingCode: 'H0',
      language: 'fr',
      text: 'Une réponse qui ne nous était pas demandée',
    });
    expect(wrong.ixr.status).toBe(403);
    expect(JSON.stringify(wrong.ixr.body)).toContain('INBOUND.NOT_ADDRESSEE');
    const logged = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE kind = 'denied' AND request_id = $1`,
        [own.body.id],
      );
      return rows[0];
    }, 'the refused answer in the exchange log');
    expect(logged.entry).toContain('siena/LU');
    // The real partner's answer still attaches.
    const right = await partnerSends('siena', 'AT', {
      kind: 'answer',
      inReplyTo: own.body.id,
      handlingCode: 'H0',
      language: 'de',
      text: 'Antwort',
    });
    expect(right.ixr.status).toBe(202);
    const view = await viewWhen(
      own.body.id,
      requester,
      (v) => v.replies.length > 0,
      'the right answer attached',
    );
    expect(view.replies.map((r) => `${r.channel}/${r.partner}`)).toEqual(['siena/AT']);
  });

  it('puts an answer to an unknown request in the SPOC queue', async () => {
    const unknown = randomUUID();
    const sent = await partnerSends('siena', 'FR', {
      kind: 'answer',
      inReplyTo: unknown,
      handlingCode: 'H0',
      language: 'fr',
      text: 'Réponse',
    });
    expect(sent.ixr.status).toBe(202);
    const queued = await waitFor(async () => {
      const res = await api<{ answers: { inReplyTo: string; partner: string }[] }>(
        intake,
        'GET',
        '/v1/replies/unmatched',
        {
          token: operator,
        },
      );
      return res.body.answers?.find((a) => a.inReplyTo === unknown);
    }, 'the answer in the SPOC queue');
    expect(queued.partner).toBe('FR');
    expect((await api(intake, 'GET', '/v1/replies/unmatched', { token: requester })).status).toBe(403);
    const logged = await waitFor(async () => {
      const { rows } = await stack.db.query<{ entry: string }>(
        `SELECT entry FROM exchange_log WHERE kind = 'received' AND request_id IS NULL AND entry LIKE $1`,
        [`%${unknown}%`],
      );
      return rows[0]?.entry;
    }, 'the SPOC-queue entry');
    expect(logged).toMatch(/spoc_queue/);
  });
});
