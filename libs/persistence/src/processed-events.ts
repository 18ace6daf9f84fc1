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

/**
 * Records many events at once (one statement); returns those that were not recorded before.
 * A concurrent transaction recording the same event makes this one wait for its outcome.
 */
export async function markProcessedMany(
  manager: EntityManager,
  consumer: string,
  eventIds: readonly string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows: { event_id: string }[] = await manager.query(
    `INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::text[])
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
}

/** Takes back records made in the same transaction, for events whose handling failed after all. */
export async function forgetProcessed(
  manager: EntityManager,
  consumer: string,
  eventIds: readonly string[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await manager.query(`DELETE FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::text[])`, [
    consumer,
    eventIds,
  ]);
}
