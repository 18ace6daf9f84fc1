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
  /**
   * A message on a request (a reply, refusal, clarification, delay notice, withdrawal), released by
   * the exchange log once its entry is durable, to be sent over the channel of the request.
   */
  replyDispatched: 'ixr.replies.dispatched',
  /**
   * A message on a request that IXR is to send a partner (a reply, refusal, clarification, delay
   * notice, withdrawal — SPEC §8), queued by the intake: logged, then released as `replyDispatched`.
   */
  caseMessageQueued: 'ixr.case-messages.queued',
  /**
   * A channel adapter's circuit breaker for one partner changed state (or, while not closed, is
   * still in it: re-announced on every report tick). The router routes around open circuits.
   */
  circuitChanged: 'ixr.circuits.changed',
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
  [TOPICS.caseMessageQueued]: 'ixr.case-message.queued',
  [TOPICS.circuitChanged]: 'ixr.circuit.changed',
  [TOPICS.deadLetter]: 'ixr.dead-letter',
} as const satisfies Record<Topic, string>;

export const DEFAULT_PARTITIONS = 6;
