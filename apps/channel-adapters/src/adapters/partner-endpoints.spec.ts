import { defaultDirectory, type Directory } from '@ixr/routing';
import { PartnerEndpointMissingError, PartnerEndpoints } from './partner-endpoints';

describe('PartnerEndpoints', () => {
  function endpointsWith(directory: Directory, baseUrl = 'http://127.0.0.1:3142/') {
    let reads = 0;
    const endpoints = new PartnerEndpoints(
      {
        latestDirectory: () => {
          reads++;
          return Promise.resolve({ directory, directoryVersion: directory.version });
        },
      },
      baseUrl,
    );
    return { endpoints, reads: () => reads };
  }

  it('resolves the shipped relative endpoints against the base URL (the simulator locally)', async () => {
    const { endpoints } = endpointsWith(defaultDirectory());
    await expect(endpoints.urlOf('siena', 'NL')).resolves.toBe('http://127.0.0.1:3142/partners/siena/NL');
    await expect(endpoints.urlOf('europol', 'EUROPOL')).resolves.toBe(
      'http://127.0.0.1:3142/partners/europol/EUROPOL',
    );
  });

  it('uses absolute endpoints as they are, and reads the directory at every call', async () => {
    const directory: Directory = {
      ...defaultDirectory(),
      partnerEndpoints: [{ channel: 'siena', destination: 'NL', url: 'https://politie.example.nl/siena' }],
    };
    const { endpoints, reads } = endpointsWith(directory);
    await expect(endpoints.urlOf('siena', 'NL')).resolves.toBe('https://politie.example.nl/siena');
    await endpoints.urlOf('siena', 'NL');
    expect(reads()).toBe(2);
  });

  it('names the partner and the directory version when no endpoint serves it', async () => {
    const directory: Directory = { ...defaultDirectory(), version: 'v-test', partnerEndpoints: [] };
    const { endpoints } = endpointsWith(directory);
    const failure = endpoints.urlOf('interpol', 'US');
    await expect(failure).rejects.toBeInstanceOf(PartnerEndpointMissingError);
    await expect(failure).rejects.toThrow(/directory v-test has no endpoint for interpol partner US/);
  });
});
