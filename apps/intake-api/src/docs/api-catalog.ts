import type { z } from 'zod';
import {
  errorBodySchema,
  jsonObjectSchema,
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
