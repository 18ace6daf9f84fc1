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
   * A partner's message as the router placed it: a new request with its decision, or an answer or
   * case step attached to a request (or left for the SPOC queue). The intake, owner of `requests`
   * and `replies`, stores it from this event.
   */
  inboundRecorded: 'ixr.inbound.recorded',
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
   * The data-protection officer erased a request's personal data (SPEC §10): its data key is gone;
   * each service clears what it holds of the request in its own tables.
   */
  requestErased: 'ixr.requests.erased',
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
  [TOPICS.inboundRecorded]: 'ixr.inbound.recorded',
  [TOPICS.replyDispatched]: 'ixr.reply.dispatched',
  [TOPICS.caseMessageQueued]: 'ixr.case-message.queued',
  [TOPICS.requestErased]: 'ixr.request.erased',
  [TOPICS.circuitChanged]: 'ixr.circuit.changed',
  [TOPICS.deadLetter]: 'ixr.dead-letter',
} as const satisfies Record<Topic, string>;

export const DEFAULT_PARTITIONS = 6;

const DAY_MS = 86_400_000;
/**
 * How long the broker keeps each topic's events (`retention.ms`). Topics carry events from one
 * service to the next; the record is the exchange log, so a week covers any outage a consumer can
 * catch up from. Dead letters wait a month for an operator's re-drive. Personal data in events is
 * sealed (SPEC §10); past its retention even the ciphertext of an erased request is gone.
 */
export const TOPIC_RETENTION_MS = {
  [TOPICS.requestReceived]: 7 * DAY_MS,
  [TOPICS.requestRouted]: 7 * DAY_MS,
  [TOPICS.deliveryDispatched]: 7 * DAY_MS,
  [TOPICS.deliveryOutcome]: 7 * DAY_MS,
  [TOPICS.auditRecorded]: 7 * DAY_MS,
  [TOPICS.deadlineReached]: 7 * DAY_MS,
  [TOPICS.inboundReceived]: 7 * DAY_MS,
  [TOPICS.inboundRecorded]: 7 * DAY_MS,
  [TOPICS.replyDispatched]: 7 * DAY_MS,
  [TOPICS.caseMessageQueued]: 7 * DAY_MS,
  [TOPICS.requestErased]: 7 * DAY_MS,
  // Circuit states are re-announced on every report tick while not closed: a day is plenty.
  [TOPICS.circuitChanged]: DAY_MS,
  [TOPICS.deadLetter]: 30 * DAY_MS,
} as const satisfies Record<Topic, number>;
