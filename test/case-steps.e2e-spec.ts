import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { partnerRequest } from './support/partner-request';

interface CaseMessage {
  id: string;
  kind: string;
  direction: string;
  channel: string;
  partner: string;
  status: string;
  text: string;
  ground?: string;
  partial?: boolean;
  expectedBy?: string;
  clarificationOf?: string;
  closedAt?: string | null;
}
interface RequestView {
  status: string;
  deadline: { at: string | null; basis: string; suspended: boolean };
  decision: { routes: { channel: string; destination: string }[] } | null;
  deliveries: { id: string; channel: string; destination: string; status: string }[];
  replies: CaseMessage[];
}
interface SimMessage {
  channel: string;
  destination: string;
  idempotencyKey: string;
  message: Record<string, unknown>;
}
interface TimelineEntry {
  seq: number;
  kind: string;
  details: Record<string, unknown>;
}

const NATIONAL = new Set(['national_unit', 'national_spoc']);

/**
 * The whole case of Directive 2023/977 on the running system (SPEC §8), against the partner
 * simulator: every message to a partner is logged before it leaves, reaches the partner once, and
 * shows in the request's view and its timeline.
 */
describe('the case: refusals, clarifications, delay notices, withdrawals', () => {
  const stack = new TestStack();
  let intake: string;
  let simulator: string;
  let contactPoint: string;
  let requester: string;
  let auditor: string;

  beforeAll(async () => {
    await stack.start();
    intake = stack.url('intake-api', '');
    simulator = stack.url('partner-simulator', '');
    contactPoint = await tokenFor('FGP-ANTWERPEN', ['requester'], 'federal');
    requester = await tokenFor('PZ-5339', ['requester']);
    auditor = await tokenFor('AIG-AUDIT', ['auditor'], 'federal');
  });
  afterAll(async () => {
    await api(simulator, 'DELETE', '/simulator/partners');
    await stack.stop();
  });

  async function partnerSends(partner: string, message: Record<string, unknown>) {
    const res = await api<{ messageId: string; ixr: { status: number; body: { reference: string } } }>(
      simulator,
      'POST',
      `/simulator/partners/siena/${partner}/send`,
      { body: message },
    );
    expect(res.status).toBe(200);
    expect(res.body.ixr.status).toBe(202);
    return res.body;
  }

  async function viewWhen(id: string, token: string, ready: (v: RequestView) => boolean, what: string) {
    return waitFor(async () => {
      const res = await api<RequestView>(intake, 'GET', `/v1/requests/${id}`, { token });
      return res.status === 200 && ready(res.body) ? res.body : undefined;
    }, what);
  }

  /** What the partners received about one request (by our request id or their message id). */
  async function partnerGot(filter: (m: SimMessage) => boolean, count: number, what: string) {
    return waitFor(async () => {
      const res = await api<SimMessage[]>(simulator, 'GET', '/simulator/messages');
      const found = res.body.filter(filter);
      return found.length >= count ? found : undefined;
    }, what);
  }

  async function timeline(id: string, kinds: number): Promise<TimelineEntry[]> {
    return waitFor(async () => {
      const res = await api<{ entries: TimelineEntry[] }>(
        intake,
        'GET',
        `/v1/audit/requests/${id}/timeline`,
        {
          token: auditor,
          headers: { 'x-justification': 'case 2026/88 review' },
        },
      );
      const steps = res.body.entries?.filter((e) => !['consulted', 'denied'].includes(e.kind)) ?? [];
      return steps.length >= kinds ? steps : undefined;
    }, `${kinds} steps in the timeline of ${id}`);
  }

  async function counts(keys: string[]): Promise<Record<string, number>> {
    const res = await api<{ counts: Record<string, number> }>(simulator, 'POST', '/simulator/counts', {
      body: { keys },
    });
    return res.body.counts;
  }

  it('plays an inbound case: the partner asks, we ask for clarification (clock paused), it answers, we give notice of a delay, then refuse on a ground', async () => {
    const sent = await partnerSends('NL', partnerRequest());
    const id = sent.ixr.body.reference;
    const asked = await viewWhen(id, contactPoint, (v) => v.deliveries.length > 0, 'the request routed');
    const firstDeadline = new Date(asked.deadline.at!).getTime();
    expect(asked.deadline.suspended).toBe(false);

    // Another unit may not take the case's steps.
    const stranger = await api(intake, 'POST', `/v1/requests/${id}/clarifications`, {
      token: requester,
      body: { question: 'Who?' },
    });
    expect(stranger.status).toBe(403);
    const badGround = await api<{ error: { details: { path: string }[] } }>(
      intake,
      'POST',
      `/v1/requests/${id}/refusal`,
      { token: contactPoint, body: { ground: 'too_busy', reason: 'No' } },
    );
    expect(badGround.status).toBe(400);
    expect(badGround.body.error.details.map((d) => d.path)).toContain('ground');

    // We ask for clarification: the deadline is suspended until the partner answers.
    const question = await api<{ status: string; messages: { id: string }[] }>(
      intake,
      'POST',
      `/v1/requests/${id}/clarifications`,
      { token: contactPoint, body: { question: 'Which address: the request names two cities' } },
    );
    expect(question.status).toBe(202);
    expect(question.body.status).toBe('awaiting_clarification');
    const [asking] = await partnerGot(
      (m) => m.idempotencyKey === question.body.messages[0].id,
      1,
      'the question at the partner',
    );
    expect(asking).toMatchObject({ channel: 'siena', destination: 'NL' });
    expect(asking.message).toMatchObject({ kind: 'clarification', inReplyTo: sent.messageId });
    const paused = await viewWhen(id, contactPoint, (v) => v.deadline.suspended, 'the deadline suspended');
    expect(paused.status).toBe('awaiting_clarification');
    const { rows: suspended } = await stack.db.query(
      `SELECT count(*)::int AS n FROM deadline_milestones WHERE request_id = $1 AND suspended_at IS NOT NULL`,
      [id],
    );
    expect(suspended[0].n).toBeGreaterThan(0);

    // The partner answers: the clock resumes with the time that was left (the deadline moves on).
    const answered = await partnerSends('NL', {
      kind: 'clarification_answer',
      inReplyTo: sent.messageId,
      language: 'en',
      answer: 'Antwerp only',
    });
    const resumed = await viewWhen(
      id,
      contactPoint,
      (v) => !v.deadline.suspended && v.replies.some((r) => r.kind === 'clarification_answer'),
      'the clock resumed',
    );
    expect(resumed.status).toBe('delivered');
    expect(new Date(resumed.deadline.at!).getTime()).toBeGreaterThan(firstDeadline);
    expect(resumed.replies.find((r) => r.kind === 'clarification')?.closedAt).not.toBeNull();
    expect(resumed.replies.find((r) => r.id === answered.ixr.body.reference)).toMatchObject({
      direction: 'inbound',
      text: 'Antwerp only',
      clarificationOf: question.body.messages[0].id,
    });

    // Judicial authorisation delays the answer: notice, twice (repeatable), with the expected date.
    const notices: string[] = [];
    for (const days of [3, 5]) {
      const expectedBy = new Date(Date.now() + days * 86_400_000).toISOString();
      const notice = await api<{ messages: { id: string }[] }>(
        intake,
        'POST',
        `/v1/requests/${id}/delay-notice`,
        {
          token: contactPoint,
          body: { reason: 'Authorisation of the investigating judge needed', expectedBy },
        },
      );
      expect(notice.status).toBe(202);
      notices.push(notice.body.messages[0].id);
    }
    const past = await api(intake, 'POST', `/v1/requests/${id}/delay-notice`, {
      token: contactPoint,
      body: { reason: 'Late', expectedBy: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);

    // Then the refusal, on a ground, back over the channel of origin.
    const refusal = await api<{ status: string; messages: { id: string }[] }>(
      intake,
      'POST',
      `/v1/requests/${id}/refusal`,
      {
        token: contactPoint,
        body: { ground: 'judicial_authorisation_refused', reason: 'The judge refused' },
      },
    );
    expect(refusal.status).toBe(202);
    expect(refusal.body.status).toBe('refused');
    const again = await api(intake, 'POST', `/v1/requests/${id}/refusal`, {
      token: contactPoint,
      body: { ground: 'not_available', reason: 'Twice' },
    });
    expect(again.status).toBe(409);
    const outgoing = [question.body.messages[0].id, ...notices, refusal.body.messages[0].id];
    const received = await partnerGot(
      (m) => outgoing.includes(m.idempotencyKey),
      4,
      'every message at the partner',
    );
    expect(received.find((m) => m.idempotencyKey === refusal.body.messages[0].id)?.message).toMatchObject({
      kind: 'refusal',
      ground: 'judicial_authorisation_refused',
      partial: false,
      inReplyTo: sent.messageId,
    });
    const refused = await viewWhen(
      id,
      contactPoint,
      (v) => v.replies.filter((r) => r.direction === 'outbound').every((r) => r.status === 'delivered'),
      'every message delivered',
    );
    expect(refused.status).toBe('refused');

    // Each step in the timeline, in order; each message logged before it reached the partner.
    // The partner's acknowledgements of our four messages are `delivered` entries too.
    const steps = await timeline(id, 12);
    expect(steps.filter((e) => e.kind === 'delivered')).toHaveLength(5);
    expect(steps.filter((e) => e.kind !== 'delivered').map((e) => e.kind)).toEqual([
      'received',
      'routed',
      'clarification_requested',
      'clarification_answered',
      'delay_notified',
      'delay_notified',
      'refused',
    ]);
    expect(steps.find((e) => e.kind === 'refused')?.details).toMatchObject({
      ground: 'judicial_authorisation_refused',
      partial: false,
    });
    // Each message's acknowledgement comes after its own entry: logged first, then sent.
    for (const messageId of [question.body.messages[0].id, refusal.body.messages[0].id]) {
      const logged = steps.findIndex((e) => e.details.replyId === messageId);
      const acknowledged = steps.findIndex(
        (e) => e.kind === 'delivered' && e.details.deliveryId === messageId,
      );
      expect(logged).toBeGreaterThanOrEqual(0);
      expect(acknowledged).toBeGreaterThan(logged);
    }
    const { rows: released } = await stack.db.query<{ id: string; released_seq: number }>(
      `SELECT (e.entry::jsonb -> 'details' ->> 'replyId') AS id, e.seq AS released_seq
         FROM exchange_log e WHERE e.request_id = $1 AND e.entry::jsonb -> 'details' ->> 'direction' = 'outbound'`,
      [id],
    );
    expect(released.map((r) => r.id).sort()).toEqual([...outgoing].sort());
    // Exactly once at the partner.
    expect(Object.values(await counts(outgoing))).toEqual([1, 1, 1, 1]);
    const verify = await api<{ ok: boolean }>(intake, 'GET', '/v1/audit/verify', {
      token: auditor,
      headers: { 'x-justification': 'case 2026/88 review' },
    });
    expect(verify.body.ok).toBe(true);
  });

  it('plays an outbound case: the partner asks, we answer, it notifies a delay and refuses in part; we withdraw, and the delivery not yet made is never sent', async () => {
    // DE is away: its delivery waits.
    await api(simulator, 'PUT', '/simulator/partners/siena/DE', { body: { mode: 'fail' } });
    const submitted = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['NL', 'DE'] }),
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    const routed = await viewWhen(
      id,
      requester,
      (v) => v.deliveries.some((d) => d.destination === 'NL' && d.status === 'delivered'),
      'the delivery to NL made',
    );
    const toDe = routed.deliveries.find((d) => d.destination === 'DE' && d.channel === 'siena');
    expect(toDe?.status).toBe('pending');

    // NL asks for clarification of our request: its clock (our request's deadline) is suspended.
    const asked = await partnerSends('NL', {
      kind: 'clarification',
      inReplyTo: id,
      language: 'en',
      question: 'Date of birth of the subject?',
    });
    const waiting = await viewWhen(
      id,
      requester,
      (v) => v.status === 'awaiting_clarification',
      'the question seen',
    );
    expect(waiting.deadline.suspended).toBe(true);
    const answer = await api<{ messages: { id: string }[] }>(
      intake,
      'POST',
      `/v1/requests/${id}/clarifications`,
      {
        token: requester,
        body: { inReplyTo: asked.ixr.body.reference, answer: '2 April 1980' },
      },
    );
    expect(answer.status).toBe(202);
    await partnerGot((m) => m.idempotencyKey === answer.body.messages[0].id, 1, 'our answer at NL');
    await viewWhen(id, requester, (v) => !v.deadline.suspended, 'the clock resumed');

    // NL gives notice of a delay, then refuses part of the request: the unit sees the ground.
    await partnerSends('NL', {
      kind: 'delay_notice',
      inReplyTo: id,
      language: 'en',
      reason: 'Judicial authorisation needed',
      expectedBy: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await partnerSends('NL', {
      kind: 'refusal',
      inReplyTo: id,
      language: 'en',
      ground: 'data_category',
      partial: true,
      reason: 'Financial data outside the permitted categories',
    });
    const seen = await viewWhen(
      id,
      requester,
      (v) => v.replies.some((r) => r.kind === 'refusal'),
      'the refusal seen by the requesting unit',
    );
    expect(seen.replies.find((r) => r.kind === 'refusal')).toMatchObject({
      direction: 'inbound',
      partner: 'NL',
      ground: 'data_category',
      partial: true,
    });
    expect(seen.replies.find((r) => r.kind === 'delay_notice')?.expectedBy).toBeDefined();

    // We withdraw: every partner told; the delivery to DE, not yet made, is cancelled.
    const other = await api(intake, 'POST', `/v1/requests/${id}/withdraw`, {
      token: contactPoint,
      body: { reason: 'Not mine' },
    });
    expect(other.status).toBe(403);
    const withdrawal = await api<{
      status: string;
      messages: { id: string; channel: string; destination: string }[];
    }>(intake, 'POST', `/v1/requests/${id}/withdraw`, {
      token: requester,
      body: { reason: 'Suspect arrested; no longer needed' },
    });
    expect(withdrawal.status).toBe(202);
    expect(withdrawal.body.status).toBe('withdrawn');
    const partners = routed.decision!.routes.filter((r) => !NATIONAL.has(r.channel));
    expect(withdrawal.body.messages.map((m) => `${m.channel}/${m.destination}`).sort()).toEqual(
      [...new Set(partners.map((r) => `${r.channel}/${r.destination}`))].sort(),
    );
    await api(simulator, 'DELETE', '/simulator/partners'); // DE is back
    const told = await partnerGot(
      (m) => withdrawal.body.messages.some((w) => w.id === m.idempotencyKey),
      withdrawal.body.messages.length,
      'every partner told',
    );
    for (const m of told) expect(m.message).toMatchObject({ kind: 'withdrawal', inReplyTo: id });
    const closed = await viewWhen(
      id,
      requester,
      (v) => v.deliveries.find((d) => d.id === toDe!.id)?.status === 'cancelled',
      'the delivery to DE cancelled',
    );
    expect(closed.status).toBe('withdrawn');
    expect(
      (await api(intake, 'POST', `/v1/requests/${id}/withdraw`, { token: requester, body: { reason: 'x' } }))
        .status,
    ).toBe(409);

    // Each step in the timeline; the cancelled delivery never reached DE.
    const steps = await timeline(id, 0);
    const kinds = steps.map((e) => e.kind);
    for (const kind of [
      'clarification_requested',
      'clarification_answered',
      'delay_notified',
      'refused',
      'withdrawn',
      'cancelled',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(kinds.filter((k) => k === 'withdrawn')).toHaveLength(withdrawal.body.messages.length);
    expect((await counts([toDe!.id]))[toDe!.id]).toBe(0);
    expect(Object.values(await counts(withdrawal.body.messages.map((m) => m.id)))).toEqual(
      withdrawal.body.messages.map(() => 1),
    );
  });

  it("passes received information on only with the originator's consent, and checks languages (Art 11, 12)", async () => {
    const operator = await tokenFor('CGI-SPOC', ['spoc_operator'], 'federal');
    const sent = await partnerSends('NL', { ...partnerRequest(), handlingCode: 'H2' });
    const id = sent.ixr.body.reference;
    await viewWhen(id, operator, (v) => v.deliveries.length > 0, 'the request routed');
    expect(
      (
        await api(intake, 'POST', `/v1/requests/${id}/forward`, {
          token: contactPoint,
          body: { countries: ['DE'] },
        })
      ).status,
    ).toBe(403);
    const refused = await api<{ error: { code: string; message: string } }>(
      intake,
      'POST',
      `/v1/requests/${id}/forward`,
      { token: operator, body: { countries: ['DE'] } },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('ONWARD.CONSENT_REQUIRED');
    expect(refused.body.error.message).toContain('H2');
    const back = await api(intake, 'POST', `/v1/requests/${id}/forward`, {
      token: operator,
      body: { countries: ['NL'], consentReference: 'NL-OK-1' },
    });
    expect(back.status).toBe(400);
    const forwarded = await api<{ messages: { id: string; channel: string; destination: string }[] }>(
      intake,
      'POST',
      `/v1/requests/${id}/forward`,
      { token: operator, body: { countries: ['DE'], consentReference: 'SIENA-NL-2026-0042' } },
    );
    expect(forwarded.status).toBe(202);
    expect(forwarded.body.messages).toEqual([
      expect.objectContaining({ channel: 'siena', destination: 'DE' }),
    ]);
    const [atDe] = await partnerGot(
      (m) => m.idempotencyKey === forwarded.body.messages[0].id,
      1,
      'DE got it',
    );
    expect(atDe.message).toMatchObject({ kind: 'onward_transfer', handlingCode: 'H2' });
    const steps = await timeline(id, 4);
    expect(steps.find((e) => e.kind === 'forwarded')?.details).toMatchObject({
      consentReference: 'SIENA-NL-2026-0042',
    });

    // Languages: a request in German to NL is refused, naming NL and its languages; so is a reply.
    const german = await api<{ error: { details: { path: string; message: string }[] } }>(
      intake,
      'POST',
      '/v1/requests',
      { token: requester, body: requestBody({ targetCountries: ['NL', 'DE'], language: 'de' }) },
    );
    expect(german.status).toBe(400);
    expect(german.body.error.details).toEqual([
      { path: 'language', message: 'NL (Netherlands) does not accept "de": it accepts en, nl' },
    ]);
    const reply = await api<{ error: { message: string } }>(intake, 'POST', `/v1/requests/${id}/replies`, {
      token: operator,
      body: { text: 'Antwort', handlingCode: 'H2', language: 'de' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain('NL (Netherlands)');
  });

  it("routes an own-initiative provision like a request, with no deadline; a partner's provision reaches the contact point", async () => {
    const { informationSought: _sought, ...base } = requestBody({ targetCountries: ['NL', 'DE'] });
    const provision = { ...base, informationProvided: 'The subject rented a van in Antwerp on 2 March' };
    const wrong = await api<{ error: { details: { path: string }[] } }>(intake, 'POST', '/v1/provisions', {
      token: requester,
      body: { ...provision, informationSought: 'x' },
    });
    expect(wrong.status).toBe(400);
    const accepted = await api<{ id: string; deadline: { at: string | null; basis: string } }>(
      intake,
      'POST',
      '/v1/provisions',
      { token: requester, body: provision },
    );
    expect(accepted.status).toBe(202);
    expect(accepted.body.deadline).toEqual({ at: null, basis: 'none' });
    const id = accepted.body.id;
    const view = await viewWhen(
      id,
      requester,
      (v) => v.deliveries.length > 0 && v.deliveries.every((d) => d.status === 'delivered'),
      'the provision delivered',
    );
    const decision = view.decision as unknown as {
      routes: { channel: string; destination: string; role: string }[];
      europolCopy: { copy: boolean };
      deadline: { basis: string };
    };
    expect(decision.deadline.basis).toBe('none');
    expect(decision.routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'siena', destination: 'NL', role: 'primary' }),
        expect.objectContaining({ channel: 'siena', destination: 'DE', role: 'primary' }),
        expect.objectContaining({ channel: 'national_spoc', role: 'copy' }),
        expect.objectContaining({ channel: 'europol', role: 'copy' }),
      ]),
    );
    expect(decision.europolCopy.copy).toBe(true);
    const { rows: milestones } = await stack.db.query(
      `SELECT 1 FROM deadline_milestones WHERE request_id = $1`,
      [id],
    );
    expect(milestones).toEqual([]);
    const atNl = await api<SimMessage[]>(simulator, 'GET', `/simulator/requests/${id}/messages`);
    expect(atNl.body.find((m) => m.destination === 'NL')?.message).toMatchObject({
      content: { kind: 'provision', informationProvided: provision.informationProvided },
    });

    // A partner's provision goes to the contact point of its theme and region, with no deadline.
    const { informationSought: _theirs, ...request } = partnerRequest();
    const sent = await partnerSends('NL', {
      ...request,
      kind: 'provision',
      informationProvided: 'A van, plate 1-ABC-123',
    });
    const received = await viewWhen(
      sent.ixr.body.reference,
      contactPoint,
      (v) => v.deliveries.some((d) => d.destination === 'FGP-ANTWERPEN'),
      "the partner's provision at the contact point",
    );
    expect(received.deadline).toMatchObject({ at: null, basis: 'none' });
  });

  it('the simulated partners play the case by themselves: refuse, ask, answer our question', async () => {
    await api(simulator, 'PUT', '/simulator/partners/siena/AT', {
      body: { answerAfterMs: 50, respondWith: 'refusal' },
    });
    await api(simulator, 'PUT', '/simulator/partners/siena/FI', {
      body: { answerAfterMs: 50, respondWith: 'clarification' },
    });
    const refusedBy = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['AT'] }),
    });
    const askedBy = await api<{ id: string }>(intake, 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['FI'] }),
    });
    const refused = await viewWhen(refusedBy.body.id, requester, (v) => v.status === 'refused', 'AT refuses');
    expect(refused.replies.find((r) => r.kind === 'refusal')).toMatchObject({
      partner: 'AT',
      ground: 'not_available',
    });
    await viewWhen(askedBy.body.id, requester, (v) => v.status === 'awaiting_clarification', 'FI asks');

    // NL answers our clarification question on its request by itself.
    await api(simulator, 'PUT', '/simulator/partners/siena/NL', { body: { answerAfterMs: 50 } });
    const sent = await partnerSends('NL', partnerRequest());
    const id = sent.ixr.body.reference;
    await viewWhen(id, contactPoint, (v) => v.deliveries.length > 0, 'the request routed');
    await post(id, { question: 'Which city?' });
    const answered = await viewWhen(
      id,
      contactPoint,
      (v) => v.replies.some((r) => r.kind === 'clarification_answer'),
      'NL answers the question',
    );
    expect(answered.deadline.suspended).toBe(false);
    await api(simulator, 'DELETE', '/simulator/partners');
  });

  async function post(id: string, body: unknown) {
    const res = await api(intake, 'POST', `/v1/requests/${id}/clarifications`, { token: contactPoint, body });
    expect(res.status).toBe(202);
  }
});
