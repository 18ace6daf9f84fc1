import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { EventPublisher, OutboxRelay } from '@ixr/messaging';
import { DataKeyVault } from '@ixr/persistence';
import type { Infrastructure } from './infrastructure';

/** The whole `Infrastructure` of the service (rarely needed: inject the part instead). */
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
/** The service's pino logger. */
export const LOGGER = Symbol('LOGGER');
/** The service's Prometheus registry (served on /metrics). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** The kafkajs client (for consumers outside the service's transport). */
export const KAFKA = Symbol('KAFKA');

/** The injection types of the tokens above, for `@Inject(LOGGER) logger: Logger` and factories. */
export type { Kafka, Logger, Registry };

/**
 * The outside-world parts of a service as Nest providers, global so every module injects them:
 * `DataSource`, `OutboxRelay` (services that write events), `EventPublisher`, `DataKeyVault`, and
 * the tokens `LOGGER`, `METRICS_REGISTRY`, `KAFKA`, `INFRASTRUCTURE`. `startService` creates the
 * infrastructure before the Nest application (so waiting for PostgreSQL and a refused login read
 * as before) and imports this module next to the app's root module; apps never build it themselves.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    const providers = [
      { provide: INFRASTRUCTURE, useValue: infra },
      { provide: DataSource, useValue: infra.dataSource },
      { provide: DataKeyVault, useValue: infra.dataKeys },
      { provide: EventPublisher, useValue: infra.publisher },
      { provide: LOGGER, useValue: infra.logger },
      { provide: METRICS_REGISTRY, useValue: infra.registry },
      { provide: KAFKA, useValue: infra.kafka },
      ...(infra.relay ? [{ provide: OutboxRelay, useValue: infra.relay }] : []),
    ];
    return {
      module: InfrastructureModule,
      global: true,
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
