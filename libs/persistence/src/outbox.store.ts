import type { DataSource, EntityManager } from 'typeorm';
import type { ClaimedOutboxBatch, OutboxSource, OutgoingMessage, Topic } from '@ixr/messaging';

interface OutboxRow {
  id: string;
  topic: Topic;
  key: string;
  value: string;
}

/**
 * Adds messages to the outbox inside the caller's transaction. Each service relays only the rows
 * its own login wrote (row-level security on `writer`); a tool connected as the owner (the audit
 * CLI, log recovery) names the login of the service whose relay is to publish them.
 */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: readonly OutgoingMessage[],
  relayedBy?: string,
): Promise<void> {
  if (messages.length === 0) return;
  const values: string[] = [];
  const params: string[] = [];
  const writer = relayedBy === undefined ? 'current_user' : `$${messages.length * 3 + 1}`;
  messages.forEach((m, i) => {
    values.push(`($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}, ${writer})`);
    params.push(m.topic, m.key, m.value);
  });
  if (relayedBy !== undefined) params.push(relayedBy);
  await manager.query(`INSERT INTO outbox (topic, key, value, writer) VALUES ${values.join(', ')}`, params);
}

/**
 * Claims the oldest rows with FOR UPDATE SKIP LOCKED and deletes them in the same transaction,
 * which commits only after Kafka acknowledged them. Several relays may run side by side.
 */
export class PostgresOutboxSource implements OutboxSource {
  constructor(private readonly dataSource: DataSource) {}

  async claim(limit: number): Promise<ClaimedOutboxBatch | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result: { records: OutboxRow[] } = await runner.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
         ) RETURNING id, topic, key, value`,
        [limit],
        true,
      );
      const rows = result.records;
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        await runner.release();
        return null;
      }
      // RETURNING does not promise order; publish in insertion order.
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      const finish = async (commit: boolean): Promise<void> => {
        try {
          if (commit) await runner.commitTransaction();
          else await runner.rollbackTransaction();
        } finally {
          await runner.release();
        }
      };
      return {
        messages: rows.map((r) => ({ topic: r.topic, key: r.key, value: r.value })),
        commit: () => finish(true),
        rollback: () => finish(false),
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw error;
    }
  }
}
