import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';

/**
 * The bare ceiling of this machine: the same kafkajs client producing and consuming the same
 * number of messages with no application logic, and PostgreSQL inserting the same number of
 * rows in batches.
 */
export async function kafkaCeiling(brokers: string[], messages: number, size = 1200): Promise<number> {
  const kafka = new Kafka({ clientId: 'ixr-bench-ceiling', brokers, logLevel: logLevel.NOTHING });
  const topic = `ixr.bench.ceiling.${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${topic}.group`, maxWaitTimeInMs: 50 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const payload = 'x'.repeat(size);
  let consumed = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (consumed >= messages) resolveDone();
    },
  });
  const started = process.hrtime.bigint();
  const batch = 500;
  for (let sent = 0; sent < messages; sent += batch) {
    const n = Math.min(batch, messages - sent);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({ key: `k${sent + i}`, value: payload })),
    });
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return messages / seconds;
}

export async function postgresCeiling(databaseUrl: string, rows: number, batch = 500): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A regular (WAL-logged) table, like the exchange log; dropped afterwards.
    await client.query('DROP TABLE IF EXISTS bench_ceiling');
    await client.query(
      'CREATE TABLE bench_ceiling (seq bigint PRIMARY KEY, event_id text UNIQUE, entry text, leaf_hash bytea, prev bytea)',
    );
    const entry = 'x'.repeat(600);
    const hash = Buffer.alloc(32, 1);
    const started = process.hrtime.bigint();
    for (let done = 0; done < rows; done += batch) {
      const n = Math.min(batch, rows - done);
      const values: string[] = [];
      const params: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const p = params.length;
        values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5})`);
        params.push(done + i, `e${done + i}`, entry, hash, hash);
      }
      await client.query('BEGIN');
      await client.query(`INSERT INTO bench_ceiling VALUES ${values.join(', ')}`, params);
      await client.query('COMMIT');
    }
    return rows / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_ceiling').catch(() => undefined);
    await client.end();
  }
}
