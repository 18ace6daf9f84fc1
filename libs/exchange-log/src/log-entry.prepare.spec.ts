import fc from 'fast-check';
import { encodeLogEntry, GENESIS_PREV_LEAF_HASH, prepareLogEntry } from './log-entry.codec';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const fields = fc
  .dictionary(fc.string({ unit: 'grapheme-composite' }), fc.jsonValue(), { maxKeys: 12 })
  .filter((f) => !('seq' in f) && !('prevLeafHash' in f));

describe('prepareLogEntry (the writer encodes outside its lock)', () => {
  it('gives exactly the bytes encodeLogEntry gives, whatever the fields', () => {
    fc.assert(
      fc.property(fields, fc.nat({ max: 2 ** 40 }), hash, (f, seq, prev) => {
        expect(prepareLogEntry(f)(seq, prev).equals(encodeLogEntry(seq, prev, f))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('places the chain members among keys sorting before, between and after them', () => {
    const f = { a: 1, prevLeafHasi: 2, q: [3], sea: 'x', seqz: null, z: { y: 1 } };
    expect(prepareLogEntry(f)(7, GENESIS_PREV_LEAF_HASH).toString()).toBe(
      encodeLogEntry(7, GENESIS_PREV_LEAF_HASH, f).toString(),
    );
    expect(prepareLogEntry({})(0, GENESIS_PREV_LEAF_HASH).toString()).toBe(
      `{"prevLeafHash":"${GENESIS_PREV_LEAF_HASH}","seq":0}`,
    );
  });

  it('refuses what encodeLogEntry refuses', () => {
    expect(() => prepareLogEntry({ seq: 1 })).toThrow(/must not set seq/);
    expect(() => prepareLogEntry({ at: new Date() })).toThrow(/Date/);
    expect(() => prepareLogEntry({})(-1, GENESIS_PREV_LEAF_HASH)).toThrow(/seq/);
    expect(() => prepareLogEntry({})(1, 'ABC')).toThrow(/prevLeafHash/);
  });
});
