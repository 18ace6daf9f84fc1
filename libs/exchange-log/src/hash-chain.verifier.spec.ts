import { type ChainReport, ChainVerifier, verifyChain, verifyChainSync } from './hash-chain.verifier';
import { canonicalBytes } from './canonical-json.codec';
import { encodeLogEntry, nextLogEntry, type StoredEntry } from './log-entry.codec';
import { EMPTY_ROOT_HASH, leafHash } from './merkle.hasher';
import { MemoryTree } from './memory-tree.store';

type Row = { seq: number; prevLeafHash: string; bytes: Buffer; leafHash: string };

function buildLog(size: number, from: Row | null = null, tag = 'original'): Row[] {
  const rows: Row[] = [];
  let previous = from;
  for (let i = 0; i < size; i++) {
    previous = nextLogEntry(previous, {
      kind: 'received',
      requestId: `req-${tag}-${i}`,
      actor: { unit: 'SPOC' },
    });
    rows.push(previous);
  }
  return rows;
}

const SIZE = 20;
const K = 7; // where the tampering happens
const log = buildLog(SIZE);
const treeOf = (rows: readonly Row[]): MemoryTree => {
  const tree = new MemoryTree();
  for (const row of rows) tree.appendData(row.bytes);
  return tree;
};
const signedTree = treeOf(log);
const head = (size: number) => ({ size, rootHash: signedTree.root(size) });

/** Each tampering kind, with the report it must produce. */
const tamperings: [string, () => StoredEntry[], Partial<ChainReport>][] = [
  [
    'a changed byte in an entry',
    () =>
      log.map((r, i) =>
        i === K ? { ...r, bytes: Buffer.from(r.bytes.toString().replace('req-', 'reQ-')) } : r,
      ),
    { firstBadSeq: K, failure: 'LEAF_HASH' },
  ],
  [
    'a changed byte in the hashed seq',
    () =>
      log.map((r, i) =>
        i === K ? { ...r, bytes: Buffer.from(r.bytes.toString().replace('"seq":7', '"seq":8')) } : r,
      ),
    { firstBadSeq: K, failure: 'EMBEDDED_LINK' },
  ],
  [
    'a changed entry whose stored leaf hash was recomputed',
    () =>
      log.map((r, i) => {
        if (i !== K) return r;
        const bytes = Buffer.from(r.bytes.toString().replace('req-', 'reQ-'));
        return { ...r, bytes, leafHash: leafHash(bytes).toString('hex') };
      }),
    { firstBadSeq: K + 1, failure: 'PREV_LINK' },
  ],
  ['a deleted entry (gap)', () => log.filter((_, i) => i !== K), { firstBadSeq: K, failure: 'SEQUENCE' }],
  [
    'a deleted entry with later seqs renumbered',
    () => log.filter((_, i) => i !== K).map((r, i) => ({ ...r, seq: i })),
    { firstBadSeq: K, failure: 'PREV_LINK' },
  ],
  [
    'an inserted entry reusing a seq',
    () => [...log.slice(0, K), buildLog(1, log[K - 1], 'forged')[0], ...log.slice(K)],
    { firstBadSeq: K, failure: 'SEQUENCE' },
  ],
  [
    'an inserted entry with later seqs renumbered',
    () =>
      [...log.slice(0, K), buildLog(1, log[K - 1], 'forged')[0], ...log.slice(K)].map((r, i) => ({
        ...r,
        seq: i,
      })),
    { firstBadSeq: K, failure: 'INSERTED' },
  ],
  [
    'two entries swapped in storage',
    () => [...log.slice(0, K), log[K + 1], log[K], ...log.slice(K + 2)],
    { firstBadSeq: K, failure: 'SEQUENCE' },
  ],
  [
    'two entries swapped under their seq numbers',
    () => [...log.slice(0, K), { ...log[K + 1], seq: K }, { ...log[K], seq: K + 1 }, ...log.slice(K + 2)],
    { firstBadSeq: K, failure: 'PREV_LINK' },
  ],
  [
    'a bad stored leaf hash',
    () => log.map((r, i) => (i === K ? { ...r, leafHash: 'f'.repeat(64) } : r)),
    { firstBadSeq: K, failure: 'LEAF_HASH' },
  ],
  [
    'a stored leaf hash in uppercase hex (not what the writer stores)',
    () => log.map((r, i) => (i === K ? { ...r, leafHash: r.leafHash.toUpperCase() } : r)),
    { firstBadSeq: K, failure: 'LEAF_HASH' },
  ],
  [
    'a bad stored prevLeafHash',
    () => log.map((r, i) => (i === K ? { ...r, prevLeafHash: '0'.repeat(64) } : r)),
    { firstBadSeq: K, failure: 'PREV_LINK' },
  ],
  [
    'a first entry that does not start from genesis',
    () => [{ ...log[0], prevLeafHash: '1'.repeat(64) }, ...log.slice(1)],
    { firstBadSeq: 0, failure: 'PREV_LINK' },
  ],
  [
    'a row without bytes',
    () => log.map((r, i) => (i === K ? ({ ...r, bytes: 42 } as unknown as Row) : r)),
    { firstBadSeq: K, failure: 'MALFORMED' },
  ],
];

describe('verifyChain', () => {
  it('accepts an intact log and returns the root of its Merkle tree', async () => {
    const expected = { ok: true, checked: SIZE, rootHash: signedTree.root() };
    expect(verifyChainSync(log)).toEqual(expected);
    expect(await verifyChain(log)).toEqual(expected);
    expect(verifyChainSync(log, { checkpoints: [head(0), head(5), head(SIZE)], strict: true })).toEqual(
      expected,
    );
    expect(verifyChainSync([])).toEqual({ ok: true, checked: 0, rootHash: EMPTY_ROOT_HASH });
  });

  it('accepts hashes stored as raw bytes (bytea) as well as hex', () => {
    const binary = log.map((r) => ({
      ...r,
      prevLeafHash: Buffer.from(r.prevLeafHash, 'hex'),
      leafHash: Buffer.from(r.leafHash, 'hex'),
    }));
    expect(verifyChainSync(binary).ok).toBe(true);
    const bad = binary.map((r, i) => (i === K ? { ...r, leafHash: r.leafHash.subarray(1) } : r));
    expect(verifyChainSync(bad)).toMatchObject({ ok: false, firstBadSeq: K, failure: 'LEAF_HASH' });
  });

  it.each(tamperings)('names the first bad seq for %s', async (_kind, tamper, expected) => {
    const rows = tamper();
    const report = verifyChainSync(rows);
    expect(report).toMatchObject({ ok: false, checked: expected.firstBadSeq, ...expected });
    expect(report.reason).toEqual(expect.stringContaining(`seq ${String(expected.firstBadSeq)}`));
    expect(report.rootHash).toBeUndefined();
    expect(await verifyChain(rows)).toEqual(report);
  });

  it('detects a tail cut against the last signed checkpoint', () => {
    const cut = log.slice(0, 15);
    expect(verifyChainSync(cut).ok).toBe(true); // a clean cut is invisible without a checkpoint
    expect(verifyChainSync(cut, { checkpoints: [head(10), head(SIZE)] })).toMatchObject({
      ok: false,
      checked: 15,
      firstBadSeq: 15,
      failure: 'TRUNCATED',
    });
    expect(verifyChainSync([], { checkpoints: [head(1)] })).toMatchObject({
      firstBadSeq: 0,
      failure: 'TRUNCATED',
    });
    expect(verifyChainSync(cut, { checkpoints: [head(15)] }).ok).toBe(true);
  });

  it('detects a consistently re-chained rewrite through the signed root', () => {
    // Replace entry K and recompute every later link: the chain alone cannot tell.
    const forged = buildLog(1, log[K - 1], 'forged');
    const rewritten = [...log.slice(0, K), ...forged, ...buildLog(SIZE - K - 1, forged[0])];
    expect(verifyChainSync(rewritten).ok).toBe(true);
    expect(verifyChainSync(rewritten, { checkpoints: [head(4), head(SIZE), head(12)] })).toEqual({
      ok: false,
      checked: 4,
      failure: 'CHECKPOINT_ROOT',
      reason: expect.stringContaining('between seq 4 and 11') as string,
      badRange: { from: 4, to: 12 },
    });
  });

  it('holds a non-canonical but well-linked entry only in strict mode', () => {
    const prefix = log.slice(0, K);
    const previous = prefix[K - 1];
    const loose = Buffer.from(`{"prevLeafHash":"${previous.leafHash}","seq":${K},"value":{"z":1,"a":2}}`);
    const odd: Row = {
      seq: K,
      prevLeafHash: previous.leafHash,
      bytes: loose,
      leafHash: leafHash(loose).toString('hex'),
    };
    const rows = [...prefix, odd, ...buildLog(3, odd)];
    expect(verifyChainSync(rows).ok).toBe(true);
    expect(verifyChainSync(rows, { strict: true })).toMatchObject({
      firstBadSeq: K,
      failure: 'NOT_CANONICAL',
    });
  });

  it('reads async sources one by one or in batches and stops at the first failure', async () => {
    let pulled = 0;
    async function* pages(rows: Row[]): AsyncGenerator<Row[]> {
      for (let i = 0; i < rows.length; i += 3) {
        pulled++;
        yield rows.slice(i, i + 3);
      }
    }
    async function* oneByOne(rows: Row[]): AsyncGenerator<Row> {
      for (const row of rows) yield row;
    }
    expect(await verifyChain(pages(log))).toEqual(verifyChainSync(log));
    expect(await verifyChain(oneByOne(log))).toEqual(verifyChainSync(log));
    pulled = 0;
    const broken = log.map((r, i) => (i === 4 ? { ...r, leafHash: 'e'.repeat(64) } : r));
    expect(await verifyChain(pages(broken))).toMatchObject({ firstBadSeq: 4 });
    expect(pulled).toBe(2);
  });

  it('verifies incrementally and refuses to continue after a failure', () => {
    const verifier = new ChainVerifier({ checkpoints: [head(3)] });
    expect(verifier.push(log[0])).toBe(true);
    expect(verifier.push(log[2])).toBe(false);
    expect(verifier.push(log[1])).toBe(false);
    expect(verifier.finish()).toMatchObject({ firstBadSeq: 1, failure: 'SEQUENCE' });
  });

  it('refuses malformed checkpoints instead of ignoring them', () => {
    expect(() => verifyChainSync(log, { checkpoints: [{ size: 3, rootHash: Buffer.alloc(3) }] })).toThrow(
      /32-byte/,
    );
    expect(() => verifyChainSync(log, { checkpoints: [{ size: -1, rootHash: Buffer.alloc(32) }] })).toThrow(
      /size/,
    );
  });

  it('requires the links inside the hashed bytes, not only in columns', () => {
    const entry = encodeLogEntry(0, '0'.repeat(64), { v: 'x' });
    expect(
      verifyChainSync([{ seq: 0, prevLeafHash: '0'.repeat(64), bytes: entry, leafHash: leafHash(entry) }]).ok,
    ).toBe(true);
    const bare = Buffer.from('{"v":"x"}');
    expect(
      verifyChainSync([{ seq: 0, prevLeafHash: '0'.repeat(64), bytes: bare, leafHash: leafHash(bare) }]),
    ).toMatchObject({
      firstBadSeq: 0,
      failure: 'EMBEDDED_LINK',
    });
  });

  it('reads rows as PostgreSQL returns them: bigint seq as text, bytea hashes, entry as text', () => {
    // The shape apps/exchange-log writes: canonical JSON of the facts plus seq and prevLeafHash.
    let prev: Buffer = Buffer.alloc(32);
    const rows = Array.from({ length: 5 }, (_, seq) => {
      const entry = canonicalBytes({
        kind: 'received',
        eventId: `e-${seq}`,
        seq,
        prevLeafHash: prev.toString('hex'),
      });
      const row = {
        seq: String(seq),
        prev_leaf_hash: prev,
        entry: entry.toString('utf8'),
        leaf_hash: leafHash(entry),
      };
      prev = row.leaf_hash;
      return row;
    });
    const stored = rows.map((r) => ({
      seq: r.seq,
      prevLeafHash: r.prev_leaf_hash,
      bytes: r.entry,
      leafHash: r.leaf_hash,
    }));
    expect(verifyChainSync(stored, { strict: true })).toMatchObject({ ok: true, checked: 5 });
    expect(verifyChainSync(stored.map((r, i) => (i === 3 ? { ...r, seq: BigInt(3) } : r))).ok).toBe(true);
    expect(verifyChainSync(stored.map((r, i) => (i === 3 ? { ...r, seq: '03' } : r)))).toMatchObject({
      firstBadSeq: 3,
      failure: 'SEQUENCE',
    });
  });
});
