import 'reflect-metadata';
import { DEFAULT_RETRY_POLICY, KafkaTransport, kafkaSecurityOptions } from '@ixr/messaging';
import { loadConfig } from '@ixr/platform';
import { createInfrastructure, startService } from '@ixr/runtime';
import { AdaptersModule } from './adapters.module';
import { adaptersConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfig(adaptersConfigSchema);
  const infra = await createInfrastructure({
    service: 'channel-adapters',
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.DATABASE_URL,
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
  });
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-channel-adapters',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/channel-adapters',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    // The use case records a failed delivery at the last attempt, so the transport's bound is the same.
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.DELIVERY_MAX_ATTEMPTS },
  });
  await startService({
    module: AdaptersModule.forRoot({
      infra,
      partner: { baseUrl: config.PARTNER_BASE_URL, timeoutMs: config.PARTNER_TIMEOUT_MS },
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    }),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`channel-adapters failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
