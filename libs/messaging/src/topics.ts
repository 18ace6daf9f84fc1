/**
 * Every Kafka topic of IXR, in one place (SPEC §1: names start with `ixr.`).
 * Call sites use these constants, never string literals.
 */
export const TOPICS = {
  requestReceived: 'ixr.requests.received',
  requestRouted: 'ixr.requests.routed',
  deliveryDispatched: 'ixr.deliveries.dispatched',
  deliveryOutcome: 'ixr.deliveries.outcome',
  /** Steps that are not pipeline hops: consultations, exports, rule-set and directory changes. */
  auditRecorded: 'ixr.audit.recorded',
  /** A request's deadline milestone was reached: warnings at 50/75/90 %, then the breach. */
  deadlineReached: 'ixr.deadlines.reached',
  /** A foreign partner's request or answer, accepted (signature checked) by its channel adapter. */
  inboundReceived: 'ixr.inbound.received',
  /** A reply to a foreign request, to be sent back over the channel the request came on. */
  replyDispatched: 'ixr.replies.dispatched',
  deadLetter: 'ixr.dead-letter',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type Topic = (typeof TOPICS)[TopicKey];

/** CloudEvents `type` of each topic's events. */
export const EVENT_TYPES = {
  [TOPICS.requestReceived]: 'ixr.request.received',
  [TOPICS.requestRouted]: 'ixr.request.routed',
  [TOPICS.deliveryDispatched]: 'ixr.delivery.dispatched',
  [TOPICS.deliveryOutcome]: 'ixr.delivery.outcome',
  [TOPICS.auditRecorded]: 'ixr.audit.recorded',
  [TOPICS.deadlineReached]: 'ixr.deadline.reached',
  [TOPICS.inboundReceived]: 'ixr.inbound.received',
  [TOPICS.replyDispatched]: 'ixr.reply.dispatched',
  [TOPICS.deadLetter]: 'ixr.dead-letter',
} as const satisfies Record<Topic, string>;

export const DEFAULT_PARTITIONS = 6;
