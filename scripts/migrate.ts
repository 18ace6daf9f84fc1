import { z } from 'zod';
import {
  checkKafkaSecurityEnv,
  createKafka,
  ensureTopics,
  kafkaSecurityEnv,
  kafkaSecurityOptions,
} from '@ixr/messaging';
import { createDataSource, ensureServiceLogin, loginOf, runMigrations } from '@ixr/persistence';
import { createLogger, loadConfig } from '@ixr/platform';
import { serviceDatabaseUrl } from './dev/postgres';

/**
 * Prepares a database and a Kafka cluster for IXR: applies pending migrations as the owner
 * (`databaseUrl`), creates the services' login role of `serviceUrl` if missing, and creates missing
 * topics. `npm run migrate` (DATABASE_URL, SERVICE_DATABASE_URL and KAFKA_BROKERS from the environment).
 */
export async function prepare(
  databaseUrl: string,
  serviceUrl: string,
  brokers: string[],
  log: (line: string) => void,
): Promise<void> {
  const dataSource = createDataSource({ url: databaseUrl, poolSize: 1, applicationName: 'ixr-migrate' });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
    log(await ensureServiceLogin(dataSource, loginOf(serviceUrl)));
  } finally {
    await dataSource.destroy();
  }
  // The same KAFKA_SSL*/KAFKA_SASL* variables as the services (README "Kafka security").
  const security = kafkaSecurityOptions(
    loadConfig(z.object(kafkaSecurityEnv).superRefine(checkKafkaSecurityEnv)),
  );
  const kafka = createKafka(
    { clientId: 'ixr-migrate', brokers, ...security },
    createLogger('migrate', 'warn'),
  );
  const created = await ensureTopics(kafka);
  log(created.length ? `topics created: ${created.join(', ')}` : 'Kafka topics exist');
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  if (!url) {
    process.stderr.write('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/ixr)\n');
    process.exit(2);
  }
  prepare(url, serviceDatabaseUrl(url), brokers, (line) => process.stdout.write(`${line}\n`)).catch(
    (error: unknown) => {
      process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
