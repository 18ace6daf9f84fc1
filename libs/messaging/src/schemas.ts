import { z } from 'zod';
import {
  CHANNELS,
  DEADLINE_BASES,
  HANDLING_CODES,
  MISSION_TYPES,
  ROUTE_ROLES,
  UNIT_LEVELS,
  outboundRequestBodySchema,
} from '@ixr/domain';
import { TOPICS, type Topic } from './topics';

const id = z.string().min(1).max(200);
const isoTime = z.iso.datetime({ offset: true });

export const actorSchema = z.object({
  person: id,
  unit: id,
  level: z.enum(UNIT_LEVELS).optional(),
  role: id,
});

export const decisionSchema = z.object({
  requestId: id,
  rulesetVersion: id,
  decidedAt: isoTime,
  routes: z.array(
    z.object({
      channel: z.enum(CHANNELS),
      destination: id,
      role: z.enum(ROUTE_ROLES),
      ruleId: id,
      reason: z.string().min(1),
    }),
  ),
  europolCopy: z.object({ copy: z.boolean(), reason: z.string().min(1) }),
  deadline: z.object({ at: isoTime.nullable(), basis: z.enum(DEADLINE_BASES) }),
});

export const requestReceivedSchema = z.object({
  requestId: id,
  actor: actorSchema,
  receivedAt: isoTime,
  body: outboundRequestBodySchema,
});

/** Snapshot of open circuits (an entry without destination opens the channel everywhere). */
export const channelHealthSchema = z.object({
  open: z.array(z.object({ channel: id, destination: id.optional() })),
});

export const plannedDeliverySchema = z.object({
  deliveryId: id,
  channel: z.enum(CHANNELS),
  destination: id,
  role: z.enum(ROUTE_ROLES),
  ruleId: id,
});

/**
 * The router's one event per request. It carries the decision's whole input (the received request,
 * the channel health) so that the log can record it for replay, and the deliveries it planned:
 * the exchange log records them and only then releases them to the adapters as `dispatched`.
 */
export const requestRoutedSchema = z.object({
  requestId: id,
  decision: decisionSchema,
  rulesetHash: z.string().min(1),
  /** The directory version the decision read (replay needs the same one). */
  directoryVersion: z.string().min(1),
  channelHealth: channelHealthSchema,
  input: z.object({
    receivedEventId: id,
    actor: actorSchema,
    receivedAt: isoTime,
    body: outboundRequestBodySchema,
  }),
  deliveries: z.array(plannedDeliverySchema),
});

/** A delivery released to its adapter once its `dispatched` log entry is durable. */
export const deliveryDispatchedSchema = z.object({
  deliveryId: id,
  /** Sequence number of the dispatched entry in the exchange log. */
  logSeq: z.number().int().nonnegative(),
  requestId: id,
  channel: z.enum(CHANNELS),
  destination: id,
  role: z.enum(ROUTE_ROLES),
  ruleId: id,
  rulesetVersion: id,
  handlingCode: z.enum(HANDLING_CODES),
  urgent: z.boolean(),
  deadlineAt: isoTime.nullable(),
  body: outboundRequestBodySchema,
});

export const deliveryOutcomeSchema = z.object({
  deliveryId: id,
  requestId: id,
  channel: z.enum(CHANNELS),
  destination: id,
  outcome: z.enum(['delivered', 'failed']),
  partnerReference: z.string().max(200).optional(),
  error: z.string().max(2000).optional(),
  attempts: z.number().int().positive(),
  at: isoTime,
});

export const AUDIT_KINDS = [
  'consulted',
  'exported',
  'ruleset_changed',
  'directory_changed',
  'denied',
  'escalated',
  // Inbound steps, recorded by the router in the transaction that handles them (SPEC §4.4, §5).
  'received',
  'routed',
  'delivered',
  // A reply to a foreign request, recorded with the reply itself.
  'responded',
  // An operator re-published a dead letter.
  'redriven',
  // SPEC §10: the data-protection officer reviewed a request's personal data, or erased it (no payload).
  'reviewed',
  'erased',
] as const;

/** A step recorded in the exchange log that is not a pipeline hop (Directive 2016/680 Art 25). */
export const auditRecordedSchema = z.object({
  kind: z.enum(AUDIT_KINDS),
  actor: actorSchema,
  justification: z.string().min(1).max(4000),
  requestId: id.nullable(),
  recipients: z.array(z.string().max(200)),
  channel: z.string().max(40).nullable(),
  rulesetVersion: z.string().max(200).nullable(),
  at: isoTime,
  details: z.record(z.string(), z.unknown()),
});

export const deadlineReachedSchema = z.object({
  requestId: id,
  milestone: z.enum(['warning_50', 'warning_75', 'warning_90', 'breach']),
  dueAt: isoTime,
  deadlineAt: isoTime,
  deadlineBasis: z.enum(DEADLINE_BASES),
  requestingUnit: id,
  /** Where the warning goes: the requesting unit and the SPOC. */
  notify: z.array(id),
});

export const deadLetterSchema = z.object({
  originalTopic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  key: z.string().nullable(),
  errorCode: z.string(),
  errorMessage: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
  attempts: z.number().int(),
  payload: z.string(),
});

const body = outboundRequestBodySchema.shape;
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code');
/** A partner's id: a country code, or a directory id (PCCC-HEERLEN, LO-WASHINGTON, EUROPOL). */
export const partnerIdSchema = z
  .string()
  .regex(/^[A-Z0-9]+(-[A-Z0-9]+)*$/, 'a country code or a directory id such as PCCC-HEERLEN')
  .max(80);

/** A foreign partner's new request, as its adapter receives it (SPEC §4.4). */
export const partnerRequestSchema = z.strictObject({
  kind: z.literal('request'),
  /** The partner's own id of the message: replay guard, and what our reply refers to. */
  messageId: id,
  missionType: z.enum(MISSION_TYPES),
  offence: body.offence,
  /** Where in Belgium the matter lies (a judicial arrondissement), when the partner says. */
  region: z.string().min(1).max(100).optional(),
  /**
   * The state the request comes from, for a partner that speaks for several (a PCCC, a liaison
   * post, Europol on behalf of a member state); a country partner is its own origin.
   */
  originCountry: countryCode.optional(),
  urgency: body.urgency,
  accessibility: body.accessibility,
  handlingCode: z.enum(HANDLING_CODES),
  language: body.language,
  informationSought: body.informationSought,
  purpose: body.purpose,
  subjects: body.subjects,
});

/** A foreign partner's answer to one of our requests; `inReplyTo` names our request id. */
export const partnerAnswerSchema = z.strictObject({
  kind: z.literal('answer'),
  messageId: id,
  inReplyTo: id,
  handlingCode: z.enum(HANDLING_CODES),
  language: body.language,
  text: body.informationSought,
});

export const partnerMessageSchema = z.discriminatedUnion(
  'kind',
  [partnerRequestSchema, partnerAnswerSchema],
  {
    error: 'kind must be "request" or "answer"',
  },
);

/** A partner message accepted by an adapter: signature checked, not a replay, durably stored. */
export const inboundReceivedSchema = z
  .object({
    /** IXR's id for it; a new request keeps it as its request id. */
    inboundId: id,
    channel: z.enum(CHANNELS),
    /**
     * Who sent it (the signer), where a reply goes: a country, a PCCC, a liaison post or EUROPOL.
     * Absent in events from before non-country partners: the origin country then.
     */
    partner: partnerIdSchema.optional(),
    /** The state it comes from; absent only for Europol's own request. */
    originCountry: countryCode.optional(),
    receivedAt: isoTime,
    message: partnerMessageSchema,
  })
  .refine((m) => m.partner !== undefined || m.originCountry !== undefined, {
    message: 'names no partner: partner or originCountry is required',
    path: ['partner'],
  });

/** Our reply to a foreign request, going back over the channel the request came on. */
export const replyDispatchedSchema = z.object({
  replyId: id,
  requestId: id,
  channel: z.enum(CHANNELS),
  /** The partner the request came from: a country, a PCCC, a liaison post or EUROPOL. */
  destination: id,
  /** The partner's message id of the request answered. */
  inReplyTo: id,
  handlingCode: z.enum(HANDLING_CODES),
  language: z.string().min(2).max(3),
  text: z.string().min(1).max(4000),
  author: actorSchema,
  at: isoTime,
});

/** One schema per topic, checked before any handler runs (STYLE §4). */
export const TOPIC_SCHEMAS = {
  [TOPICS.requestReceived]: requestReceivedSchema,
  [TOPICS.requestRouted]: requestRoutedSchema,
  [TOPICS.deliveryDispatched]: deliveryDispatchedSchema,
  [TOPICS.deliveryOutcome]: deliveryOutcomeSchema,
  [TOPICS.auditRecorded]: auditRecordedSchema,
  [TOPICS.deadlineReached]: deadlineReachedSchema,
  [TOPICS.inboundReceived]: inboundReceivedSchema,
  [TOPICS.replyDispatched]: replyDispatchedSchema,
  [TOPICS.deadLetter]: deadLetterSchema,
} as const satisfies Record<Topic, z.ZodType>;

export type TopicData<T extends Topic> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;
export type RequestReceived = TopicData<typeof TOPICS.requestReceived>;
export type RequestRouted = TopicData<typeof TOPICS.requestRouted>;
export type DeliveryDispatched = TopicData<typeof TOPICS.deliveryDispatched>;
export type PlannedDelivery = z.infer<typeof plannedDeliverySchema>;
export type DeliveryOutcome = TopicData<typeof TOPICS.deliveryOutcome>;
export type DeadLetter = TopicData<typeof TOPICS.deadLetter>;
export type AuditRecorded = TopicData<typeof TOPICS.auditRecorded>;
export type DeadlineReached = TopicData<typeof TOPICS.deadlineReached>;
export type InboundReceived = TopicData<typeof TOPICS.inboundReceived>;
export type PartnerMessage = z.infer<typeof partnerMessageSchema>;
export type PartnerRequest = z.infer<typeof partnerRequestSchema>;
export type PartnerAnswer = z.infer<typeof partnerAnswerSchema>;
export type ReplyDispatched = TopicData<typeof TOPICS.replyDispatched>;
