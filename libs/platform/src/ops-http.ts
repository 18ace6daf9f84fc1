import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { checkHealth, type HealthIndicator } from './health';
import { hasOpsToken, type OpsAccess } from './ops-access';

export interface OpsRoutesOptions {
  service: string;
  registry: Registry;
  indicators: () => readonly HealthIndicator[];
  /** Who sees the details (default: everyone, as on an admin port). */
  access?: Pick<OpsAccess, 'openOnServicePort' | 'token'>;
}

/**
 * `GET /health` and `GET /metrics` (SPEC §2), registered on a service's Fastify instance.
 * Plain Fastify routes: they need no auth, DI or validation, and must stay cheap. Where details
 * are closed (production, service port), /health answers only its status code and overall status,
 * and /metrics answers 401, unless the caller shows the operations token.
 */
export function registerOpsRoutes(fastify: FastifyInstance, options: OpsRoutesOptions): void {
  const open = options.access?.openOnServicePort ?? true;
  const allowed = (authorization: string | undefined): boolean =>
    open || hasOpsToken(authorization, options.access?.token);
  fastify.get('/health', async (request, reply) => {
    const report = await checkHealth(options.indicators());
    const code = report.status === 'ok' ? 200 : 503;
    if (!allowed(request.headers.authorization)) {
      return reply.code(code).send({ service: options.service, status: report.status });
    }
    return reply.code(code).send({ service: options.service, ...report });
  });
  fastify.get('/metrics', async (request, reply) => {
    if (!allowed(request.headers.authorization)) {
      return reply.code(401).send({
        error: {
          code: 'AUTH.UNAUTHENTICATED',
          message: 'metrics are served on the admin port, or with the operations token',
          details: [],
        },
      });
    }
    return reply.header('content-type', options.registry.contentType).send(await options.registry.metrics());
  });
}
