import { Module, type DynamicModule, type InjectionToken, type Type } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { RethrowRpcFilter, type KafkaTransport } from '@ixr/messaging';
import {
  listenerTimeoutOptions,
  loadListenerTimeouts,
  loadOpsAccess,
  PinoNestLogger,
  registerOpsRoutes,
  type HealthIndicator,
  type ListenerTimeouts,
} from '@ixr/platform';
import { createInfrastructure, type InfrastructureOptions } from './infrastructure';
import { InfrastructureModule } from './infrastructure.module';
import {
  BACKGROUND_WORK,
  HEALTH_INDICATORS,
  HTTP_SETUP,
  readinessIndicator,
  SERVICE_TRANSPORT,
  type BackgroundWork,
  type HttpSetup,
} from './service-parts';

export interface ServiceOptions {
  /** The connections; created before the Nest application and provided by `InfrastructureModule`. */
  infrastructure: InfrastructureOptions;
  /** The development defaults in use (`checkDevelopmentDefaults`), logged as warnings at boot. */
  developmentDefaults?: readonly string[];
  /** The app's root module: its providers, controllers and the parts in `service-parts.ts`. */
  module: DynamicModule | Type;
  port: number;
  host: string;
  bodyLimit?: number;
  /** Headers, body, idle and kept-alive timeouts; default from HTTP_*_TIMEOUT_MS (README). */
  timeouts?: ListenerTimeouts;
  /** Answers for errors Fastify raises before any route runs (bad URL, parameter too long). */
  frameworkErrors?: FastifyServerOptions['frameworkErrors'];
}

@Module({})
class ServiceRootModule {}

/**
 * Boots a service: its infrastructure (PostgreSQL, waited for; Kafka; the outbox relay when it
 * produces), the Nest application of the app's module on Fastify (for /health, /metrics and any
 * API), its background work, the Kafka transport when the module provides one, and an orderly
 * shutdown on SIGTERM/SIGINT: stop the background work, stop fetching and drain in-flight events,
 * close HTTP, flush the outbox, close connections.
 */
export async function startService(options: ServiceOptions): Promise<NestFastifyApplication> {
  const infra = await createInfrastructure(options.infrastructure);
  for (const line of options.developmentDefaults ?? []) infra.logger.warn(line);
  const timeouts = listenerTimeoutOptions(options.timeouts ?? loadListenerTimeouts());
  const access = loadOpsAccess();
  const adapter = new FastifyAdapter({
    ...timeouts,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    logger: false,
    frameworkErrors: options.frameworkErrors,
  });
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [InfrastructureModule.forRoot(infra), options.module],
  };
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: new PinoNestLogger(infra.logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const transport = provided<KafkaTransport>(app, SERVICE_TRANSPORT);
  const background = provided<BackgroundWork[]>(app, BACKGROUND_WORK) ?? [];
  const indicators: HealthIndicator[] = [
    ...infra.indicators,
    ...(provided<HealthIndicator[]>(app, HEALTH_INDICATORS) ?? []),
  ];
  if (transport) {
    indicators.push(
      readinessIndicator(
        'consumers',
        () => transport.isReady(),
        'Kafka consumers have not joined their groups',
      ),
    );
  }
  const ops = { service: infra.service, registry: infra.registry, indicators: () => indicators };
  registerOpsRoutes(fastify, { ...ops, access });
  // The admin port: /health in full and /metrics for the monitoring network, nothing else.
  let admin: FastifyInstance | undefined;
  if (access.adminPort !== undefined) {
    admin = Fastify({ ...timeouts, logger: false });
    registerOpsRoutes(admin, ops);
  }
  await provided<HttpSetup>(app, HTTP_SETUP)?.(app);
  if (transport) {
    // Consumer services have no Nest HTTP controllers: the filter only ever sees RPC errors.
    app.useGlobalFilters(new RethrowRpcFilter());
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  }
  await app.init();
  for (const work of background) await work.start();
  if (transport) await app.startAllMicroservices();
  infra.relay?.start();
  await app.listen(options.port, options.host);
  await admin?.listen({ port: access.adminPort, host: access.adminHost });
  infra.logger.info({ port: options.port }, `${infra.service} started`);

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    infra.logger.info({ signal }, 'shutting down: draining in-flight work');
    try {
      for (const work of background) await work.stop();
      await app.close();
      await admin?.close();
      await infra.close();
      infra.logger.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      infra.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return app;
}

/** A part the app's module may provide, or undefined when it does not. */
function provided<T>(app: NestFastifyApplication, token: InjectionToken): T | undefined {
  // Through ModuleRef, not the application: Nest's proxy around the application logs every
  // exception of its methods as an error, and a part an app does not provide is no error.
  try {
    return app.get(ModuleRef).get<T>(token, { strict: false });
  } catch {
    return undefined;
  }
}
