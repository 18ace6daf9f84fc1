import { z } from 'zod';
import {
  AUDITED_LOG_ENTRY_KINDS,
  CASE_MESSAGE_KINDS,
  CHANNELS,
  DEADLINE_BASES,
  REFUSAL_GROUNDS,
  HANDLING_CODES,
  MISSION_TYPES,
  ROUTE_ROLES,
  UNIT_LEVELS,
  messageBodySchema,
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
  /** A request, or an own-initiative provision (SPEC §8): routed alike. */
  body: messageBodySchema,
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
    body: messageBodySchema,
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
  body: messageBodySchema,
});

export const deliveryOutcomeSchema = z.object({
  deliveryId: id,
  requestId: id,
  channel: z.enum(CHANNELS),
  destination: id,
  /** `cancelled`: the request was withdrawn before the delivery was made (SPEC §8). */
  outcome: z.enum(['delivered', 'failed', 'cancelled']),
  partnerReference: z.string().max(200).optional(),
  error: z.string().max(2000).optional(),
  attempts: z.number().int().positive(),
  at: isoTime,
});

/** The kinds an audit event may carry: derived from the one list (`LOG_ENTRY_KINDS`, @ixr/domain). */
export const AUDIT_KINDS = AUDITED_LOG_ENTRY_KINDS;

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

export const circuitChangedSchema = z.object({
  channel: z.string().min(1).max(40),
  destination: z.string().min(1).max(64),
  /** The adapter instance whose breaker it is (each instance has its own). */
  instance: z.string().min(1).max(200),
  state: z.enum(['closed', 'open', 'half_open']),
  /** When the breaker entered this state. */
  since: isoTime,
  /** When the adapter announced it: a state not re-announced within the router's bound is stale. */
  reportedAt: isoTime,
  reason: z.string().max(500),
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

/** A foreign partner's own-initiative provision (Art 7): like a request, with what it provides. */
export const partnerProvisionSchema = partnerRequestSchema
  .omit({ kind: true, informationSought: true })
  .extend({ kind: z.literal('provision'), informationProvided: body.informationSought });

/** A foreign partner's answer to one of our requests; `inReplyTo` names our request id. */
export const partnerAnswerSchema = z.strictObject({
  kind: z.literal('answer'),
  messageId: id,
  inReplyTo: id,
  handlingCode: z.enum(HANDLING_CODES),
  language: body.language,
  text: body.informationSought,
});

/**
 * A case step from a partner (SPEC §8). `inReplyTo` names the request it concerns: our request id
 * (a refusal, a clarification question, a delay notice about one of ours) or the partner's own
 * message id of its request (the answer to our clarification question, its withdrawal).
 */
const partnerStep = { messageId: id, inReplyTo: id, language: body.language };

/** The partner refuses one of our requests on an Art 6(1) ground, wholly or in part. */
export const partnerRefusalSchema = z.strictObject({
  kind: z.literal('refusal'),
  ...partnerStep,
  ground: z.enum(REFUSAL_GROUNDS),
  partial: z.boolean().optional(),
  reason: body.informationSought,
});

/** The partner asks for clarification of one of our requests: our deadline is suspended. */
export const partnerClarificationSchema = z.strictObject({
  kind: z.literal('clarification'),
  ...partnerStep,
  question: body.informationSought,
});

/** The partner answers the clarification we asked about its request: our clock resumes. */
export const partnerClarificationAnswerSchema = z.strictObject({
  kind: z.literal('clarification_answer'),
  ...partnerStep,
  answer: body.informationSought,
});

/** The partner needs judicial authorisation before answering one of ours (Art 5(2)). */
export const partnerDelayNoticeSchema = z.strictObject({
  kind: z.literal('delay_notice'),
  ...partnerStep,
  reason: body.informationSought,
  expectedBy: isoTime,
});

/** The partner withdraws its request. */
export const partnerWithdrawalSchema = z.strictObject({
  kind: z.literal('withdrawal'),
  ...partnerStep,
  reason: body.informationSought,
});

export const PARTNER_MESSAGE_KINDS = [
  'request',
  'provision',
  'answer',
  'refusal',
  'clarification',
  'clarification_answer',
  'delay_notice',
  'withdrawal',
] as const;

export const partnerMessageSchema = z.discriminatedUnion(
  'kind',
  [
    partnerRequestSchema,
    partnerProvisionSchema,
    partnerAnswerSchema,
    partnerRefusalSchema,
    partnerClarificationSchema,
    partnerClarificationAnswerSchema,
    partnerDelayNoticeSchema,
    partnerWithdrawalSchema,
  ],
  { error: `kind must be one of ${PARTNER_MESSAGE_KINDS.map((k) => `"${k}"`).join(', ')}` },
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
    /**
     * IXR's id of the request a case step concerns, when the adapter knows it (a clarification
     * answer or a withdrawal names the partner's own message id): its data key seals the text.
     */
    requestId: id.optional(),
  })
  .refine((m) => m.partner !== undefined || m.originCountry !== undefined, {
    message: 'names no partner: partner or originCountry is required',
    path: ['partner'],
  });

/**
 * A partner's message as the router placed it (SPEC §4.4, §8), for the intake to store: the
 * inbound event's fields as they came (`requestId` too: it chooses the key that seals the text),
 * and what the router decided of it.
 */
export const inboundRecordedSchema = z.object({
  inboundId: id,
  channel: z.enum(CHANNELS),
  partner: partnerIdSchema,
  originCountry: countryCode.optional(),
  receivedAt: isoTime,
  message: partnerMessageSchema,
  requestId: id.optional(),
  /** The request it is stored with: the new request itself, or the one a step concerns; absent: the SPOC queue. */
  attachedTo: id.optional(),
  /** Who gets it: the unit a new request is routed to, the unit a step concerns, or the SPOC. */
  unit: id,
  /** The partner, as the author of the message (a new request's requesting side). */
  author: actorSchema,
  /** The handling code of an answer or a step (a step without its own: its request's). */
  handlingCode: z.enum(HANDLING_CODES),
  /** An answer that came after the deadline of our request. */
  late: z.boolean(),
  /** A new request's routing decision (inbound routes end in a unit's inbox). */
  decision: decisionSchema.optional(),
  recordedAt: isoTime,
});

/**
 * A message IXR sends a partner about a request (SPEC §4.4, §8): a reply to a foreign request, a
 * refusal, a clarification question or answer, a delay notice, a withdrawal. The intake queues it
 * (`caseMessageQueued`); the exchange log records it and only then releases it (`replyDispatched`,
 * with the sequence number of its entry) to the adapters.
 */
export const caseMessageQueuedSchema = z.object({
  replyId: id,
  /** Absent in events from before the case steps: an answer. */
  kind: z.enum(CASE_MESSAGE_KINDS).default('answer'),
  requestId: id,
  channel: z.enum(CHANNELS),
  /** The partner the request came from: a country, a PCCC, a liaison post or EUROPOL. */
  destination: id,
  /** The partner's message id of the request answered. */
  inReplyTo: id,
  handlingCode: z.enum(HANDLING_CODES),
  language: z.string().min(2).max(3),
  text: z.string().min(1).max(4000),
  /** A refusal's Art 6(1) ground, and whether it covers only part of the request. */
  ground: z.enum(REFUSAL_GROUNDS).optional(),
  partial: z.boolean().optional(),
  /** A delay notice's expected date of the answer. */
  expectedBy: isoTime.optional(),
  /** A clarification answer: the id of the question it answers. */
  clarificationOf: id.optional(),
  /** An onward transfer: the originator's consent it relies on (Art 12), recorded in the log. */
  consentReference: z.string().min(1).max(200).optional(),
  author: actorSchema,
  at: isoTime,
});

/** A case message released to its adapter once its log entry is durable. */
export const replyDispatchedSchema = caseMessageQueuedSchema.extend({
  /** Sequence number of its entry in the exchange log (absent in events from before point 8). */
  logSeq: z.number().int().nonnegative().optional(),
});

/** A request's personal data was erased (SPEC §10): its data key is deleted already. */
export const requestErasedSchema = z.object({
  requestId: id,
  erasedAt: isoTime,
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
  [TOPICS.inboundRecorded]: inboundRecordedSchema,
  [TOPICS.replyDispatched]: replyDispatchedSchema,
  [TOPICS.caseMessageQueued]: caseMessageQueuedSchema,
  [TOPICS.requestErased]: requestErasedSchema,
  [TOPICS.circuitChanged]: circuitChangedSchema,
  [TOPICS.deadLetter]: deadLetterSchema,
} as const satisfies Record<Topic, z.ZodType>;

export type TopicData<T extends Topic> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;
export type RequestReceived = TopicData<typeof TOPICS.requestReceived>;
export type RequestRouted = TopicData<typeof TOPICS.requestRouted>;
export type DeliveryDispatched = TopicData<typeof TOPICS.deliveryDispatched>;
export type PlannedDelivery = z.infer<typeof plannedDeliverySchema>;
export type DeliveryOutcome = TopicData<typeof TOPICS.deliveryOutcome>;
export type DeadLetter = TopicData<typeof TOPICS.deadLetter>;
export type RequestErased = TopicData<typeof TOPICS.requestErased>;
export type AuditRecorded = TopicData<typeof TOPICS.auditRecorded>;
export type DeadlineReached = TopicData<typeof TOPICS.deadlineReached>;
export type InboundReceived = TopicData<typeof TOPICS.inboundReceived>;
export type InboundRecorded = TopicData<typeof TOPICS.inboundRecorded>;
export type PartnerMessage = z.infer<typeof partnerMessageSchema>;
export type PartnerRequest = z.infer<typeof partnerRequestSchema>;
export type PartnerAnswer = z.infer<typeof partnerAnswerSchema>;
export type ReplyDispatched = TopicData<typeof TOPICS.replyDispatched>;
export type CaseMessageQueued = TopicData<typeof TOPICS.caseMessageQueued>;
export type CircuitChanged = TopicData<typeof TOPICS.circuitChanged>;
export type PartnerRefusal = z.infer<typeof partnerRefusalSchema>;
export type PartnerClarification = z.infer<typeof partnerClarificationSchema>;
export type PartnerClarificationAnswer = z.infer<typeof partnerClarificationAnswerSchema>;
export type PartnerDelayNotice = z.infer<typeof partnerDelayNoticeSchema>;
export type PartnerWithdrawal = z.infer<typeof partnerWithdrawalSchema>;
export type PartnerProvision = z.infer<typeof partnerProvisionSchema>;
/** A partner message about an existing request: anything but a new request or provision. */
export type PartnerCaseStep = Exclude<PartnerMessage, PartnerRequest | PartnerProvision>;
