import * as crypto from 'node:crypto';
import { EMPTY_ROOT_HASH, leafHash, nodeHash } from './merkle.hasher';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('RFC 6962 hashing', () => {
  it('hashes leaves as SHA-256(0x00 ‖ data) and nodes as SHA-256(0x01 ‖ left ‖ right)', () => {
    // The first leaf of the RFC 6962 reference tree is the empty string.
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    const [a, b] = [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))];
    expect(a).toEqual(sha256(Buffer.from([0]), Buffer.from('a')));
    expect(nodeHash(a, b)).toEqual(sha256(Buffer.from([1]), a, b));
    expect(nodeHash(a, b)).not.toEqual(nodeHash(b, a));
    expect(EMPTY_ROOT_HASH).toEqual(sha256());
  });

  it('keeps no state between calls, whatever the input sizes', () => {
    const big = crypto.createHash('sha512').update('seed').digest().toString('hex').repeat(2000); // 256 KB
    const sizes = [0, 1, 4095, 4096, 10_000, 65_535, 65_536, big.length, 3];
    const inputs = sizes.map((n) => Buffer.from(big.slice(0, n)));
    const expected = inputs.map((d) => sha256(Buffer.from([0]), d));
    expect(inputs.map(leafHash)).toEqual(expected);
    expect([...inputs].reverse().map(leafHash)).toEqual([...expected].reverse());
  });

  it('returns buffers the caller owns', () => {
    const first = leafHash(Buffer.from('x'));
    const copy = Buffer.from(first);
    leafHash(Buffer.from('y'));
    nodeHash(first, first);
    expect(first).toEqual(copy);
  });

  it('refuses node children that are not 32-byte hashes', () => {
    const h = leafHash(Buffer.from('x'));
    expect(() => nodeHash(h, h.subarray(1))).toThrow(/32-byte/);
    expect(() => nodeHash(Buffer.alloc(33), h)).toThrow(/32-byte/);
  });
});
