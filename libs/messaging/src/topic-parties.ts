import { TOPICS, type Topic } from './topics';

/** The services of IXR, as they appear in the event documents. */
export type ServiceName = 'intake-api' | 'router' | 'channel-adapters' | 'exchange-log';

/**
 * Who writes and who reads each topic — the map the AsyncAPI document is built from. Declared for
 * every topic (a new topic without it fails to compile); keep it in step with the `@EventPattern`
 * handlers and the producers when a service starts or stops using a topic.
 */
export const TOPIC_PARTIES = {
  [TOPICS.requestReceived]: { send: ['intake-api'], receive: ['router', 'exchange-log', 'intake-api'] },
  [TOPICS.requestRouted]: { send: ['router'], receive: ['exchange-log', 'intake-api'] },
  [TOPICS.deliveryDispatched]: { send: ['exchange-log'], receive: ['channel-adapters'] },
  [TOPICS.deliveryOutcome]: { send: ['channel-adapters'], receive: ['exchange-log', 'intake-api', 'router'] },
  [TOPICS.auditRecorded]: { send: ['intake-api'], receive: ['exchange-log', 'intake-api'] },
  [TOPICS.deadlineReached]: { send: ['router'], receive: ['exchange-log', 'intake-api'] },
  [TOPICS.inboundReceived]: { send: ['channel-adapters'], receive: ['router'] },
  [TOPICS.inboundRecorded]: { send: ['router'], receive: ['intake-api'] },
  [TOPICS.replyDispatched]: { send: ['exchange-log'], receive: ['channel-adapters'] },
  [TOPICS.caseMessageQueued]: { send: ['intake-api'], receive: ['exchange-log', 'router'] },
  [TOPICS.requestErased]: { send: ['intake-api'], receive: ['router', 'channel-adapters', 'exchange-log'] },
  [TOPICS.circuitChanged]: { send: ['channel-adapters'], receive: ['router'] },
  [TOPICS.deadLetter]: { send: [], receive: ['intake-api'] },
} as const satisfies Record<Topic, { send: readonly ServiceName[]; receive: readonly ServiceName[] }>;

/** Every consuming service dead-letters what it cannot handle (libs/messaging KafkaTransport). */
export const DEAD_LETTER_SENDERS: readonly ServiceName[] = [
  'router',
  'channel-adapters',
  'exchange-log',
  'intake-api',
];
