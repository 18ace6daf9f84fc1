import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { loadOpsAccess } from './ops-access';
import { registerOpsRoutes } from './ops-http';

describe('ops routes', () => {
  const token = 'an-operations-token-of-32-characters-at-least';
  const indicators = () => [
    { name: 'postgres', check: () => Promise.reject(new Error('connection refused at db-7.internal')) },
  ];

  async function app(environment: NodeJS.ProcessEnv) {
    const fastify = Fastify({ logger: false });
    registerOpsRoutes(fastify, {
      service: 'router',
      registry: new Registry(),
      indicators,
      access: loadOpsAccess(environment),
    });
    await fastify.ready();
    return fastify;
  }

  it('in production, the service port shows the bare status and no metrics without the token', async () => {
    const fastify = await app({ NODE_ENV: 'production', OPS_TOKEN: token });
    const health = await fastify.inject({ url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ service: 'router', status: 'unavailable' });
    expect(health.body).not.toContain('db-7.internal');
    expect((await fastify.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await fastify.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token' } }))
        .statusCode,
    ).toBe(401);
    const detailed = await fastify.inject({ url: '/health', headers: { authorization: `Bearer ${token}` } });
    expect(detailed.json().checks.postgres.error).toContain('db-7.internal');
    expect(
      (await fastify.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(200);
  });

  it('in production without a token, details are nowhere on the service port', async () => {
    const fastify = await app({ NODE_ENV: 'production' });
    expect(
      (await fastify.inject({ url: '/metrics', headers: { authorization: 'Bearer ' } })).statusCode,
    ).toBe(401);
    expect((await fastify.inject({ url: '/health' })).json()).not.toHaveProperty('checks');
  });

  it('outside production (and on the admin port) everything is open', async () => {
    const fastify = await app({});
    expect((await fastify.inject({ url: '/health' })).json().checks.postgres.status).toBe('down');
    expect((await fastify.inject({ url: '/metrics' })).statusCode).toBe(200);
  });
});
