import { z } from 'zod';
import {
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
  deadline,
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
  /** SPEC §10: when, by whom and why its personal data was erased; null while it is held. */
  erasure: z.object({ at: isoTime, by: z.string(), unit: z.string(), reason: z.string() }).nullable(),
});

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
]);

/** An answer this document does not detail further (rule sets, directory, reports). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());
