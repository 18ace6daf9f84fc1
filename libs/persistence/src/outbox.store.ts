import type { DataSource, EntityManager } from 'typeorm';
import {
  sealPersonalData,
  type ClaimedOutboxBatch,
  type OutboxSource,
  type OutgoingMessage,
  type Topic,
} from '@ixr/messaging';
import { dataKeyVault } from './data-keys';

interface OutboxRow {
  id: string;
  topic: Topic;
  key: string;
  value: string;
}

/**
 * Adds messages to the outbox inside the caller's transaction. Personal data in them is sealed
 * under its request's data key first (SPEC §10): no outbox row and no event holds it clear. Each
 * service relays only the rows its own login wrote (row-level security on `writer`); a tool
 * connected as the owner (the audit CLI, log recovery) names the login of the service whose relay
 * is to publish them.
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
  let i = 0;
  for (const m of messages) {
    values.push(`($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}, ${writer})`);
    params.push(m.topic, m.key, await sealEventValue(manager, m.topic, m.value));
    i++;
  }
  if (relayedBy !== undefined) params.push(relayedBy);
  await manager.query(`INSERT INTO outbox (topic, key, value, writer) VALUES ${values.join(', ')}`, params);
}

/**
 * An event envelope (JSON) with its personal data sealed (SPEC §10), for every place that stores or
 * sends one: the outbox, the adapters' parked sends.
 */
export async function sealEventValue(manager: EntityManager, topic: string, value: string): Promise<string> {
  let envelope: { data?: unknown };
  try {
    envelope = JSON.parse(value) as { data?: unknown };
  } catch {
    return value; // a re-driven poison message goes out as it came
  }
  const data = await sealPersonalData(topic, envelope.data, (keyId) => {
    const vault = dataKeyVault();
    if (!vault)
      throw new Error('personal data in an event, but no data key vault is configured (DATA_KEY_MASTER)');
    return vault.keyFor(manager, keyId);
  });
  return data === envelope.data ? value : JSON.stringify({ ...envelope, data });
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
