import { derivePartnerKey, signPartnerMessage, verifyPartnerSignature } from './partner-signature';

describe('partner signatures', () => {
  const partner = { channel: 'siena', id: 'NL' };
  const key = derivePartnerKey('a-seed-of-sixteen+', partner);
  const body = Buffer.from('{"kind":"answer","messageId":"m-1"}');
  const now = 1_800_000_000;
  const signed = (overrides: Partial<Parameters<typeof verifyPartnerSignature>[0]> = {}) =>
    verifyPartnerSignature({
      key,
      partner,
      timestamp: String(now),
      signature: signPartnerMessage(key, partner, String(now), body),
      body,
      nowSeconds: now + 10,
      maxSkewSeconds: 300,
      ...overrides,
    });

  it('accepts the partner’s own signature of the exact bytes', () => {
    expect(signed()).toEqual({ ok: true });
  });

  it('gives each partner its own key', () => {
    expect(derivePartnerKey('a-seed-of-sixteen+', { channel: 'siena', id: 'DE' })).not.toBe(key);
    expect(derivePartnerKey('another-seed-here', partner)).not.toBe(key);
  });

  it('refuses a missing, malformed, stale, altered or misattributed signature', () => {
    expect(signed({ signature: undefined })).toEqual({ ok: false, problem: 'missing' });
    expect(signed({ timestamp: undefined })).toEqual({ ok: false, problem: 'missing' });
    expect(signed({ signature: 'sha256=abc' })).toEqual({ ok: false, problem: 'malformed' });
    expect(signed({ timestamp: '12a' })).toEqual({ ok: false, problem: 'malformed' });
    expect(signed({ nowSeconds: now + 301 })).toEqual({ ok: false, problem: 'stale' });
    expect(signed({ nowSeconds: now - 301 })).toEqual({ ok: false, problem: 'stale' });
    expect(signed({ body: Buffer.from('{"kind":"answer","messageId":"m-2"}') })).toEqual({
      ok: false,
      problem: 'mismatch',
    });
    expect(signed({ partner: { channel: 'siena', id: 'DE' } })).toEqual({
      ok: false,
      problem: 'mismatch',
    });
    expect(
      signed({ key: derivePartnerKey('a-seed-of-sixteen+', { channel: 'interpol', id: 'NL' }) }),
    ).toEqual({
      ok: false,
      problem: 'mismatch',
    });
  });

  it('binds the timestamp: the same body re-timed does not verify', () => {
    const later = String(now + 60);
    expect(
      verifyPartnerSignature({
        key,
        partner,
        timestamp: later,
        signature: signPartnerMessage(key, partner, String(now), body),
        body,
        nowSeconds: now + 60,
        maxSkewSeconds: 300,
      }),
    ).toEqual({ ok: false, problem: 'mismatch' });
  });
});
