import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TOPICS, type DeadLetter, type EventEnvelope, type TopicEvent } from '@ixr/messaging';
import { consumeBatches, type TopicHandler } from '../work/work-projector';

/**
 * Keeps every dead letter in PostgreSQL (`dead_letters`, the intake's table), where operators list
 * and re-drive them through the API. One row per failing service and message (a message two
 * services failed on gives two rows); recording the same dead letter again changes nothing.
 */
export class DeadLetterRecorder {
  constructor(private readonly dataSource: DataSource) {}

  /** The dead-letter topic of every service, a batch at a time. */
  handlers(): TopicHandler[] {
    return [consumeBatches(TOPICS.deadLetter, (events) => this.record(events))];
  }

  async record(events: readonly TopicEvent<typeof TOPICS.deadLetter>[]): Promise<void> {
    if (events.length === 0) return;
    const params: unknown[] = [];
    const rows = events.map((event) => {
      const d = event.data;
      const values = [
        deadLetterId(event),
        event.source,
        d.originalTopic,
        d.partition,
        d.offset,
        d.key,
        d.errorCode,
        d.errorMessage.slice(0, 4000),
        JSON.stringify(d.details),
        d.attempts,
        Buffer.from(d.payload, 'utf8'),
        event.time,
      ];
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await this.dataSource.query(
      `INSERT INTO dead_letters (id, source, original_topic, partition, "offset", key, error_code,
         error_message, details, attempts, payload, dead_lettered_at)
       VALUES ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`,
      params,
    );
  }
}

/** Stable per failing service and message position, and safe in a URL. */
export function deadLetterId(event: EventEnvelope<DeadLetter>): string {
  return `dl-${createHash('sha256').update(`${event.source}\n${event.id}`).digest('hex').slice(0, 32)}`;
}
