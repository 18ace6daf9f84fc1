import 'reflect-metadata';
import { DEFAULT_RETRY_POLICY, KafkaTransport, kafkaSecurityOptions } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import { checkDevelopmentDefaults, loadConfig, withSecretFiles } from '@ixr/platform';
import { createInfrastructure, serviceDatabaseUrl, startService } from '@ixr/runtime';
import { AdaptersModule } from './adapters.module';
import { wireAdapters } from './adapters.wiring';
import { adaptersConfigSchema, adaptersDevelopmentDefaults } from './config';
import { registerInboundRoutes } from './inbound/inbound.routes';

async function bootstrap(): Promise<void> {
  const environment = withSecretFiles(['PARTNER_KEYS', 'PARTNER_KEY_SEED', 'DATA_KEY_MASTER']);
  const config = loadConfig(adaptersConfigSchema, environment);
  const developmentDefaults = checkDevelopmentDefaults(
    'channel-adapters',
    adaptersDevelopmentDefaults(config, environment),
  );
  const infra = await createInfrastructure({
    service: 'channel-adapters',
    logLevel: config.LOG_LEVEL,
    databaseUrl: serviceDatabaseUrl('adapters', config),
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
    dataKeys: { master: config.DATA_KEY_MASTER, createsKeys: true },
  });
  for (const line of developmentDefaults) infra.logger.warn(line);
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-channel-adapters',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/channel-adapters',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    personalData: { mode: 'open', keyFor: (keyId) => infra.dataKeys.find(infra.dataSource, keyId) },
    // The quick attempts; after them a send is parked (see GuardedSend), never dead-lettered at once.
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.DELIVERY_MAX_ATTEMPTS },
  });
  // The directory names each partner's endpoint; read at every partner call, so edits apply at once.
  const directories = new RoutingConfigStore(infra.dataSource);
  await directories.refresh();
  const parts = wireAdapters(config, infra, directories);
  await startService({
    module: AdaptersModule.forRoot(parts),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
    configure: (app) =>
      registerInboundRoutes(app.getHttpAdapter().getInstance(), parts.inbound, infra.logger, infra.registry),
    onStarted: parts.start,
    onStopping: parts.stop,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`channel-adapters failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
