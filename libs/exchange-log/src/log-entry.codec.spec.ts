import { canonicalBytes } from './canonical-json.codec';
import { ExchangeLogError } from './exchange-log.error';
import {
  decodeLogEntry,
  encodeLogEntry,
  GENESIS_PREV_LEAF_HASH,
  linksMatch,
  nextLogEntry,
} from './log-entry.codec';
import { leafHash } from './merkle.hasher';

const fields = {
  kind: 'routed',
  requestId: 'req-1',
  actor: { unit: 'SPOC', role: 'duty officer' },
  channel: 'siena',
};
const LINK = 'cd'.repeat(32);
const linkBytes = Buffer.from(LINK, 'hex');

describe('log entry codec', () => {
  it('writes the fields and the chain links as one flat canonical object', () => {
    const bytes = encodeLogEntry(12, 'ab'.repeat(32), { z: 1, a: { d: 2, c: 3 } });
    expect(bytes.toString('utf8')).toBe(
      `{"a":{"c":3,"d":2},"prevLeafHash":"${'ab'.repeat(32)}","seq":12,"z":1}`,
    );
  });

  it('chains entries from the genesis marker', () => {
    const first = nextLogEntry(null, fields);
    const second = nextLogEntry(first, { ...fields, kind: 'dispatched' });
    expect(first).toMatchObject({ seq: 0, prevLeafHash: GENESIS_PREV_LEAF_HASH });
    expect(first.leafHash).toBe(leafHash(first.bytes).toString('hex'));
    expect(second).toMatchObject({ seq: 1, prevLeafHash: first.leafHash });
    expect(decodeLogEntry(second.bytes)).toEqual({
      ...fields,
      kind: 'dispatched',
      seq: 1,
      prevLeafHash: first.leafHash,
    });
    expect(GENESIS_PREV_LEAF_HASH).toBe('0'.repeat(64));
  });

  it('produces the same bytes as canonicalising the whole entry (the writer in apps/exchange-log)', () => {
    const entry = { ...fields, seq: 3, prevLeafHash: LINK };
    expect(encodeLogEntry(3, LINK, fields)).toEqual(canonicalBytes(entry));
    expect(nextLogEntry({ seq: 2, leafHash: linkBytes }, fields).bytes).toEqual(canonicalBytes(entry));
  });

  it.each([
    ['extra whitespace', (s: string) => s.replace('"seq":', '"seq": ')],
    [
      'unsorted keys',
      (s: string) =>
        s.replace('{"actor":{"role":"duty officer","unit":"SPOC"},', '{').replace(/}$/, ',"actor":{}}'),
    ],
    ['a duplicate seq key', (s: string) => s.replace(/}$/, ',"seq":9}')],
    ['an escaped character JCS writes verbatim', (s: string) => s.replace('routed', 'rout\\u0065d')],
    [
      'uppercase hex',
      (s: string) => s.replace(/"prevLeafHash":"[0-9a-f]{64}"/, `"prevLeafHash":"${'AB'.repeat(32)}"`),
    ],
    ['a missing seq', (s: string) => s.replace(/,"seq":\d+/, '')],
    ['a fractional seq', (s: string) => s.replace(/"seq":\d+/, '"seq":1.5')],
    ['not JSON', () => '{"prevLeafHash":'],
    ['an array', () => '[1]'],
  ])('decodeLogEntry refuses %s', (_what, mutate) => {
    const canonical = nextLogEntry(null, fields).bytes.toString('utf8');
    const bytes = Buffer.from(mutate(canonical), 'utf8');
    expect(bytes.toString('utf8')).not.toBe(canonical);
    expect(() => decodeLogEntry(bytes)).toThrow(ExchangeLogError);
  });

  it('refuses fields that would fight the chain', () => {
    expect(() => encodeLogEntry(-1, GENESIS_PREV_LEAF_HASH, fields)).toThrow(/seq/);
    expect(() => encodeLogEntry(1.5, GENESIS_PREV_LEAF_HASH, fields)).toThrow(/seq/);
    expect(() => encodeLogEntry(1, 'abc', fields)).toThrow(/prevLeafHash/);
    expect(() => encodeLogEntry(1, GENESIS_PREV_LEAF_HASH, { ...fields, seq: 1 })).toThrow(
      /must not set seq/,
    );
    expect(() => encodeLogEntry(1, GENESIS_PREV_LEAF_HASH, { prevLeafHash: LINK })).toThrow(/must not set/);
    expect(() => encodeLogEntry(1, GENESIS_PREV_LEAF_HASH, ['x'] as never)).toThrow(/plain object/);
    expect(() => encodeLogEntry(1, GENESIS_PREV_LEAF_HASH, { at: new Date() })).toThrow(/Date/);
  });
});

describe('linksMatch (the in-place check of the hashed links)', () => {
  const text = (seq: number, rest = ''): Buffer =>
    Buffer.from(`{"a":1,"prevLeafHash":"${LINK}","seq":${seq}${rest}}`, 'utf8');

  it('finds seq and prevLeafHash wherever JCS puts them', () => {
    expect(linksMatch(text(1234), 1234, linkBytes)).toBe(true);
    expect(linksMatch(text(1234, ',"z":[1,{"b":"}"}]'), 1234, linkBytes)).toBe(true);
    const tricky = Buffer.from(`{"a":"\\"{[\\\\","prevLeafHash":"${LINK}","seq":1234}`);
    expect(JSON.parse(tricky.toString())).toEqual({ a: '"{[\\', prevLeafHash: LINK, seq: 1234 });
    expect(linksMatch(tricky, 1234, linkBytes)).toBe(true);
    expect(linksMatch(nextLogEntry(null, { x: 'y' }).bytes, 0, Buffer.alloc(32))).toBe(true);
    expect(linksMatch(encodeLogEntry(2 ** 53 - 1, LINK, {}), 2 ** 53 - 1, linkBytes)).toBe(true);
  });

  it.each([
    ['another seq', text(1234), 123],
    ['a longer seq', text(12345), 1234],
    ['a non-integer seq', Buffer.from(`{"prevLeafHash":"${LINK}","seq":1234.0}`), 1234],
    ['another link', Buffer.from(`{"prevLeafHash":"${'ce'.repeat(32)}","seq":1234}`), 1234],
    ['no seq', Buffer.from(`{"prevLeafHash":"${LINK}"}`), 1234],
    ['seq only inside a nested object', Buffer.from(`{"d":{"seq":1234},"prevLeafHash":"${LINK}"}`), 1234],
    ['link only inside a nested object', Buffer.from(`{"d":{"prevLeafHash":"${LINK}"},"seq":1234}`), 1234],
    ['seq only inside a string', Buffer.from(`{"d":"\\",\\"seq\\":1234","prevLeafHash":"${LINK}"}`), 1234],
    ['a duplicate seq', text(1234, ',"seq":1234'), 1234],
    ['a second top-level object', Buffer.from(`{"x":1}{"prevLeafHash":"${LINK}","seq":1234}`), 1234],
    ['an unterminated string', Buffer.from(`{"prevLeafHash":"${LINK}","seq":1234,"x":"}`), 1234],
    ['not an object', Buffer.from('"x"'), 0],
  ])('rejects bytes with %s', (_what, bytes, seq) => {
    expect(linksMatch(bytes, seq, linkBytes)).toBe(false);
  });
});
