import type { EntityManager } from 'typeorm';

/**
 * Records that `consumer` handled `eventId`, inside the handler's transaction.
 * Returns false when it was already recorded: the caller then does nothing (idempotent consumer).
 */
export async function markProcessed(
  manager: EntityManager,
  consumer: string,
  eventId: string,
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventId],
  );
  return rows.length === 1;
}
