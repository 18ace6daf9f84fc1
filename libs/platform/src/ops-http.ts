import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { checkHealth, type HealthIndicator } from './health';

/**
 * `GET /health` and `GET /metrics` (SPEC §2), registered on a service's Fastify instance.
 * Plain Fastify routes: they need no auth, DI or validation, and must stay cheap.
 */
export function registerOpsRoutes(
  fastify: FastifyInstance,
  options: { service: string; registry: Registry; indicators: () => readonly HealthIndicator[] },
): void {
  fastify.get('/health', async (_request, reply) => {
    const report = await checkHealth(options.indicators());
    return reply.code(report.status === 'ok' ? 200 : 503).send({ service: options.service, ...report });
  });
  fastify.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', options.registry.contentType).send(await options.registry.metrics());
  });
}
