import Fastify from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@ixr/messaging';
import type { InboundReceiver } from './inbound-receiver';
import { registerInboundRoutes } from './inbound.routes';

describe('inbound endpoint, before the body is read', () => {
  async function app() {
    const received: unknown[] = [];
    const receiver = {
      receive: (input: unknown) => {
        received.push(input);
        return Promise.resolve({ reference: 'r' });
      },
    } as unknown as InboundReceiver;
    const fastify = Fastify({ logger: false });
    registerInboundRoutes(fastify, receiver, pino({ level: 'silent' }), new Registry());
    await fastify.ready();
    return { fastify, received };
  }
  const signed = { [SIGNATURE_HEADER]: `v1=${'a'.repeat(64)}`, [TIMESTAMP_HEADER]: '1700000000' };
  const big = Buffer.alloc(2 * 1024 * 1024, 0x20);

  it('refuses a missing or malformed signature without reading the body', async () => {
    const { fastify, received } = await app();
    for (const [headers, code] of [
      [{}, 'INBOUND.SIGNATURE_MISSING'],
      [{ [SIGNATURE_HEADER]: 'v1=zz', [TIMESTAMP_HEADER]: '1700000000' }, 'INBOUND.SIGNATURE_MALFORMED'],
    ] as const) {
      const response = await fastify.inject({
        method: 'POST',
        url: '/inbound/siena/NL',
        headers: { 'content-type': 'application/json', ...headers },
        payload: big,
      });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe(code);
    }
    expect(received).toEqual([]);
  });

  it('refuses a body announced larger than a partner message before reading it', async () => {
    const { fastify, received } = await app();
    const response = await fastify.inject({
      method: 'POST',
      url: '/inbound/siena/NL',
      headers: { 'content-type': 'application/json', ...signed },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('INBOUND.TOO_LARGE');
    expect(received).toEqual([]);
  });

  it('hands a well-formed signed message to the receiver', async () => {
    const { fastify, received } = await app();
    const response = await fastify.inject({
      method: 'POST',
      url: '/inbound/siena/NL',
      headers: { 'content-type': 'application/json', ...signed },
      payload: '{"kind":"answer"}',
    });
    expect(response.statusCode).toBe(202);
    expect(received).toHaveLength(1);
  });
});
