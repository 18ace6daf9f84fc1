import {
  nonPublicAddress,
  partnerAddressPolicy,
  partnerUrlProblem,
  resolvedAddressProblem,
} from './partner-address.policy';

describe('partner address policy', () => {
  const production = partnerAddressPolicy(undefined, true);

  it.each([
    'http://127.0.0.1:3100/partners/siena/NL',
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/x',
    'https://[fe80::1]/x',
    'https://10.1.2.3/x',
    'https://192.168.0.10/x',
    'https://172.20.0.1/x',
    'https://[::ffff:127.0.0.1]/x',
    'https://[fd00::1]/x',
    'https://0.0.0.0/x',
    'http://siena.europa.example/x',
  ])('in production refuses %s', (url) => {
    expect(partnerUrlProblem(url, production)).toBeDefined();
  });

  it('names why: loopback, link-local, cleartext', () => {
    expect(partnerUrlProblem('https://127.0.0.1/x', production)).toContain('loopback');
    expect(partnerUrlProblem('https://169.254.169.254/x', production)).toContain('link-local');
    expect(partnerUrlProblem('http://siena.europa.example/x', production)).toContain('must use https');
  });

  it('accepts a public https endpoint, and a listed host', () => {
    expect(partnerUrlProblem('https://siena.europa.example/nl', production)).toBeUndefined();
    expect(partnerUrlProblem('https://203.0.113.9/x', production)).toBeUndefined();
    const listed = partnerAddressPolicy('partner-simulator, 10.1.2.3', true);
    expect(partnerUrlProblem('http://partner-simulator:3100/x', listed)).toBeUndefined();
    expect(partnerUrlProblem('https://10.1.2.3/x', listed)).toBeUndefined();
    expect(partnerUrlProblem('https://10.1.2.4/x', listed)).toBeDefined();
  });

  it('outside production allows the local simulator on loopback and cleartext, never the metadata address', () => {
    const development = partnerAddressPolicy(undefined, false);
    expect(partnerUrlProblem('http://127.0.0.1:3100/partners/siena/NL', development)).toBeUndefined();
    expect(partnerUrlProblem('http://localhost:3100/x', development)).toBeUndefined();
    expect(partnerUrlProblem('http://169.254.169.254/latest', development)).toContain('link-local');
    // An explicit list replaces the development hosts.
    expect(partnerUrlProblem('http://127.0.0.1:3100/x', partnerAddressPolicy('other', false))).toContain(
      'loopback',
    );
  });

  it('checks what a name resolves to', () => {
    expect(resolvedAddressProblem('partner.example', '10.0.0.5', production)).toContain(
      'partner.example resolves to 10.0.0.5',
    );
    expect(resolvedAddressProblem('partner.example', '169.254.169.254', production)).toContain('link-local');
    expect(resolvedAddressProblem('partner.example', '203.0.113.7', production)).toBeUndefined();
    expect(
      resolvedAddressProblem(
        'partner-simulator',
        '172.18.0.4',
        partnerAddressPolicy('partner-simulator', true),
      ),
    ).toBeUndefined();
    expect(nonPublicAddress('not-an-ip')).toBeUndefined();
  });
});
