import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@ixr/messaging';
import { Clock, IdGenerator } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import { CaseDeadlineUseCase } from './case-deadline.usecase';
import { DeliveryOutcomesUseCase } from './delivery-outcomes.usecase';
import { HandleInboundUseCase } from './inbound/handle-inbound.usecase';
import {
  ROUTER_LOGGER,
  ROUTING_POLICY,
  RouteRequestUseCase,
  type RoutingPolicy,
} from './route-request.usecase';
import { RoutedRequestStore } from './routed-requests.store';
import { RouterController } from './router.controller';

@Module({})
export class RouterModule {
  static forRoot(options: {
    infra: Infrastructure;
    policy: RoutingPolicy;
    inbound: HandleInboundUseCase;
  }): DynamicModule {
    if (!options.infra.relay) throw new Error('the router needs an outbox relay');
    return {
      module: RouterModule,
      controllers: [RouterController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: ROUTING_POLICY, useValue: options.policy },
        { provide: ROUTER_LOGGER, useValue: options.infra.logger },
        { provide: RoutedRequestStore, useValue: new RoutedRequestStore('router') },
        { provide: HandleInboundUseCase, useValue: options.inbound },
        {
          provide: CaseDeadlineUseCase,
          useFactory: (dataSource: DataSource) => new CaseDeadlineUseCase(dataSource),
          inject: [DataSource],
        },
        {
          provide: DeliveryOutcomesUseCase,
          useFactory: (dataSource: DataSource) => new DeliveryOutcomesUseCase(dataSource),
          inject: [DataSource],
        },
        Clock,
        IdGenerator,
        RouteRequestUseCase,
      ],
    };
  }
}
