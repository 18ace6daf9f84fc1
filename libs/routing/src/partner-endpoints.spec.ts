import { parseDirectory } from './directory.schema';
import { endpointUrlProblem, partnerEndpointFor, type PartnerEndpoint } from './partner-endpoints';
import { defaultDirectory } from './ruleset.loader';

describe('partner endpoints in the directory', () => {
  const shipped = defaultDirectory();
  const withEndpoints = (partnerEndpoints: unknown) =>
    parseDirectory({ ...JSON.parse(JSON.stringify(shipped)), partnerEndpoints });

  it('ships a relative endpoint for every foreign channel', () => {
    expect(partnerEndpointFor(shipped.partnerEndpoints, 'siena', 'NL')?.url).toBe('/partners/siena/NL');
    expect(partnerEndpointFor(shipped.partnerEndpoints, 'pccc', 'PCCC-HEERLEN')?.url).toBe(
      '/partners/pccc/PCCC-HEERLEN',
    );
    expect(partnerEndpointFor(shipped.partnerEndpoints, 'national_unit', 'FGP-ANTWERPEN')).toBeUndefined();
  });

  it('prefers the destination’s own entry to the channel’s "*" entry', () => {
    const endpoints: PartnerEndpoint[] = [
      { channel: 'siena', destination: '*', url: 'https://siena.example.eu/enu/{destination}/' },
      { channel: 'siena', destination: 'NL', url: 'https://politie.example.nl/siena' },
    ];
    expect(partnerEndpointFor(endpoints, 'siena', 'NL')?.url).toBe('https://politie.example.nl/siena');
    expect(partnerEndpointFor(endpoints, 'siena', 'DE')?.url).toBe('https://siena.example.eu/enu/DE');
    expect(partnerEndpointFor(endpoints, 'interpol', 'US')).toBeUndefined();
    expect(partnerEndpointFor(undefined, 'siena', 'NL')).toBeUndefined();
  });

  it('accepts http(s) URLs and single-slash paths, with the one placeholder', () => {
    for (const url of ['https://a.example/x/{destination}', 'http://10.0.0.1:8080', '/partners/siena/NL-ALT'])
      expect([url, endpointUrlProblem(url)]).toEqual([url, undefined]);
  });

  it.each([
    ['ftp://partner.example/x', /http or https/],
    ['partner.example/x', /neither an http\(s\) URL nor a path/],
    ['//partner.example/x', /single "\/"/],
    ['https://user:secret@partner.example', /credentials/],
    ['https://partner.example/x?y=1', /query or fragment/],
    ['/x/{country}', /unknown placeholder "\{country\}"/],
  ])('refuses %s, saying why', (url, why) => {
    expect(endpointUrlProblem(url)).toMatch(why);
  });

  it('names the bad entry by path and by partner when a directory is checked', () => {
    const endpoints = [...shipped.partnerEndpoints!];
    endpoints.push({ channel: 'siena', destination: 'NL', url: 'htp:/nowhere' });
    endpoints.push({ channel: 'siena', destination: '*', url: '/again' });
    const result = withEndpoints(endpoints);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    const at = shipped.partnerEndpoints!.length;
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          path: `partnerEndpoints[${at}].url`,
          message: expect.stringMatching(/^endpoint siena\/NL: "htp:\/nowhere"/),
        },
        { path: `partnerEndpoints[${at + 1}]`, message: expect.stringMatching(/siena\/\* is listed twice/) },
      ]),
    );
  });

  it('refuses a channel that reaches no foreign partner, and a foreign channel left without endpoint', () => {
    const result = withEndpoints([
      ...shipped.partnerEndpoints!.filter((e) => e.channel !== 'europol'),
      { channel: 'national_unit', destination: '*', url: '/x' },
    ]);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.path)).toContain(
      `partnerEndpoints[${shipped.partnerEndpoints!.length - 1}].channel`,
    );
    expect(withEndpoints(shipped.partnerEndpoints!.filter((e) => e.channel !== 'europol'))).toEqual({
      ok: false,
      errors: [
        { path: 'partnerEndpoints', message: expect.stringMatching(/no endpoint for channel\(s\) europol/) },
      ],
    });
  });

  it('still reads a directory version stored before endpoints were in it', () => {
    const { partnerEndpoints: _dropped, ...older } = JSON.parse(JSON.stringify(shipped)) as Record<
      string,
      unknown
    >;
    expect(parseDirectory(older).ok).toBe(true);
  });
});
