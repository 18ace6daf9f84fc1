import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { EventEnvelope } from './envelope';

export interface OutgoingMessage {
  /** A topic of TOPICS at IXR's call sites. */
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** Publishes to Kafka with acks from all in-sync replicas. One producer per process. */
export class EventPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    // The default (murmur2, Java-compatible) partitioner: one request's events share a partition.
    // Idempotent: a retried batch (e.g. after a leader change) is never written twice.
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 5,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async publishEnvelopes(topic: string, envelopes: readonly EventEnvelope[]): Promise<void> {
    await this.send(envelopes.map((e) => ({ topic, key: e.subject, value: JSON.stringify(e) })));
  }

  /** Sends messages grouped by topic in one request per broker; resolves when all are acknowledged. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, { key: string; value: string; headers?: Record<string, string> }[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(m.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
