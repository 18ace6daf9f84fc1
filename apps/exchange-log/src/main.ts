import 'reflect-metadata';
import { KafkaTransport, kafkaSecurityOptions } from '@ixr/messaging';
import { loadConfig } from '@ixr/platform';
import { createInfrastructure, startService } from '@ixr/runtime';
import { exchangeLogConfigSchema } from './config';
import { ExchangeLogModule } from './exchange-log.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(exchangeLogConfigSchema);
  const infra = await createInfrastructure({
    service: 'exchange-log',
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.DATABASE_URL,
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
  });
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-exchange-log',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/exchange-log',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
  });
  await startService({
    module: ExchangeLogModule.forRoot({ infra }),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`exchange-log failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
