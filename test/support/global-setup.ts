import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsconfig-paths';
import { Kafka, logLevel } from 'kafkajs';
// Jest's moduleNameMapper does not apply to global setup: resolve the @ixr/* aliases here.
register({ baseUrl: join(__dirname, '..', '..'), paths: { '@ixr/*': ['libs/*/src'] } });
import { ensureKafka } from '../../scripts/dev/kafka';
import { ensurePostgres, recreateDatabase } from '../../scripts/dev/postgres';
import { prepare } from '../../scripts/migrate';
import { saveTestEnvironment, testDatabaseUrl } from './test-env';

/**
 * Real infrastructure for the e2e suites: the Kafka broker (started if needed) and a PostgreSQL
 * database re-created empty, migrated, with every IXR topic deleted and created afresh.
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`[e2e setup] ${line}\n`);
  mkdirSync(join(__dirname, '..', '..', '.data'), { recursive: true });
  const { brokers } = ensureKafka();
  const postgres = await ensurePostgres(log);
  const databaseUrl = testDatabaseUrl(postgres.url);
  await recreateDatabase(databaseUrl);
  await resetTopics(brokers.split(','));
  await prepare(databaseUrl, brokers.split(','), log);
  saveTestEnvironment({ databaseUrl, brokers });
}

async function resetTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'ixr-e2e-setup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith('ixr.'));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30000 });
    // Deletion is asynchronous on the broker: wait until the names are gone before re-creating.
    const deadline = Date.now() + 30000;
    while ((await admin.listTopics()).some((t) => topics.includes(t))) {
      if (Date.now() > deadline) throw new Error('Kafka did not delete the old ixr.* topics within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('ixr-'));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
