import type { DataSource } from 'typeorm';
import type { DeliveryOutcome, EventEnvelope } from '@ixr/messaging';
import { markProcessedMany } from '@ixr/persistence';

const CONSUMER = 'router-delivery-outcomes';

/** The channels whose delivery is a row of a unit's inbox, not a partner call. */
const INBOX_CHANNELS: readonly string[] = ['national_spoc', 'national_unit'];

interface RecordedRow {
  id: string;
  request_id: string;
  channel: string;
  destination: string;
  role: string;
  status: string;
  completed_at: Date;
}

/**
 * The outcome of each send, as the adapters announce it (`ixr.deliveries.outcome`), recorded on
 * the router's `deliveries`: the adapters keep their own send ledger and never write here. A
 * delivered national-channel delivery also lands in the unit's inbox (`unit_inbox`, the router's).
 * Each event is recorded once (processed_events), and only on a delivery still pending: a
 * redelivered, late or out-of-order event never changes an outcome recorded already.
 */
export class DeliveryOutcomesUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(events: readonly EventEnvelope<DeliveryOutcome>[]): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const fresh = await markProcessedMany(
        manager,
        CONSUMER,
        events.map((e) => e.id),
      );
      const outcomes = events.filter((e) => fresh.has(e.id)).map((e) => e.data);
      if (outcomes.length === 0) return;
      const recorded = rowsOf<RecordedRow>(
        await manager.query(
          `UPDATE deliveries AS d SET status = o.status, attempts = GREATEST(d.attempts, o.attempts),
                  partner_reference = o.partner_reference, last_error = o.last_error, completed_at = o.at
             FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::timestamptz[])
                  AS o(id, status, attempts, partner_reference, last_error, at)
            WHERE d.id = o.id AND d.status = 'pending'
            RETURNING d.id, d.request_id, d.channel, d.destination, d.role, d.status, d.completed_at`,
          [
            outcomes.map((o) => o.deliveryId),
            outcomes.map((o) => o.outcome),
            outcomes.map((o) => o.attempts),
            outcomes.map((o) => o.partnerReference ?? null),
            outcomes.map((o) => o.error ?? null),
            outcomes.map((o) => o.at),
          ],
        ),
      );
      const inbox = recorded.filter((r) => r.status === 'delivered' && INBOX_CHANNELS.includes(r.channel));
      if (inbox.length === 0) return;
      await manager.query(
        `INSERT INTO unit_inbox (delivery_id, unit, request_id, channel, role, received_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [
          inbox.map((r) => r.id),
          inbox.map((r) => r.destination),
          inbox.map((r) => r.request_id),
          inbox.map((r) => r.channel),
          inbox.map((r) => r.role),
          inbox.map((r) => r.completed_at),
        ],
      );
    });
  }
}

/** TypeORM returns [rows, affected] for UPDATE … RETURNING on postgres. */
function rowsOf<T>(result: unknown): T[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as T[];
}
