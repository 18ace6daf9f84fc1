import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ANSWER_BYTES, partnerRequest } from './partner-request';

/** A real local HTTP server standing in for a partner. */
async function partner(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('partnerRequest', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('sends method, headers and body, and reads status and answer', async () => {
    const seen: { method?: string; key?: string; length?: string; body: string }[] = [];
    const p = await partner((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          method: req.method,
          key: req.headers['idempotency-key'] as string,
          length: req.headers['content-length'],
          body,
        });
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"reference":"R-1"}');
      });
    });
    servers.push(p.server);
    const body = JSON.stringify({ subject: 'Jérôme' });
    const answer = await partnerRequest(`${p.url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
      body,
    });
    expect(answer).toEqual({ status: 202, ok: true, text: '{"reference":"R-1"}' });
    expect(seen).toEqual([{ method: 'POST', key: 'k-1', length: String(Buffer.byteLength(body)), body }]);
  });

  it('gives a 4xx or 5xx answer as such, not ok', async () => {
    const p = await partner((_req, res) => res.writeHead(503).end('down'));
    servers.push(p.server);
    expect(await partnerRequest(`${p.url}/health`, { method: 'GET' })).toEqual({
      status: 503,
      ok: false,
      text: 'down',
    });
  });

  it('aborts a hanging call for real when the signal fires', async () => {
    let closed = false;
    const controller = new AbortController();
    // The partner takes the request and never answers; the timeout fires once it holds it.
    const p = await partner((req) => {
      req.socket.on('close', () => (closed = true));
      controller.abort(new Error('timed out'));
    });
    servers.push(p.server);
    const call = partnerRequest(`${p.url}/messages`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    const deadline = Date.now() + 2000;
    while (!closed && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });

  it('rejects with the socket code when nobody listens', async () => {
    const p = await partner(() => undefined);
    const { url } = p;
    await new Promise((resolve) => p.server.close(resolve));
    await expect(partnerRequest(`${url}/health`, { method: 'GET' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('cuts an answer larger than a receipt can be', async () => {
    const p = await partner((_req, res) => res.writeHead(200).end(Buffer.alloc(MAX_ANSWER_BYTES + 10, 97)));
    servers.push(p.server);
    await expect(partnerRequest(`${p.url}/messages`, { method: 'GET' })).rejects.toThrow(
      `the answer exceeds ${MAX_ANSWER_BYTES} bytes`,
    );
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(partnerRequest('ftp://partner.example/messages', { method: 'GET' })).rejects.toThrow(
      'unsupported partner URL scheme ftp:',
    );
  });
});
