import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  createKafka,
  EventPublisher,
  KafkaHealth,
  OutboxRelay,
  type KafkaConnectionOptions,
} from '@ixr/messaging';
import {
  assertServiceConnection,
  configureDataKeys,
  createDataSource,
  DatabaseWakeups,
  DataKeyVault,
  parseDataKeyMaster,
  PostgresOutboxSource,
  serviceOfApp,
  WAKEUP_CHANNELS,
} from '@ixr/persistence';
import { createLogger, createMetricsRegistry, type HealthIndicator } from '@ixr/platform';

export interface InfrastructureOptions {
  service: string;
  logLevel: string;
  databaseUrl: string;
  dbPoolSize: number;
  kafka: Omit<KafkaConnectionOptions, 'clientId'>;
  /** Services that write events start an outbox relay. */
  outbox: boolean;
  /**
   * The master key of the data keys (`DATA_KEY_MASTER`, SPEC §10; the development one when
   * undefined), and whether this service creates data keys (the intake and the adapters do).
   */
  dataKeys: { master: string | undefined; createsKeys: boolean };
}

/** How often a relay looks for outbox rows that no notification announced. */
const OUTBOX_SAFETY_POLL_MS = 30_000;

/** The outside-world parts a service is made of, built once by startService and injected everywhere (InfrastructureModule). */
export interface Infrastructure {
  service: string;
  logger: Logger;
  registry: Registry;
  dataSource: DataSource;
  /** Seals and opens personal data (SPEC §10); the outbox seals with it. */
  dataKeys: DataKeyVault;
  kafka: Kafka;
  publisher: EventPublisher;
  relay?: OutboxRelay;
  /** Work woken by PostgreSQL notifications (LISTEN/NOTIFY) instead of polling. */
  wakeups: DatabaseWakeups;
  indicators: HealthIndicator[];
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL (waiting for it at boot, with a progress line per try, and refusing a
 * login that could change the exchange log) and prepares the Kafka client, publisher and outbox
 * relay. Nothing here reads the environment: apps pass options.
 */
export async function createInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const logger = createLogger(options.service, options.logLevel);
  const dataKeys = new DataKeyVault(
    parseDataKeyMaster(options.dataKeys.master),
    options.dataKeys.createsKeys,
  );
  configureDataKeys(dataKeys);
  const registry = createMetricsRegistry(options.service);
  const statements = new Counter({
    name: 'ixr_db_statements_total',
    help: 'Statements sent to PostgreSQL (round trips, BEGIN and COMMIT included)',
    registers: [registry],
  });
  const dataSource = createDataSource({
    url: options.databaseUrl,
    poolSize: options.dbPoolSize,
    applicationName: `ixr-${options.service}`,
    onStatement: () => statements.inc(),
  });
  await initializeWithRetry(dataSource, logger);
  await checkDatabaseLogin(dataSource, options.service, logger);
  const kafka = createKafka({ ...options.kafka, clientId: `ixr-${options.service}` }, logger);
  const publisher = new EventPublisher(kafka);
  const wakeups = new DatabaseWakeups({
    url: options.databaseUrl,
    applicationName: `ixr-${options.service}`,
    logger,
  });
  await wakeups.start();
  // The relay is woken by the commit of its own outbox rows (a trigger notifies the writer's
  // channel); the poll is only a safety net for a notification lost with its connection.
  const relay = options.outbox
    ? new OutboxRelay(new PostgresOutboxSource(dataSource), publisher, logger, {
        idleMs: OUTBOX_SAFETY_POLL_MS,
      })
    : undefined;
  if (relay) wakeups.on(WAKEUP_CHANNELS.outbox(await wakeups.login()), () => relay.nudge());
  const kafkaHealth = new KafkaHealth(kafka);
  const database: HealthIndicator = {
    name: 'postgres',
    check: async () => {
      await dataSource.query('SELECT 1');
    },
  };
  return {
    service: options.service,
    logger,
    registry,
    dataSource,
    dataKeys,
    kafka,
    publisher,
    relay,
    wakeups,
    indicators: [database, kafkaHealth],
    close: async () => {
      await relay?.stop();
      await wakeups.close();
      await publisher
        .disconnect()
        .catch((error: unknown) => logger.warn({ err: error }, 'producer close failed'));
      await kafkaHealth.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

async function initializeWithRetry(dataSource: DataSource, logger: Logger, attempts = 30): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.initialize();
      return;
    } catch (error) {
      if (attempt >= attempts) throw error;
      logger.warn({ attempt, err: error }, 'PostgreSQL not reachable yet; retrying in 1 s');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A login holding more than its service's grants stops the boot (the error names it and the fix). */
async function checkDatabaseLogin(dataSource: DataSource, app: string, logger: Logger): Promise<void> {
  const service = serviceOfApp(app);
  if (!service)
    throw new Error(`${app} has no table grants (TABLES in libs/persistence): it has no database`);
  try {
    const { login } = await assertServiceConnection(dataSource, service);
    logger.info({ login }, 'database login checked: exactly the grants of this service');
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
