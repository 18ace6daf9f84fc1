import type { z } from 'zod';
import {
  assignedSchema,
  errorBodySchema,
  inboxItemSchema,
  inboxSchema,
  jsonObjectSchema,
  queueSchema,
  requestListSchema,
  ticketSchema,
  caseStepAcceptedSchema,
  replyAcceptedSchema,
  requestViewSchema,
  submitResponseSchema,
} from './api-schemas';
import { decisionSchema } from '@ixr/messaging';

export interface OperationDoc {
  summary: string;
  description?: string;
  tag: string;
  /** The success answer; errors are added from what the route does (auth, body, path ids). */
  response?: { description: string; schema?: z.ZodType; contentType?: string };
  /** An example body, shown in /docs and pre-filled in its form. */
  example?: unknown;
}

/** A request body a new user can send as it is (README "Try it"). */
export const EXAMPLE_REQUEST = {
  missionType: 'judicial',
  targetCountries: ['NL'],
  offence: { category: 'drug_trafficking', description: 'Cocaine through the port of Antwerp' },
  informationSought: 'Known addresses of the subject',
  purpose: 'Investigation 2026/123',
  justification: 'Subject crosses the border weekly',
  subjects: [{ type: 'person', name: 'Jan Jansen', dateOfBirth: '1980-04-02' }],
  urgency: { urgent: true, ground: 'threat_to_life', reason: 'Imminent delivery' },
  accessibility: 'direct',
  handlingCode: 'H1',
  language: 'en',
};

const NEED_TO_KNOW =
  'Readable by the requesting unit, a unit it was routed to (national_unit / national_spoc), SPOC operators and auditors; ' +
  'any other caller gets 403, and the refusal is logged. Every read of the content is logged as a consultation.';

/**
 * What the OpenAPI document says about each operation, keyed by `METHOD /path`. The routes, their
 * roles and their body schemas come from the code itself; a route missing here fails the docs test
 * (docs/openapi.builder.spec.ts), so the document cannot fall behind the API.
 */
export const API_CATALOG: Record<string, OperationDoc> = {
  'POST /v1/requests': {
    tag: 'requests',
    summary: 'Submit an outbound request',
    description:
      'Stores the request and announces it for routing. `Idempotency-Key`: the same key with the same body returns ' +
      'the first answer; with another body, 409. Unknown fields are refused; every bad field is named.',
    response: { description: 'accepted for routing', schema: submitResponseSchema },
    example: EXAMPLE_REQUEST,
  },
  'POST /v1/provisions': {
    tag: 'requests',
    summary: 'Provide information on our own initiative (Art 7)',
    description:
      'The request body with `informationProvided` instead of `informationSought`; routed by the same rule set as a ' +
      'request (rules may test `request.kind`), with the SPOC copy and the Europol-copy decision, and no deadline ' +
      '(rule DL-PROVISION-NONE). `Idempotency-Key` as for requests; languages checked (Art 11). Read back at ' +
      '`GET /v1/requests/{id}`.',
    response: { description: 'accepted for routing', schema: submitResponseSchema },
    example: (({ informationSought: _sought, ...rest }) => ({
      ...rest,
      urgency: { urgent: false },
      informationProvided: 'The subject rented a van in Antwerp on 2 March',
    }))(EXAMPLE_REQUEST),
  },
  'GET /v1/requests/{id}': {
    tag: 'requests',
    summary: 'A request: status, decision, deliveries, replies',
    description: NEED_TO_KNOW,
    response: { description: 'the request', schema: requestViewSchema },
  },
  'GET /v1/requests/{id}/decision': {
    tag: 'requests',
    summary: 'The routing decision of a request',
    description: `${NEED_TO_KNOW} 404 while the request is not routed yet.`,
    response: { description: 'the decision (SPEC §3)', schema: decisionSchema },
  },
  'POST /v1/routing/simulate': {
    tag: 'routing',
    summary: 'The decision the active (or a given) rule set would take',
    description: 'Records nothing but the consultation.',
    response: { description: 'the simulated decision', schema: decisionSchema },
    example: { request: EXAMPLE_REQUEST },
  },
  'GET /v1/rulesets': {
    tag: 'routing',
    summary: 'Every rule set with its status',
    response: { description: 'rule sets' },
  },
  'GET /v1/rulesets/{version}': {
    tag: 'routing',
    summary: 'One rule set',
    response: { description: 'the rule set document', schema: jsonObjectSchema },
  },
  'POST /v1/rulesets': {
    tag: 'routing',
    summary: 'Store a new draft rule set',
    description: 'Needs `X-Justification`; logged with who and why.',
    response: { description: 'the draft', schema: jsonObjectSchema },
  },
  'POST /v1/rulesets/{version}/validate': {
    tag: 'routing',
    summary: 'Validate a rule set against the current directory',
    response: { description: 'the validation report', schema: jsonObjectSchema },
  },
  'POST /v1/rulesets/{version}/activate': {
    tag: 'routing',
    summary: 'Make a rule set the active one',
    description: 'Needs `X-Justification`; logged with who and why.',
    response: { description: 'activated', schema: jsonObjectSchema },
  },
  'GET /v1/directory': {
    tag: 'routing',
    summary: 'The active directory (countries, contact points, liaison posts, centres)',
    response: { description: 'the directory', schema: jsonObjectSchema },
  },
  'PUT /v1/directory': {
    tag: 'routing',
    summary: 'Replace the directory with a new version',
    description: 'Needs `X-Justification`; logged with who and why.',
    response: { description: 'the new version', schema: jsonObjectSchema },
  },
  'GET /openapi.json': {
    tag: 'documents',
    summary: 'This document (OpenAPI 3.1)',
    response: { description: 'the OpenAPI document', schema: jsonObjectSchema },
  },
  'GET /docs': {
    tag: 'documents',
    summary: 'This document as a page, with a form to try each operation',
    response: { description: 'HTML page', contentType: 'text/html' },
  },
};

/** The replies, dead-letter and audit routes of SPEC §2 (checked by the docs test like the rest). */
Object.assign(API_CATALOG, {
  'POST /v1/requests/{id}/refusal': {
    tag: 'case',
    summary: "Refuse a foreign partner's request on an Art 6(1) ground",
    description:
      'The unit the request was routed to, or a SPOC operator. `ground`: not_available (a), request_incomplete (b), ' +
      'judicial_authorisation_refused (c), data_category (d), inaccurate (e), national_security / ' +
      'investigation_or_safety / legal_person_interests (f), minor_offence / not_criminal (g), no_originator_consent (h); ' +
      '`partial: true` refuses part of it. Goes back over the channel of origin once logged; status `refused`. ' +
      '409 for one of our own requests, or one refused or withdrawn already.',
    response: { description: 'the refusal, queued for the partner', schema: caseStepAcceptedSchema },
    example: { ground: 'not_available', reason: 'No record of the subject' },
  },
  'POST /v1/requests/{id}/clarifications': {
    tag: 'case',
    summary: 'Ask the partner for clarification, or answer its question',
    description:
      "`{ question }` on a foreign partner's request (the unit handling it, or a SPOC operator): the deadline is " +
      'suspended (status `awaiting_clarification`) until the partner answers, then resumes with the time that was left. ' +
      "`{ inReplyTo, answer }` on one of ours (the requesting unit): answers the partner's question `inReplyTo` " +
      "(its id in the request view), and the partner's clock resumes.",
    response: { description: 'the message, queued for the partner', schema: caseStepAcceptedSchema },
    example: { question: 'Which vehicle do you mean: the registration is incomplete' },
  },
  'POST /v1/requests/{id}/delay-notice': {
    tag: 'case',
    summary: 'Tell the requester that judicial authorisation delays the answer',
    description:
      'Directive 2023/977 Art 5(2): sent to the requester at once, with the reason and `expectedBy` (in the future); ' +
      'may be repeated.',
    response: { description: 'the notice, queued for the partner', schema: caseStepAcceptedSchema },
    example: {
      reason: 'Authorisation of the investigating judge needed',
      expectedBy: '2030-01-01T12:00:00Z',
    },
  },
  'POST /v1/requests/{id}/forward': {
    tag: 'case',
    summary: 'Pass information received on a request to other states (onward transfer)',
    description:
      'SPOC operators. What a partner provided (its answers to one of ours, or its own request) goes to `countries` ' +
      "(SIENA for EU and Schengen states, Interpol otherwise) only with the originator's consent (Directive 2023/977 " +
      'Art 12): without `consentReference`, 422 with the reason naming the handling code (H2/H3: no dissemination ' +
      'without permission). The consent reference is recorded with each message and in the log.',
    response: { description: 'one message per country', schema: caseStepAcceptedSchema },
    example: { countries: ['DE'], consentReference: 'SIENA-NL-2026-0042' },
  },
  'POST /v1/requests/{id}/withdraw': {
    tag: 'case',
    summary: 'Withdraw one of our requests',
    description:
      'The requesting unit: every partner the request was routed to is told; deliveries not yet made are cancelled and ' +
      'never sent afterwards; the milestones of its deadline are dropped. Status `withdrawn`; 409 when withdrawn already ' +
      'or not routed yet.',
    response: { description: 'one withdrawal message per partner', schema: caseStepAcceptedSchema },
    example: { reason: 'Suspect arrested; information no longer needed' },
  },
  'POST /v1/requests/{id}/replies': {
    tag: 'replies',
    summary: "Answer a foreign partner's request",
    description:
      'The unit the request was routed to, or a SPOC operator; the reply goes back over the channel the request came on, ' +
      'to the partner that sent it (a country, a PCCC, a liaison post or Europol), with its handling code. ' +
      '`Idempotency-Key` (per unit): the same key with the same reply returns the first answer and sends nothing again; ' +
      'with another reply or another request, 409.',
    response: { description: 'accepted for sending', schema: replyAcceptedSchema },
  },
  'GET /v1/replies/unmatched': {
    tag: 'replies',
    summary: 'The SPOC queue of answers whose request is unknown',
    response: { description: 'unmatched answers' },
  },
  'GET /v1/statistics': {
    tag: 'statistics',
    summary: 'Counts of requests over a period, grouped (SPEC §9)',
    description:
      '`from`, `to` (ISO date or date-time; `to` excluded; default the last 365 days) and `groupBy`, a comma list of ' +
      'direction, level, country, channel, category, month. Each group: requests, answered, answered in time, late, ' +
      'unanswered past the deadline, refused and refused by Art 6 ground, median seconds to the first answer. ' +
      'Computed from the stored requests and messages at each call.',
    response: { description: 'the figures', schema: jsonObjectSchema },
  },
  'GET /v1/statistics/art18': {
    tag: 'statistics',
    summary: 'The yearly Art 18 statistics of Directive 2023/977',
    description:
      '`year=YYYY`. Requests sent (per requested state); received and answered (urgent / non-urgent, per requesting ' +
      'state); refused per state and ground; judicial-authorisation delays per state. `Accept: text/csv` gives one ' +
      'CSV table (figure, urgency, state, ground, count).',
    response: { description: 'the Art 18 figures', schema: jsonObjectSchema },
  },
  'GET /v1/data-protection/reviews': {
    tag: 'data protection',
    summary: 'Requests whose data-protection review is due (SPEC §10)',
    description:
      'The first review falls due REVIEW_FIRST_DAYS (≤ 183, default 180) after the exchange last moved, then ' +
      'REVIEW_EVERY_DAYS (365) after each review. Erased requests are not listed. Role dpo.',
    response: { description: 'the due reviews, most overdue first', schema: jsonObjectSchema },
  },
  'POST /v1/requests/{id}/review': {
    tag: 'data protection',
    summary: 'Record a review: the data is kept for now',
    description: '`{ reason }` and `X-Justification`; logged as a `reviewed` entry. Role dpo.',
    response: { description: 'the review and when the next falls due', schema: jsonObjectSchema },
  },
  'POST /v1/requests/{id}/erasure': {
    tag: 'data protection',
    summary: "Erase a request's personal data (subjects and free text)",
    description:
      '`{ reason }` and `X-Justification`. The body keeps only its non-personal facts (mission type, states, offence ' +
      'category, urgency, handling code, language); every message on it loses its text; the view then shows ' +
      '`erased` with when, who and why; an `erased` log entry without payload records it. 409 when already erased.',
    response: { description: 'the erasure', schema: jsonObjectSchema },
  },
  'GET /v1/dead-letters': {
    tag: 'operations',
    summary: 'Messages no consumer could handle, with the reason',
    response: { description: 'dead letters' },
  },
  'GET /v1/channels/health': {
    tag: 'operations',
    summary: 'Partner circuits as the adapters report them, and the fallback routes taken',
    description:
      'Each partner circuit (the worst state across adapter instances) and, per channel and destination, the ' +
      'deliveries sent on a fallback route in the last `days` (7): the technical incidents of Art 13(2)(c).',
    response: { description: 'circuits and fallbacks', schema: jsonObjectSchema },
  },
  'GET /v1/dead-letters/{id}': {
    tag: 'operations',
    summary: 'One dead letter',
    response: { description: 'the dead letter', schema: jsonObjectSchema },
  },
  'POST /v1/dead-letters/{id}/redrive': {
    tag: 'operations',
    summary: 'Send a dead letter back to its topic (logged)',
    response: { description: 're-driven', schema: jsonObjectSchema },
  },
  'GET /v1/audit/requests/{id}/timeline': {
    tag: 'audit',
    summary: 'Every log entry of one request, in order, with inclusion proofs',
    description: 'Needs `X-Justification`; the read is logged.',
    response: { description: 'the timeline', schema: jsonObjectSchema },
  },
  'GET /v1/audit/verify': {
    tag: 'audit',
    summary: 'Verify the whole log; names the first bad sequence number',
    description: 'Needs `X-Justification`; the read is logged.',
    response: { description: 'the verification report', schema: jsonObjectSchema },
  },
  'POST /v1/audit/replay': {
    tag: 'audit',
    summary: 'Re-run recorded routing decisions; report any that differ',
    description: 'Needs `X-Justification`; the read is logged.',
    response: { description: 'the replay report', schema: jsonObjectSchema },
  },
  'GET /v1/audit/export': {
    tag: 'audit',
    summary: 'Evidence bundle for a time range or a request',
    description: 'Needs `X-Justification`; the export is logged.',
    response: { description: 'the bundle', schema: jsonObjectSchema },
  },
} satisfies Record<string, OperationDoc>);

/** Finding and following work (SPEC §7). */
Object.assign(API_CATALOG, {
  'GET /v1/requests': {
    tag: 'work',
    summary: 'List and search the requests the caller may see',
    description:
      'Need-to-know inside the query: a unit sees its own requests and what was routed or assigned to it, never a row ' +
      "or a count of another unit's; SPOC operators and auditors see all. Sorted by deadline (none last), then id; " +
      "`cursor` (the previous page's `nextCursor`) keeps pages stable while requests arrive. `q` searches the free " +
      'text and subject names (PostgreSQL full text, words as written: `"jan jansen"`, `or`, `-word`); a search is ' +
      'logged as `consulted` with its terms. `from`/`to` bound the time of receipt; `deadlineBefore` the deadline.',
    response: { description: 'a page of requests', schema: requestListSchema },
  },
  'POST /v1/requests/{id}/assign': {
    tag: 'work',
    summary: "Hand a foreign partner's request to another unit or contact point",
    description:
      'SPOC operators. The request moves to the unit (its inbox gets an `assignment` item and the unit may read and ' +
      "answer it); the step is logged as `assigned` with who and the reason. 409 for one of our units' requests or " +
      'when the unit holds it already.',
    response: { description: 'assigned', schema: assignedSchema },
    example: { unit: 'FGP-BRUXELLES', reason: 'Subject lives in Brussels: local knowledge' },
  },
  'GET /v1/inbox': {
    tag: 'work',
    summary: "What waits for the caller's unit",
    description:
      'Inbound requests routed or assigned to the unit, answers on its requests, deadline warnings (50/75/90 %) and ' +
      'escalations (outbound: to the requesting unit and the SPOC; inbound: to the handling unit and the SPOC). ' +
      'Newest first; `unread=true` for the unread only.',
    response: { description: 'a page of inbox items', schema: inboxSchema },
  },
  'POST /v1/inbox/{id}/read': {
    tag: 'work',
    summary: 'Mark one inbox item read',
    description: "404 for an id that is not one of the unit's items.",
    response: { description: 'the item', schema: inboxItemSchema },
  },
  'GET /v1/queue': {
    tag: 'work',
    summary: "The SPOC desk's open work, by deadline, overdue first",
    description:
      'Every request not answered yet, earliest deadline first (so the overdue lead), each with `overdue`. ' +
      '`overdue=true`: only those past their deadline; `dueWithinHours=N`: only those due within N hours.',
    response: { description: 'a page of open requests', schema: queueSchema },
  },
  'POST /v1/events/ticket': {
    tag: 'work',
    summary: 'A one-time ticket for the event stream (browsers)',
    description:
      'Valid 60 s, for one connection: `GET /v1/events?ticket=…` (EventSource cannot send headers).',
    response: { description: 'the ticket', schema: ticketSchema },
  },
  'GET /v1/events': {
    tag: 'work',
    summary: 'Server-Sent Events: new inbox items and status changes',
    description:
      "Bearer token, or `?ticket=`. Events: `inbox` (a new item of the caller's unit: an InboxItem) and `status` " +
      "(`{ requestId, status, previous, at }` of a request the caller may see; SPOC operators get every request's). " +
      'A comment line every 15 s keeps the connection open. Each event has an `id`; reconnecting with ' +
      '`Last-Event-ID` (or `?lastEventId=`) resumes after it, across restarts of the service; without it the stream ' +
      'starts with what happens next.',
    response: { description: 'the stream', contentType: 'text/event-stream' },
  },
} satisfies Record<string, OperationDoc>);

/** Routes Fastify serves outside Nest (libs/platform ops routes), documented here by hand. */
export const OPS_OPERATIONS: Record<string, OperationDoc> = {
  'GET /health': {
    tag: 'operations',
    summary: 'Liveness and readiness: 200 when PostgreSQL, Kafka and the consumers are ready, else 503',
    response: { description: 'ready', schema: jsonObjectSchema },
  },
  'GET /metrics': {
    tag: 'operations',
    summary: 'Prometheus metrics',
    response: { description: 'Prometheus text format', contentType: 'text/plain' },
  },
};

export { errorBodySchema };
