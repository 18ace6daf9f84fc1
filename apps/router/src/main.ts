import 'reflect-metadata';
import { KafkaTransport } from '@ixr/messaging';
import { loadConfig } from '@ixr/platform';
import { createInfrastructure, startService } from '@ixr/runtime';
import { routerConfigSchema } from './config';
import { defaultRoutingPolicy } from './routing-policy';
import { RouterModule } from './router.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(routerConfigSchema);
  const infra = await createInfrastructure({
    service: 'router',
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.DATABASE_URL,
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS },
    outbox: true,
  });
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-router',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/router',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
  });
  await startService({
    module: RouterModule.forRoot({ infra, policy: defaultRoutingPolicy({ spocUnit: config.SPOC_UNIT }) }),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`router failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
