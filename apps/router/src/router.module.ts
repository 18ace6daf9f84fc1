import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { DeliveryOutcomesUseCase } from './delivery-outcomes.usecase';
import {
  BACKGROUND_WORK,
  INFRASTRUCTURE,
  KAFKA,
  LOGGER,
  openPersonalData,
  routingConfigProvider,
  serviceTransportProvider,
  type Infrastructure,
} from '@ixr/runtime';
import { CaseDeadlineUseCase } from './case-deadline.usecase';
import { CircuitEventsConsumer, CircuitHealth } from './circuits/circuit-health';
import type { RouterConfig } from './config';
import { DeadlineMonitor } from './deadline-monitor';
import { HandleInboundUseCase } from './inbound/handle-inbound.usecase';
import { ROUTER_LOGGER, ROUTING_POLICY, RouteRequestUseCase } from './route-request.usecase';
import { RoutedRequestStore } from './routed-requests.store';
import { RouterController } from './router.controller';
import { databaseRoutingPolicy } from './routing-policy';

/**
 * The router's object graph. The rule set is loaded before the provider resolves, so before the
 * first event is consumed; the circuit events consumer and the deadline monitor are background
 * work (started before the consumers attach, stopped before they drain).
 */
@Module({})
export class RouterModule {
  static forRoot(config: RouterConfig): DynamicModule {
    const spocUnit = config.SPOC_UNIT;
    return {
      module: RouterModule,
      controllers: [RouterController],
      providers: [
        serviceTransportProvider((infra) => ({
          groupId: 'ixr-router',
          source: 'ixr/router',
          partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
          personalData: openPersonalData(infra),
        })),
        routingConfigProvider({ refreshMs: config.RULESET_REFRESH_MS }),
        { provide: ROUTER_LOGGER, useExisting: LOGGER },
        { provide: RoutedRequestStore, useValue: new RoutedRequestStore('router') },
        Clock,
        IdGenerator,
        RouteRequestUseCase,
        {
          provide: CaseDeadlineUseCase,
          useFactory: (dataSource: DataSource) => new CaseDeadlineUseCase(dataSource),
          inject: [DataSource],
        },
        {
          provide: CircuitHealth,
          useFactory: (logger: Logger) => new CircuitHealth(logger, config.CIRCUIT_STALE_MS),
          inject: [LOGGER],
        },
        {
          provide: CircuitEventsConsumer,
          useFactory: (kafka: Kafka, circuits: CircuitHealth, logger: Logger) =>
            new CircuitEventsConsumer(kafka, circuits, logger),
          inject: [KAFKA, CircuitHealth, LOGGER],
        },
        {
          provide: ROUTING_POLICY,
          useFactory: (routing: RoutingConfigStore, circuits: CircuitHealth, logger: Logger) =>
            databaseRoutingPolicy(routing, circuits, logger, { spocUnit }),
          inject: [RoutingConfigStore, CircuitHealth, LOGGER],
        },
        {
          provide: HandleInboundUseCase,
          useFactory: (
            dataSource: DataSource,
            relay: OutboxRelay,
            routing: RoutingConfigStore,
            clock: Clock,
            ids: IdGenerator,
            logger: Logger,
          ) => new HandleInboundUseCase(dataSource, relay, routing, clock, ids, logger, { spocUnit }),
          inject: [DataSource, OutboxRelay, RoutingConfigStore, Clock, IdGenerator, LOGGER],
        },
        {
          provide: DeadlineMonitor,
          useFactory: (
            dataSource: DataSource,
            relay: OutboxRelay,
            clock: Clock,
            ids: IdGenerator,
            logger: Logger,
            infra: Infrastructure,
          ) =>
            new DeadlineMonitor(dataSource, relay, clock, ids, logger, {
              intervalMs: config.DEADLINE_SCAN_MS,
              spocUnit,
              wakeups: infra.wakeups,
            }),
          inject: [DataSource, OutboxRelay, Clock, IdGenerator, LOGGER, INFRASTRUCTURE],
        },
        {
          provide: BACKGROUND_WORK,
          useFactory: (circuitEvents: CircuitEventsConsumer, monitor: DeadlineMonitor) => [
            circuitEvents,
            monitor,
          ],
          inject: [CircuitEventsConsumer, DeadlineMonitor],
        },
        {
          provide: DeliveryOutcomesUseCase,
          useFactory: (dataSource: DataSource) => new DeliveryOutcomesUseCase(dataSource),
          inject: [DataSource],
        },
      ],
    };
  }
}
