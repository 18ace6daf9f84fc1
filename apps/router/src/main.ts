import 'reflect-metadata';
import { KafkaTransport, kafkaSecurityOptions } from '@ixr/messaging';
import { withSecretFiles, checkDevelopmentDefaults, Clock, IdGenerator, loadConfig } from '@ixr/platform';
import { DeadlineMonitor } from './deadline-monitor';
import { createInfrastructure, serviceDatabaseUrl, startService } from '@ixr/runtime';
import { routerConfigSchema, routerDevelopmentDefaults } from './config';
import { RoutingConfigStore } from '@ixr/persistence';
import { CircuitEventsConsumer, CircuitHealth } from './circuits/circuit-health';
import { HandleInboundUseCase } from './inbound/handle-inbound.usecase';
import { databaseRoutingPolicy } from './routing-policy';
import { RouterModule } from './router.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(routerConfigSchema, withSecretFiles(['DATA_KEY_MASTER']));
  const developmentDefaults = checkDevelopmentDefaults('router', routerDevelopmentDefaults());
  const infra = await createInfrastructure({
    service: 'router',
    logLevel: config.LOG_LEVEL,
    databaseUrl: serviceDatabaseUrl('router', config),
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
    dataKeys: { master: config.DATA_KEY_MASTER, createsKeys: false },
  });
  for (const line of developmentDefaults) infra.logger.warn(line);
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-router',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/router',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    personalData: { mode: 'open', keyFor: (keyId) => infra.dataKeys.find(infra.dataSource, keyId) },
  });
  const routingConfig = new RoutingConfigStore(infra.dataSource);
  await routingConfig.refresh();
  routingConfig.startRefreshing(
    config.RULESET_REFRESH_MS,
    (error) => infra.logger.error({ err: error }, 'could not refresh the rule set; keeping the previous one'),
    infra.wakeups,
  );
  const monitor = new DeadlineMonitor(
    infra.dataSource,
    infra.relay!,
    new Clock(),
    new IdGenerator(),
    infra.logger,
    {
      intervalMs: config.DEADLINE_SCAN_MS,
      spocUnit: config.SPOC_UNIT,
    },
  );
  const circuits = new CircuitHealth(infra.logger, config.CIRCUIT_STALE_MS);
  const circuitEvents = new CircuitEventsConsumer(infra.kafka, circuits, infra.logger);
  await circuitEvents.start();
  const inbound = new HandleInboundUseCase(
    infra.dataSource,
    infra.relay!,
    routingConfig,
    new Clock(),
    new IdGenerator(),
    infra.logger,
    { spocUnit: config.SPOC_UNIT },
  );
  await startService({
    module: RouterModule.forRoot({
      infra,
      policy: databaseRoutingPolicy(routingConfig, circuits, infra.logger, { spocUnit: config.SPOC_UNIT }),
      inbound,
    }),
    infra,
    port: config.PORT,
    host: config.HOST,
    transport,
    onStarted: () => monitor.start(),
    onStopping: async () => {
      await circuitEvents.stop();
      await monitor.stop();
    },
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`router failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
