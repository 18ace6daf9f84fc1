import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DynamicModule } from '@nestjs/common';
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
import type { Infrastructure } from './infrastructure';

export interface ServiceOptions {
  module: DynamicModule;
  infra: Infrastructure;
  port: number;
  host: string;
  bodyLimit?: number;
  /** Headers, body, idle and kept-alive timeouts; default from HTTP_*_TIMEOUT_MS (README). */
  timeouts?: ListenerTimeouts;
  /** Answers for errors Fastify raises before any route runs (bad URL, parameter too long). */
  frameworkErrors?: FastifyServerOptions['frameworkErrors'];
  /** Consumers: the Kafka transport to attach; its readiness joins /health. */
  transport?: KafkaTransport;
  extraIndicators?: HealthIndicator[];
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** Background work to start once the service is up, and to stop before it closes. */
  onStarted?: () => void;
  onStopping?: () => Promise<void>;
}

/**
 * Boots a service: Fastify HTTP (for /health, /metrics and any API), the Kafka transport when the
 * service consumes, the outbox relay when it produces, and an orderly shutdown on SIGTERM/SIGINT:
 * stop fetching and drain in-flight events, close HTTP, flush the outbox, close connections.
 */
export async function startService(options: ServiceOptions): Promise<NestFastifyApplication> {
  const { infra } = options;
  const timeouts = listenerTimeoutOptions(options.timeouts ?? loadListenerTimeouts());
  const access = loadOpsAccess();
  const adapter = new FastifyAdapter({
    ...timeouts,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    logger: false,
    frameworkErrors: options.frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoNestLogger(infra.logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const transport = options.transport;
  const indicators: HealthIndicator[] = [...infra.indicators, ...(options.extraIndicators ?? [])];
  if (transport) {
    indicators.push({
      name: 'consumers',
      check: () =>
        transport.isReady()
          ? Promise.resolve()
          : Promise.reject(new Error('Kafka consumers have not joined their groups')),
    });
  }
  const ops = { service: infra.service, registry: infra.registry, indicators: () => indicators };
  registerOpsRoutes(fastify, { ...ops, access });
  // The admin port: /health in full and /metrics for the monitoring network, nothing else.
  let admin: FastifyInstance | undefined;
  if (access.adminPort !== undefined) {
    admin = Fastify({ ...timeouts, logger: false });
    registerOpsRoutes(admin, ops);
  }
  await options.configure?.(app);
  if (transport) {
    // Consumer services have no Nest HTTP controllers: the filter only ever sees RPC errors.
    app.useGlobalFilters(new RethrowRpcFilter());
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  }
  await app.init();
  if (transport) await app.startAllMicroservices();
  infra.relay?.start();
  await app.listen(options.port, options.host);
  await admin?.listen({ port: access.adminPort, host: access.adminHost });
  options.onStarted?.();
  infra.logger.info({ port: options.port }, `${infra.service} started`);

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    infra.logger.info({ signal }, 'shutting down: draining in-flight work');
    try {
      await options.onStopping?.();
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
