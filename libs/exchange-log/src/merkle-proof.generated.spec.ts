import type { AsyncHashReader } from './hash-reader.port';
import { EMPTY_ROOT_HASH, leafHash, nodeHash } from './merkle.hasher';
import {
  consistencyPlan,
  consistencyProofAsync,
  inclusionPlan,
  inclusionProofAsync,
  rootAt,
  rootAtAsync,
} from './merkle-proof.builder';
import { verifyConsistency, verifyInclusion } from './merkle-proof.verifier';
import { perfectCover } from './merkle-range.math';
import { MemoryTree } from './memory-tree.store';

// Straight transcriptions of RFC 6962 §2.1 definitions over leaf hashes: the oracle.
const k = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_ROOT_HASH;
  if (d.length === 1) return d[0];
  return nodeHash(mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s
    ? [...path(m, d.slice(0, s)), mth(d.slice(s))]
    : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s
    ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))]
    : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

const MAX = 70;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const tree = new MemoryTree();
for (const leaf of leaves) tree.append(leaf);
const flip = (b: Buffer, bit: number): Buffer => {
  const copy = Buffer.from(b);
  copy[bit >> 3] = copy[bit >> 3] ^ (1 << (bit & 7));
  return copy;
};

describe('generated proofs for every tree of size 1..70', () => {
  it('MemoryTree roots equal the recursive MTH at every size', () => {
    for (let n = 0; n <= MAX; n++) expect(tree.root(n)).toEqual(mth(leaves.slice(0, n)));
    const growing = new MemoryTree();
    for (let n = 1; n <= MAX; n++) {
      growing.append(leaves[n - 1]);
      expect(growing.root()).toEqual(mth(leaves.slice(0, n)));
    }
  });

  it('inclusion proofs for all leaves equal PATH(m, D[n]) and verify', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const proof = tree.inclusionProof(m, n);
        expect(proof).toEqual(path(m, leaves.slice(0, n)));
        expect(verifyInclusion(leaves[m], m, n, proof, root)).toEqual({ ok: true });
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('consistency proofs for all pairs equal PROOF(m, D[n]) and verify', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        expect(proof).toEqual(subproof(m, leaves.slice(0, n), true));
        expect(verifyConsistency(m, n, proof, tree.root(m), tree.root(n))).toEqual({ ok: true });
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it('rejects every single-bit change, wrong index, wrong size and shortened inclusion proof', () => {
    for (const n of [1, 2, 3, 7, 8, 9, 31, 64, 70]) {
      const root = tree.root(n);
      for (let m = 0; m < n; m++) {
        const leaf = leaves[m];
        const proof = tree.inclusionProof(m, n);
        proof.forEach((_, i) => {
          const bad = proof.map((p, j) => (j === i ? flip(p, (i * 37 + m) % 256) : p));
          expect(verifyInclusion(leaf, m, n, bad, root).ok).toBe(false);
        });
        expect(verifyInclusion(flip(leaf, m % 256), m, n, proof, root).ok).toBe(false);
        expect(verifyInclusion(leaf, m, n, proof, flip(root, 3)).ok).toBe(false);
        if (n > 1) expect(verifyInclusion(leaf, (m + 1) % n, n, proof, root).ok).toBe(false);
        // A size the path shape cannot fit; sizes with the same shape are bound by the signed checkpoint instead.
        expect(verifyInclusion(leaf, m, 2 * n, proof, root).ok).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaf, m, n, proof.slice(1), root).ok).toBe(false);
        expect(verifyInclusion(leaf, m, n, [...proof, root], root).ok).toBe(false);
      }
    }
  });

  it('rejects every single-bit change, swapped roots and shortened consistency proof', () => {
    for (const n of [2, 3, 7, 8, 9, 33, 70]) {
      for (let m = 1; m < n; m++) {
        const [r1, r2] = [tree.root(m), tree.root(n)];
        const proof = tree.consistencyProof(m, n);
        proof.forEach((_, i) => {
          const bad = proof.map((p, j) => (j === i ? flip(p, (i * 11 + m) % 256) : p));
          expect(verifyConsistency(m, n, bad, r1, r2).ok).toBe(false);
        });
        expect(verifyConsistency(m, n, proof, r2, r1).ok).toBe(false);
        expect(verifyConsistency(m, n, proof, flip(r1, 0), r2).ok).toBe(false);
        expect(verifyConsistency(m, n, proof, r1, flip(r2, 255)).ok).toBe(false);
        expect(verifyConsistency(m, n, proof.slice(0, -1), r1, r2).ok).toBe(false);
        if (m + 1 < n) expect(verifyConsistency(m + 1, n, proof, r1, r2).ok).toBe(false);
      }
    }
  });
});

describe('proof building against a hash reader', () => {
  const counting = (): AsyncHashReader & { calls: number; nodes: number } => {
    const reader = {
      calls: 0,
      nodes: 0,
      readNodes: async (ids: Parameters<MemoryTree['readNodes']>[0]) => {
        reader.calls++;
        reader.nodes += ids.length;
        return tree.readNodes(ids);
      },
    };
    return reader;
  };

  it('reads each proof in one call of O(log n) nodes', async () => {
    for (const [m, n] of [
      [0, 70],
      [69, 70],
      [37, 64],
      [5, 6],
    ] as const) {
      const reader = counting();
      expect(await inclusionProofAsync(reader, m, n)).toEqual(tree.inclusionProof(m, n));
      expect(reader.calls).toBe(1);
      expect(reader.nodes).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    }
    const reader = counting();
    expect(await consistencyProofAsync(reader, 13, 70)).toEqual(tree.consistencyProof(13, 70));
    expect(await rootAtAsync(reader, 70)).toEqual(tree.root(70));
    expect(reader.calls).toBe(2);
  });

  it('needs no read for an empty root or equal sizes', async () => {
    const reader = counting();
    expect(await rootAtAsync(reader, 0)).toEqual(EMPTY_ROOT_HASH);
    expect(await consistencyProofAsync(reader, 5, 5)).toEqual([]);
    expect(reader.calls).toBe(0);
  });

  it('refuses a reader that returns too few or malformed hashes', () => {
    expect(() => rootAt({ readNodes: (ids) => tree.readNodes(ids).slice(1) }, 70)).toThrow(/NODE|returned/);
    expect(() => rootAt({ readNodes: (ids) => ids.map(() => Buffer.alloc(31)) }, 70)).toThrow(/32-byte/);
  });

  it('refuses impossible requests instead of inventing proofs', () => {
    expect(() => tree.inclusionProof(70, 70)).toThrow(/outside/);
    expect(() => tree.inclusionProof(0, 71)).toThrow(/exceeds/);
    expect(() => tree.consistencyProof(0, 5)).toThrow(/empty tree/);
    expect(() => tree.consistencyProof(6, 5)).toThrow(/exceeds/);
    expect(() => tree.readNodes([{ level: 3, index: 8 }])).toThrow(/not complete/);
    expect(() => inclusionPlan(-1, 5)).toThrow(/non-negative/);
  });

  it('plans proofs for trees far beyond memory in O(log n) nodes', () => {
    const n = 2 ** 52 + 123_456_789;
    for (const m of [0, 1, n - 1, Math.floor(n / 3), 2 ** 51 - 1]) {
      const plan = inclusionPlan(m, n);
      expect(plan.groups.length).toBeLessThanOrEqual(53);
      expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
      // The siblings and the leaf itself tile the whole tree, each leaf exactly once.
      const spans = plan.nodes.map(
        (id) => [id.index * 2 ** id.level, (id.index + 1) * 2 ** id.level] as const,
      );
      spans.push([m, m + 1]);
      spans.sort((a, b) => a[0] - b[0]);
      spans.forEach(([lo, hi], i) => expect([lo, hi > lo]).toEqual([i === 0 ? 0 : spans[i - 1]?.[1], true]));
      expect(spans[spans.length - 1]?.[1]).toBe(n);
    }
    expect(perfectCover(3, 13)).toEqual([
      { level: 0, index: 3 },
      { level: 2, index: 1 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(consistencyPlan(2 ** 40 + 1, n).nodes.length).toBeLessThanOrEqual(2 * 53);
    const cover = perfectCover(0, 2 ** 53 - 1);
    expect(cover).toHaveLength(53);
    expect(cover.reduce((sum, id) => sum + 2 ** id.level, 0)).toBe(2 ** 53 - 1);
  });
});
