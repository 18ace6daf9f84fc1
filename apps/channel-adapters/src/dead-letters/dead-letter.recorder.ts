import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeadLetter, EventEnvelope } from '@ixr/messaging';

/**
 * Keeps every dead letter in PostgreSQL, where operators list and re-drive them through the API.
 * One row per failing service and message (a message two services failed on gives two rows);
 * recording the same dead letter again changes nothing.
 */
export class DeadLetterRecorder {
  constructor(private readonly dataSource: DataSource) {}

  async record(events: readonly EventEnvelope<DeadLetter>[]): Promise<void> {
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
