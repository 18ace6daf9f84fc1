import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError } from './config';
import { listenerTimeoutOptions, loadListenerTimeouts } from './listener-timeouts';

/** Sends one byte of a never-ending header every `everyMs` until the server closes the socket. */
function trickleHeaders(port: number, everyMs: number): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    });
    const timer = setInterval(() => socket.writable && socket.write('a'), everyMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, answer });
    });
    setTimeout(() => reject(new Error('the slow connection was never closed')), 20_000).unref();
  });
}

describe('listener timeouts', () => {
  let app: FastifyInstance;
  let port: number;
  const headersTimeout = 800;

  beforeAll(async () => {
    const timeouts = loadListenerTimeouts({
      HTTP_HEADERS_TIMEOUT_MS: String(headersTimeout),
      HTTP_REQUEST_TIMEOUT_MS: '5000',
    });
    app = Fastify({ ...listenerTimeoutOptions(timeouts), logger: false });
    app.get('/ping', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('closes a connection that sends its headers slowly at the header timeout (408)', async () => {
    const { closedAfterMs, answer } = await trickleHeaders(port, 100);
    expect(closedAfterMs).toBeGreaterThanOrEqual(headersTimeout - 50);
    // The server checks every headersTimeout/4: well before the 5 s request timeout.
    expect(closedAfterMs).toBeLessThan(headersTimeout * 3);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('still answers a prompt request', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(response.status).toBe(200);
  });

  it('names a bad setting, and keeps the header timeout within the request timeout', () => {
    expect(() => loadListenerTimeouts({ HTTP_IDLE_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() =>
      loadListenerTimeouts({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(loadListenerTimeouts({})).toEqual({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_IDLE_TIMEOUT_MS: 60_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    });
  });
});
