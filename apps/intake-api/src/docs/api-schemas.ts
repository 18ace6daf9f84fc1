import { z } from 'zod';
import {
  CASE_MESSAGE_KINDS,
  CHANNELS,
  DEADLINE_BASES,
  DELIVERY_STATUSES,
  MISSION_TYPES,
  REQUEST_STATUSES,
  ROUTE_ROLES,
  UNIT_LEVELS,
  outboundRequestBodySchema,
} from '@ixr/domain';
import { decisionSchema } from '@ixr/messaging';

/**
 * Schemas of the API's answers, for the OpenAPI document. Request bodies need none here: the
 * document takes them from the very pipes that validate them (ZodBodyPipe on each route).
 */
const isoTime = z.iso.datetime({ offset: true });
const deadline = z.object({ at: isoTime.nullable(), basis: z.enum(DEADLINE_BASES) });

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'stable error code, e.g. INTAKE.VALIDATION_FAILED' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .meta({ description: 'Every error of the API (SPEC §2); details name every bad field.' });

export const submitResponseSchema = z.object({
  id: z.uuid(),
  status: z.enum(REQUEST_STATUSES),
  receivedAt: isoTime,
  deadline,
});

export const requestViewSchema = z.object({
  id: z.uuid(),
  status: z.enum(REQUEST_STATUSES),
  missionType: z.enum(MISSION_TYPES),
  requestingUnit: z.string(),
  requestedBy: z.string(),
  /** The submitting unit's level (SPEC §9); null for a foreign partner's request. */
  level: z.enum(UNIT_LEVELS).nullable(),
  receivedAt: isoTime,
  deadline: deadline.extend({ suspended: z.boolean() }),
  request: outboundRequestBodySchema,
  decision: decisionSchema.nullable(),
  deliveries: z.array(
    z.object({
      id: z.uuid(),
      channel: z.enum(CHANNELS),
      destination: z.string(),
      role: z.enum(ROUTE_ROLES),
      status: z.enum(DELIVERY_STATUSES),
      attempts: z.number().int(),
      partnerReference: z.string().nullable(),
      lastError: z.string().nullable(),
      dispatchedAt: isoTime,
      completedAt: isoTime.nullable(),
    }),
  ),
  /** Ours (outbound), or a foreign partner's: the channel and sender it came from, the state behind it. */
  origin: z.object({
    direction: z.enum(['outbound', 'inbound']),
    assignedUnit: z.string().nullable(),
    originChannel: z.enum(CHANNELS).nullable(),
    /** A country, a PCCC (PCCC-HEERLEN), a liaison post (LO-WASHINGTON) or EUROPOL: where replies go. */
    originPartner: z.string().nullable(),
    originCountry: z.string().nullable(),
  }),
  replies: z.array(z.unknown()),
  /** The whole case in order: received, routed, dispatched/delivered/failed, answers and replies, warnings, assignments. */
  history: z.array(
    z
      .object({
        at: isoTime,
        kind: z.string().meta({
          description:
            'received | routed | dispatched | delivered | failed | answer_received | reply_sent | deadline_warning | escalation | assigned',
        }),
      })
      .catchall(z.unknown()),
  ),
  /** SPEC §10: when, by whom and why its personal data was erased; null while it is held. */
  erasure: z.object({ at: isoTime, by: z.string(), unit: z.string(), reason: z.string() }).nullable(),
});

/** One row of `GET /v1/requests` (SPEC §7). */
export const requestListItemSchema = z.object({
  id: z.uuid(),
  direction: z.enum(['outbound', 'inbound']),
  status: z.enum(REQUEST_STATUSES),
  unit: z.string().meta({ description: 'the requesting unit (outbound) or the unit handling it (inbound)' }),
  level: z.string().nullable(),
  targetCountries: z.array(z.string()).meta({ description: 'inbound: the country it came from' }),
  offenceCategory: z.string().nullable(),
  urgent: z.boolean(),
  deadline: isoTime.nullable(),
  receivedAt: isoTime,
  updatedAt: isoTime,
});

export const requestListSchema = z.object({
  items: z.array(requestListItemSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: 'pass as `cursor` for the next page; null at the end' }),
});

export const queueSchema = z.object({
  items: z.array(
    requestListItemSchema.extend({
      overdue: z.boolean(),
      dueWithinHours: z.number().nullable().meta({
        description: 'hours left until the deadline, one decimal, negative once overdue; null without one',
      }),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const inboxItemSchema = z.object({
  id: z.string().meta({ description: 'also its place in the event stream' }),
  kind: z.enum([
    'inbound_request',
    'answer',
    'clarification_question',
    'deadline_warning',
    'escalation',
    'assignment',
  ]),
  requestId: z.uuid(),
  at: isoTime,
  summary: z.string().meta({ description: 'what happened, without personal data' }),
  readAt: isoTime.nullable(),
});

export const inboxSchema = z.object({ items: z.array(inboxItemSchema), nextCursor: z.string().nullable() });

export const assignedSchema = z.object({
  requestId: z.uuid(),
  unit: z.string(),
  previousUnit: z.string().nullable(),
  assignedAt: isoTime,
});

export const ticketSchema = z.object({ ticket: z.string(), expiresAt: isoTime });

/** `POST /v1/requests/{id}/replies`: the reply accepted for sending (the same on an idempotent repeat). */
export const replyAcceptedSchema = z.object({
  id: z.uuid(),
  requestId: z.uuid(),
  status: z.enum(['pending', 'delivered', 'failed']),
  channel: z.enum(CHANNELS),
  destination: z.string(),
  createdAt: isoTime,
});

/** The named schemas of the document (`#/components/schemas/<name>`), referenced where used. */
export const NAMED_SCHEMAS: ReadonlyMap<z.ZodType, string> = new Map<z.ZodType, string>([
  [outboundRequestBodySchema, 'OutboundRequest'],
  [submitResponseSchema, 'SubmitResponse'],
  [requestViewSchema, 'RequestView'],
  [decisionSchema, 'RoutingDecision'],
  [errorBodySchema, 'Error'],
  [requestListItemSchema, 'RequestListItem'],
  [inboxItemSchema, 'InboxItem'],
]);

/** An answer this document does not detail further (rule sets, directory, reports). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

/** The case steps of SPEC §8 (refusal, clarification, delay notice, withdrawal): the messages queued. */
export const caseStepAcceptedSchema = z.object({
  requestId: z.string(),
  kind: z.enum(CASE_MESSAGE_KINDS),
  /** The request's status once the step is sent. */
  status: z.string(),
  /** One per partner told. */
  messages: z.array(z.object({ id: z.string(), channel: z.string(), destination: z.string() })),
  createdAt: z.string(),
});
