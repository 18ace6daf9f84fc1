import { DEV_PARTNER_KEY_SEED } from '@ixr/messaging';
import { partnerKeySeed } from './adapters.wiring';

describe('partnerKeySeed', () => {
  it('derives keys from the development seed only while no partner is listed and no seed is set', () => {
    expect(partnerKeySeed({ PARTNER_KEYS: {}, PARTNER_KEY_SEED: undefined })).toBe(DEV_PARTNER_KEY_SEED);
  });

  it('derives none once partners are listed: an unlisted partner is refused', () => {
    expect(
      partnerKeySeed({ PARTNER_KEYS: { 'siena/NL': 'k'.repeat(32) }, PARTNER_KEY_SEED: undefined }),
    ).toBe(undefined);
  });

  it('uses a seed that is set, listed partners or not', () => {
    const seed = 's'.repeat(32);
    expect(partnerKeySeed({ PARTNER_KEYS: { 'siena/NL': 'k'.repeat(32) }, PARTNER_KEY_SEED: seed })).toBe(
      seed,
    );
    expect(partnerKeySeed({ PARTNER_KEYS: {}, PARTNER_KEY_SEED: seed })).toBe(seed);
  });
});
