import { z } from 'zod';
import {
  checkKafkaSecurityEnv,
  createKafka,
  ensureTopics,
  kafkaSecurityEnv,
  kafkaSecurityOptions,
} from '@ixr/messaging';
import {
  applyTableGrants,
  createDataSource,
  ensureServiceLogins,
  loginOf,
  OWNING_SERVICES,
  runMigrations,
  type OwningService,
  type ServiceLogin,
} from '@ixr/persistence';
import { createLogger, loadConfig } from '@ixr/platform';
import { serviceDatabaseUrls, type ServiceUrls } from './dev/postgres';

/**
 * Prepares a database and a Kafka cluster for IXR: applies pending migrations as the owner
 * (`databaseUrl`), creates each service's login (of `serviceUrls`) if missing and grants it exactly
 * its tables (TABLES in libs/persistence/src/table-owners.ts), and creates missing topics.
 * `npm run migrate` (DATABASE_URL, INTAKE_/ROUTER_/ADAPTERS_/LOG_DATABASE_URL and KAFKA_BROKERS
 * from the environment).
 */
export async function prepare(
  databaseUrl: string,
  serviceUrls: ServiceUrls,
  brokers: string[],
  log: (line: string) => void,
): Promise<void> {
  const dataSource = createDataSource({ url: databaseUrl, poolSize: 1, applicationName: 'ixr-migrate' });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
    const logins = {} as Record<OwningService, ServiceLogin>;
    for (const service of OWNING_SERVICES) logins[service] = loginOf(serviceUrls[service]);
    for (const line of await ensureServiceLogins(dataSource, logins)) log(line);
    const names = {} as Record<OwningService, string>;
    for (const service of OWNING_SERVICES) names[service] = logins[service].user;
    await applyTableGrants(dataSource, names);
    log('each service granted exactly its tables (README "Table owners")');
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
  prepare(url, serviceDatabaseUrls(url), brokers, (line) => process.stdout.write(`${line}\n`)).catch(
    (error: unknown) => {
      process.stderr.write(`migrate failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
