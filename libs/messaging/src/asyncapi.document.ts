import { z } from 'zod';
import { envelopeSchema } from './envelope';
import { DEAD_LETTER_SENDERS, TOPIC_PARTIES } from './topic-parties';
import { TOPIC_SCHEMAS } from './schemas';
import { DEFAULT_PARTITIONS, EVENT_TYPES, TOPICS, type Topic, type TopicKey } from './topics';

type JsonObject = Record<string, unknown>;

const DESCRIPTIONS: Record<TopicKey, string> = {
  requestReceived: 'A request was received (outbound from a unit, or inbound from a partner) and stored.',
  requestRouted:
    "The router's decision for a request, with its whole input (for replay) and the deliveries it planned.",
  deliveryDispatched:
    'A delivery released to its channel adapter, once its dispatched entry is durable in the exchange log.',
  deliveryOutcome: 'A delivery reached its partner or inbox, or failed for good.',
  auditRecorded:
    'A step that is not a pipeline hop — consultation, denial, export, rule-set or directory change — to be logged.',
  deadlineReached: "A request's deadline milestone: warnings at 50/75/90 %, then the breach.",
  inboundReceived:
    "A foreign partner's request, answer or case step (refusal, clarification, delay notice, withdrawal), received and verified by its channel adapter.",
  inboundRecorded:
    "A partner's message as the router placed it — a new request with its routing decision, or an answer or case step attached to a request or left for the SPOC queue: the intake stores it in requests and replies, which it alone writes.",
  replyDispatched:
    'A message on a request — reply, refusal, clarification question or answer, delay notice, withdrawal — released by the exchange log once its entry is durable, to be sent over the channel of the request.',
  caseMessageQueued:
    'A message on a request that a unit or the SPOC sends a partner (SPEC §8), queued with its row: the exchange log records it, then releases it as ixr.replies.dispatched; the router suspends or resumes the deadline on clarifications.',
  requestErased:
    "A request's personal data was erased (SPEC §10): its data key is deleted, so its sealed data on every topic and in every log entry is unreadable; each service clears what it holds of the request in its own tables.",
  circuitChanged:
    "A channel adapter's circuit breaker for one partner changed state, or is still open or half-open (re-announced on every report tick): the router routes around open circuits and ignores a state not re-announced within CIRCUIT_STALE_MS.",
  deadLetter: 'A message no consumer could handle (invalid, or failing beyond its retries), with the reason.',
};

/** The JSON Schema (draft-07, AsyncAPI's default dialect) of one topic's whole message. */
function payloadSchema(topic: Topic): JsonObject {
  const message = envelopeSchema.extend({
    type: z.literal(EVENT_TYPES[topic]),
    data: TOPIC_SCHEMAS[topic],
  });
  const json = z.toJSONSchema(message, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
    reused: 'inline',
  }) as JsonObject;
  delete json.$schema;
  return json;
}

/**
 * The AsyncAPI 3 document of every IXR topic: its address, its message (the CloudEvents-style
 * envelope with the topic's data schema — the very zod schemas the transport validates with), who
 * sends and who receives it, and the brokers' security. Deterministic, so that a test can compare
 * it with the checked-in docs/asyncapi.json and fail when a schema changed without it.
 */
export function buildAsyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  for (const [key, topic] of Object.entries(TOPICS) as [TopicKey, Topic][]) {
    channels[key] = {
      address: topic,
      title: topic,
      description: DESCRIPTIONS[key],
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
      bindings: { kafka: { topic, partitions: DEFAULT_PARTITIONS, bindingVersion: '0.5.0' } },
    };
    messages[key] = {
      name: EVENT_TYPES[topic],
      title: EVENT_TYPES[topic],
      summary: DESCRIPTIONS[key],
      contentType: 'application/json',
      correlationId: { location: '$message.payload#/correlationid' },
      payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payloadSchema(topic) },
      bindings: {
        kafka: {
          key: {
            type: 'string',
            description: 'the request id (envelope subject): one request stays ordered',
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    const parties = TOPIC_PARTIES[topic];
    const senders = topic === TOPICS.deadLetter ? DEAD_LETTER_SENDERS : parties.send;
    for (const [action, services] of [
      ['send', senders],
      ['receive', parties.receive],
    ] as const) {
      for (const service of services) {
        operations[`${service}.${action}.${key}`] = {
          action,
          title: `${service} ${action === 'send' ? 'sends' : 'receives'} ${topic}`,
          channel: { $ref: `#/channels/${key}` },
          messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
          ...(action === 'receive'
            ? { bindings: { kafka: { groupId: { type: 'string', const: `ixr-${service}.${topic}` } } } }
            : {}),
        };
      }
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IXR events',
      version: '1.0.0',
      description:
        'Every Kafka topic of the information-exchange router (SPEC §1). Every message is JSON with a CloudEvents-style ' +
        'envelope (specversion, id, type, source, time, subject = request id, correlationid, datacontenttype, data) and ' +
        'is keyed by the request id. Consumers validate each message against this schema before handling it; an invalid ' +
        'one goes to ixr.dead-letter with the reason. Generated by `npm run docs:asyncapi`.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The local single-node broker of `npm start` (plaintext, no authentication).',
      },
      production: {
        host: '{brokers}',
        protocol: 'kafka-secure',
        description:
          'A cluster with TLS (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE) and SASL/SCRAM ' +
          '(KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE).',
        variables: { brokers: { description: 'KAFKA_BROKERS: host:port[,host:port…]' } },
        security: [
          { $ref: '#/components/securitySchemes/scramSha512' },
          { $ref: '#/components/securitySchemes/scramSha256' },
        ],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scramSha512: { type: 'scramSha512', description: 'KAFKA_SASL_MECHANISM=scram-sha-512' },
        scramSha256: { type: 'scramSha256', description: 'KAFKA_SASL_MECHANISM=scram-sha-256' },
        plain: { type: 'plain', description: 'KAFKA_SASL_MECHANISM=plain (only over TLS)' },
      },
    },
  };
}

/** The document as checked in: stable formatting, one trailing newline. */
export function renderAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;
}
