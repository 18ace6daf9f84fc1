import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsconfig-paths';
// Jest's moduleNameMapper does not apply to global setup: resolve the @ixr/* aliases here.
register({ baseUrl: join(__dirname, '..', '..'), paths: { '@ixr/*': ['libs/*/src'] } });
import { ensureKafka } from '../../scripts/dev/kafka';
import { ensurePostgres, onDatabase, recreateDatabase } from '../../scripts/dev/postgres';
import { prepare } from '../../scripts/migrate';
import { resetTopics } from './kafka-reset';
import { saveTestEnvironment, testDatabaseUrl } from './test-env';

/**
 * Real infrastructure for the e2e suites: the Kafka broker (started if needed) and a PostgreSQL
 * database re-created empty, migrated (with the services' login role), with every IXR topic
 * deleted and created afresh.
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`[e2e setup] ${line}\n`);
  mkdirSync(join(__dirname, '..', '..', '.data'), { recursive: true });
  const { brokers } = ensureKafka();
  const postgres = await ensurePostgres(log);
  const databaseUrl = testDatabaseUrl(postgres.url);
  // The services of the suites connect to the test database, each as its own login.
  const serviceDatabaseUrls = onDatabase(postgres.serviceUrls, databaseUrl);
  await recreateDatabase(databaseUrl);
  await resetTopics(brokers.split(','));
  await prepare(databaseUrl, serviceDatabaseUrls, brokers.split(','), log);
  saveTestEnvironment({ databaseUrl, serviceDatabaseUrls, brokers });
}
