import { invalidArgument } from './exchange-log.error';
import { type AsyncHashReader, checkNodes, type HashReader } from './hash-reader.port';
import { EMPTY_ROOT_HASH, nodeHash } from './merkle.hasher';
import { type NodeId, perfectCover, requireCount, splitPoint } from './merkle-range.math';

/**
 * Proofs per RFC 6962 §2.1.1-2.1.2 (RFC 9162 §2.1.3.1, §2.1.4.1), built from stored perfect
 * subtrees. Each proof element is MTH of a range; a range is either a stored node or, on the
 * tree's right edge, a fold of O(log n) stored nodes. Planning is pure arithmetic on sizes, so all
 * nodes are fetched in one read and no leaf is ever re-hashed.
 */
export interface ProofPlan {
  /** Every node to read, in order. */
  readonly nodes: readonly NodeId[];
  /** Proof element i is the right-to-left fold of the next groups[i] nodes. */
  readonly groups: readonly number[];
}

type Range = readonly [lo: number, hi: number];

function planOf(ranges: readonly Range[]): ProofPlan {
  const nodes: NodeId[] = [];
  const groups: number[] = [];
  for (const [lo, hi] of ranges) {
    const cover = perfectCover(lo, hi);
    nodes.push(...cover);
    groups.push(cover.length);
  }
  return { nodes, groups };
}

export function rootPlan(size: number): ProofPlan {
  requireCount(size, 'tree size');
  return planOf(size === 0 ? [] : [[0, size]]);
}

/** PATH(m, D[n]): sibling ranges from the leaf upwards. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  requireCount(index, 'leaf index');
  requireCount(size, 'tree size');
  if (index >= size) throw invalidArgument(`leaf index ${index} is outside a tree of size ${size}`);
  const topDown: Range[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      lo += k;
    }
  }
  return planOf(topDown.reverse());
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), unrolled; 0 < size1 <= size2. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  requireCount(size1, 'first tree size');
  requireCount(size2, 'second tree size');
  if (size1 > size2) throw invalidArgument(`first tree size ${size1} exceeds second tree size ${size2}`);
  // RFC 9162 defines proofs only for 0 < size1: everything is consistent with the empty tree.
  if (size1 === 0) throw invalidArgument('a consistency proof from the empty tree is meaningless');
  const topDown: Range[] = [];
  let lo = 0;
  let hi = size2;
  let m = size1; // leaves of the old tree inside [lo, hi)
  let wholeOldTree = true; // RFC's b: the old tree so far is [0, size1) itself, whose root the verifier has
  for (;;) {
    if (m === hi - lo) {
      if (!wholeOldTree) topDown.push([lo, hi]);
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push([lo + k, hi]);
      hi = lo + k;
    } else {
      topDown.push([lo, lo + k]);
      lo += k;
      m -= k;
      wholeOldTree = false;
    }
  }
  return planOf(topDown.reverse());
}

/** Turns the hashes read for a plan into proof elements (fresh buffers the caller owns). */
export function assemble(plan: ProofPlan, hashes: readonly Uint8Array[]): Buffer[] {
  checkNodes(plan.nodes, hashes);
  const out: Buffer[] = [];
  let next = 0;
  for (const count of plan.groups) {
    let acc: Buffer = Buffer.from(hashes[next + count - 1]);
    for (let i = next + count - 2; i >= next; i--) acc = nodeHash(hashes[i], acc);
    out.push(acc);
    next += count;
  }
  return out;
}

function rootFrom(plan: ProofPlan, hashes: readonly Uint8Array[]): Buffer {
  return plan.groups.length === 0 ? Buffer.from(EMPTY_ROOT_HASH) : assemble(plan, hashes)[0];
}

export function rootAt(reader: HashReader, size: number): Buffer {
  const plan = rootPlan(size);
  return rootFrom(plan, plan.nodes.length ? reader.readNodes(plan.nodes) : []);
}

export function inclusionProof(reader: HashReader, index: number, size: number): Buffer[] {
  const plan = inclusionPlan(index, size);
  return assemble(plan, plan.nodes.length ? reader.readNodes(plan.nodes) : []);
}

export function consistencyProof(reader: HashReader, size1: number, size2: number): Buffer[] {
  const plan = consistencyPlan(size1, size2);
  return assemble(plan, plan.nodes.length ? reader.readNodes(plan.nodes) : []);
}

export async function rootAtAsync(reader: AsyncHashReader, size: number): Promise<Buffer> {
  const plan = rootPlan(size);
  return rootFrom(plan, plan.nodes.length ? await reader.readNodes(plan.nodes) : []);
}

export async function inclusionProofAsync(
  reader: AsyncHashReader,
  index: number,
  size: number,
): Promise<Buffer[]> {
  const plan = inclusionPlan(index, size);
  return assemble(plan, plan.nodes.length ? await reader.readNodes(plan.nodes) : []);
}

export async function consistencyProofAsync(
  reader: AsyncHashReader,
  size1: number,
  size2: number,
): Promise<Buffer[]> {
  const plan = consistencyPlan(size1, size2);
  return assemble(plan, plan.nodes.length ? await reader.readNodes(plan.nodes) : []);
}
