import { invalidArgument } from './exchange-log.error';

/**
 * A perfect subtree covering leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf hash.
 * Once complete such a node never changes, which is why stores can keep it forever by (level, index).
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Sizes and indexes are plain numbers: exact up to 2^53, far beyond any log this system will hold. */
export function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${what} must be a non-negative safe integer (got ${String(value)})`);
  }
}

/** The exponent of the largest power of two that is <= n (n >= 1), exact for all safe integers. */
function floorLog2(n: number): number {
  // clz32 is exact and cheap; sizes beyond 2^32 are split into their high word.
  return n < 2 ** 32 ? 31 - Math.clz32(n) : 63 - Math.clz32(Math.floor(n / 2 ** 32));
}

/** RFC 6962's k: the largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  return 2 ** floorLog2(n - 1);
}

/**
 * The aligned perfect subtrees that tile [lo, hi), left to right. For the ranges Merkle proofs use
 * (hi is the tree size or the range is itself perfect) the sizes strictly decrease, so folding them
 * right to left with nodeHash yields MTH of the range.
 */
export function perfectCover(lo: number, hi: number): NodeId[] {
  const cover: NodeId[] = [];
  while (lo < hi) {
    let level = floorLog2(hi - lo);
    while (lo % 2 ** level !== 0) level--;
    cover.push({ level, index: lo / 2 ** level });
    lo += 2 ** level;
  }
  return cover;
}

/** Number of leaves below a node; its first leaf is index·width. */
export function nodeWidth(id: NodeId): number {
  return 2 ** id.level;
}
