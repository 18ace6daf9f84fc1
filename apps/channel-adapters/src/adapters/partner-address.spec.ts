import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { defaultDirectory, partnerAddressPolicy, type Directory } from '@ixr/routing';
import { PartnerEndpointRefusedError, PartnerEndpoints } from './partner-endpoints';
import { guardedLookup, partnerRequest } from './partner-request';

const production = partnerAddressPolicy(undefined, true);

function endpointsWith(url: string, baseUrl = 'http://127.0.0.1:3142', policy = production) {
  const directory: Directory = {
    ...defaultDirectory(),
    partnerEndpoints: [{ channel: 'siena', destination: 'NL', url }],
  };
  return new PartnerEndpoints(
    { latestDirectory: () => Promise.resolve({ directory, directoryVersion: directory.version }) },
    baseUrl,
    0,
    policy,
  );
}

/** A resolver that answers from a table, like DNS would. */
function fakeDns(table: Record<string, string[]>) {
  return ((hostname: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    const found = table[hostname];
    if (!found) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    return callback(
      null,
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof import('node:dns').lookup;
}

describe('partner endpoints at call time', () => {
  it.each([
    'https://169.254.169.254/latest/meta-data',
    'https://127.0.0.1:8443/siena',
    'http://politie.example.nl/siena',
  ])('refuses %s in production before any connection', async (url) => {
    await expect(endpointsWith(url).urlOf('siena', 'NL')).rejects.toThrow(PartnerEndpointRefusedError);
  });

  it('refuses a relative endpoint whose base is loopback in production, accepts it outside', async () => {
    await expect(endpointsWith('/partners/siena/{destination}').urlOf('siena', 'NL')).rejects.toThrow(
      /must use https/,
    );
    const httpsBase = endpointsWith('/partners/siena/{destination}', 'https://127.0.0.1:3142');
    await expect(httpsBase.urlOf('siena', 'NL')).rejects.toThrow(/loopback/);
    const development = endpointsWith(
      '/partners/siena/{destination}',
      undefined,
      partnerAddressPolicy(undefined, false),
    );
    await expect(development.urlOf('siena', 'NL')).resolves.toBe('http://127.0.0.1:3142/partners/siena/NL');
  });

  it('refuses a host name that resolves to a private or metadata address, after DNS', async () => {
    const lookup = guardedLookup(
      production,
      fakeDns({ 'evil.example': ['203.0.113.5', '169.254.169.254'], 'good.example': ['203.0.113.6'] }),
    );
    const resolve = (host: string) =>
      new Promise<string>((done, fail) =>
        lookup(host, { all: false }, (error, address) => (error ? fail(error) : done(address as string))),
      );
    await expect(resolve('evil.example')).rejects.toThrow('evil.example resolves to 169.254.169.254');
    await expect(resolve('good.example')).resolves.toBe('203.0.113.6');
  });

  describe('a real call through the guarded lookup', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end('{"reference":"r"}'));
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('never connects to a name resolving to loopback unless the host is allowed', async () => {
      const dns = fakeDns({ 'partner.example': ['127.0.0.1'] });
      const url = `http://partner.example:${port}/messages`;
      await expect(
        partnerRequest(url, { method: 'GET', lookup: guardedLookup(production, dns) }),
      ).rejects.toMatchObject({ code: 'EPARTNERADDRESS' });
      const allowed = guardedLookup(partnerAddressPolicy('partner.example', true), dns);
      await expect(partnerRequest(url, { method: 'GET', lookup: allowed })).resolves.toMatchObject({
        status: 200,
      });
    });
  });
});
