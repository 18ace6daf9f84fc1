import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KafkaTransport, type KafkaTransportOptions } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import type { HealthIndicator } from '@ixr/platform';
import type { Infrastructure } from './infrastructure';
import { INFRASTRUCTURE } from './infrastructure.module';

/*
 * What an app's root module may provide for `startService` to use (all optional). An app wires
 * its objects as Nest providers and hands the service these few parts by token.
 */

/** The Kafka transport attached as the service's consumer (its readiness joins /health). */
export const SERVICE_TRANSPORT = Symbol('SERVICE_TRANSPORT');
/** Health indicators beyond the database, Kafka and the consumers (`HealthIndicator[]`). */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
/** Routes and hooks installed on the Fastify app before Nest's (`HttpSetup`). */
export const HTTP_SETUP = Symbol('HTTP_SETUP');
/**
 * The service's background work (`BackgroundWork[]`): started in order once the application is
 * initialised, before the consumers attach and HTTP listens; stopped in order first at shutdown,
 * before the consumers drain.
 */
export const BACKGROUND_WORK = Symbol('BACKGROUND_WORK');

export type HttpSetup = (app: NestFastifyApplication) => void | Promise<void>;

export interface BackgroundWork {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** The transport settings an app chooses; the connection, publisher, logger and metrics are the service's. */
export type TransportSettings = Omit<KafkaTransportOptions, 'kafka' | 'publisher' | 'logger' | 'registry'>;

/** A Kafka transport on the service's own Kafka client, publisher (dead letters), logger and metrics. */
export function createKafkaTransport(infra: Infrastructure, settings: TransportSettings): KafkaTransport {
  return new KafkaTransport({
    kafka: infra.kafka,
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    ...settings,
  });
}

/**
 * Handlers receive personal data opened with the service's data keys (SPEC §10), the keys of a
 * batch read in one statement.
 */
export function openPersonalData(infra: Infrastructure): KafkaTransportOptions['personalData'] {
  return {
    mode: 'open',
    keyFor: (keyId) => infra.dataKeys.find(infra.dataSource, keyId),
    keysFor: (keyIds) => infra.dataKeys.findMany(infra.dataSource, keyIds),
  };
}

/** The `SERVICE_TRANSPORT` provider: the consumer `startService` attaches. */
export function serviceTransportProvider(
  settings: (infra: Infrastructure) => TransportSettings,
): FactoryProvider<KafkaTransport> {
  return {
    provide: SERVICE_TRANSPORT,
    useFactory: (infra: Infrastructure) => createKafkaTransport(infra, settings(infra)),
    inject: [INFRASTRUCTURE],
  };
}

/**
 * The active rule set and directory, loaded before the provider resolves (so before any event is
 * consumed or request answered), then refreshed when the database announces a change and every
 * `refreshMs` (the safety net) when given; a failed refresh keeps the previous one and is logged.
 */
export function routingConfigProvider(options: {
  refreshMs?: number;
  provide?: InjectionToken;
}): FactoryProvider<RoutingConfigStore> {
  return {
    provide: options.provide ?? RoutingConfigStore,
    useFactory: async (infra: Infrastructure) => {
      const store = new RoutingConfigStore(infra.dataSource);
      await store.refresh();
      if (options.refreshMs !== undefined)
        store.startRefreshing(
          options.refreshMs,
          (error) =>
            infra.logger.error({ err: error }, 'could not refresh the rule set; keeping the previous one'),
          infra.wakeups,
        );
      return store;
    },
    inject: [INFRASTRUCTURE],
  };
}

/** Health indicators for `HEALTH_INDICATORS`; a readiness check named after what it waits for. */
export function readinessIndicator(name: string, ready: () => boolean, message: string): HealthIndicator {
  return {
    name,
    check: () => (ready() ? Promise.resolve() : Promise.reject(new Error(message))),
  };
}
