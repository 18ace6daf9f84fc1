import 'reflect-metadata';
import { loadSignerKey } from '@ixr/exchange-log';
import { isDependencyUnavailable, KafkaTransport, kafkaSecurityOptions } from '@ixr/messaging';
import { withSecretFiles, checkDevelopmentDefaults, loadConfig } from '@ixr/platform';
import { createInfrastructure, serviceDatabaseUrl, startService } from '@ixr/runtime';
import {
  CheckpointScheduler,
  CheckpointSigner,
  checkpointFileAt,
  LogIntegrity,
  LogIntegrityError,
  LogWriter,
  nodeKeyFiles,
} from '@ixr/exchange-log-store';
import { exchangeLogConfigSchema, exchangeLogDevelopmentDefaults } from './config';
import { ExchangeLogModule } from './exchange-log.module';
import { registerLogRoutes } from './log-http';

async function bootstrap(): Promise<void> {
  const config = loadConfig(exchangeLogConfigSchema, withSecretFiles(['DATA_KEY_MASTER']));
  const developmentDefaults = checkDevelopmentDefaults(
    'exchange-log',
    exchangeLogDevelopmentDefaults(config),
  );
  // Before any connection: a configured key that cannot be read stops the boot, naming the setting.
  const key = loadSignerKey(
    {
      setting: 'LOG_SIGNING_KEY',
      inline: config.LOG_SIGNING_KEY,
      file: config.LOG_SIGNING_KEY_FILE,
      devFile: config.LOG_DEV_KEY_FILE,
      name: config.LOG_ORIGIN,
    },
    nodeKeyFiles,
  );
  const signer = new CheckpointSigner(config.LOG_ORIGIN, key.signer, key.verifierKey);
  const infra = await createInfrastructure({
    service: 'exchange-log',
    logLevel: config.LOG_LEVEL,
    databaseUrl: serviceDatabaseUrl('log', config),
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
    dataKeys: { master: config.DATA_KEY_MASTER, createsKeys: false },
  });
  for (const line of developmentDefaults) infra.logger.warn(line);
  // Published where the audit tools look for it when they were given no key of their own.
  await infra.dataSource.query('INSERT INTO exchange_log_keys (vkey) VALUES ($1) ON CONFLICT DO NOTHING', [
    key.verifierKey,
  ]);
  const integrity = new LogIntegrity(
    infra.logger,
    infra.registry,
    config.LOG_CHECKPOINT_FILE === undefined ? undefined : checkpointFileAt(config.LOG_CHECKPOINT_FILE),
  );
  const transport = new KafkaTransport({
    // A stopped writer (store behind its checkpoint) is a dependency away: events wait, none is dead-lettered.
    isTransient: (error) => error instanceof LogIntegrityError || isDependencyUnavailable(error),
    kafka: infra.kafka,
    groupId: 'ixr-exchange-log',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/exchange-log',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    personalData: { mode: 'sealed' },
  });
  let scheduler: CheckpointScheduler | undefined;
  await startService({
    module: ExchangeLogModule.forRoot({
      infra,
      signer,
      writer: { checkpointEvery: config.CHECKPOINT_EVERY, integrity },
    }),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
    extraIndicators: [
      {
        name: 'log-integrity',
        check: () => {
          const problem = integrity.problem();
          return problem ? Promise.reject(problem) : Promise.resolve();
        },
      },
    ],
    configure: async (app) => {
      // Before any event is taken: a store found behind its checkpoint stops the writer at once.
      await app
        .get(LogWriter)
        .verifyStore()
        .catch((error: unknown) => {
          if (!(error instanceof LogIntegrityError)) throw error;
        });
      registerLogRoutes(app.getHttpAdapter().getInstance(), infra.dataSource, key.verifierKey);
      scheduler = new CheckpointScheduler(app.get(LogWriter), config.CHECKPOINT_INTERVAL_MS, infra.logger);
    },
    onStarted: () => scheduler?.start(),
    onStopping: async () => scheduler?.stop(),
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`exchange-log failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
