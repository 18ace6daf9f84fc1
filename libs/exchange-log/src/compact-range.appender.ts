import { invalidArgument } from './exchange-log.error';
import { EMPTY_ROOT_HASH, HASH_SIZE, nodeHash } from './merkle.hasher';
import { type NodeId, perfectCover, requireCount } from './merkle-range.math';

/**
 * The right frontier (compact range) of a tree of `size` leaves: the roots of the perfect
 * subtrees that tile [0, size), largest first — one per set bit of size. It is all a writer needs
 * to append, compute the new root and name the new nodes, without reading the rest of the tree.
 */
export interface Frontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

/** A perfect-subtree hash to persist. Level 0 rows are the leaf hashes themselves. */
export interface NodeRow extends NodeId {
  readonly hash: Buffer;
}

export interface AppendResult {
  readonly frontier: Frontier;
  /** Every node completed by the batch, leaves included, in creation order (children first). */
  readonly nodes: readonly NodeRow[];
  readonly rootHash: Buffer;
}

export const EMPTY_FRONTIER: Frontier = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/** The nodes to load (one query) to rebuild the frontier of a stored tree of this size. */
export function frontierNodeIds(size: number): NodeId[] {
  requireCount(size, 'tree size');
  return perfectCover(0, size);
}

export function frontierFromNodes(size: number, hashes: readonly Uint8Array[]): Frontier {
  const expected = frontierNodeIds(size).length;
  if (hashes.length !== expected || hashes.some((h) => h.length !== HASH_SIZE)) {
    throw invalidArgument(`a frontier of size ${size} needs ${expected} hashes of ${HASH_SIZE} bytes`);
  }
  return { size, hashes: hashes.map((h) => Buffer.from(h)) };
}

/** Mutable compact range for hot loops (the writer's batch, chain verification). */
export class CompactRange {
  private readonly stack: Uint8Array[];
  private count: number;

  constructor(start: Frontier = EMPTY_FRONTIER) {
    this.stack = frontierFromNodes(start.size, start.hashes).hashes.slice();
    this.count = start.size;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Appends one leaf hash. Each perfect subtree it completes is reported to onNode, so the
   * amortised cost is one node hash per leaf and no node is ever computed twice. The range keeps
   * the buffer it is given (hot loops pass fresh hashes); frontier() hands out copies.
   */
  push(leafHash: Uint8Array, onNode?: (level: number, index: number, hash: Uint8Array) => void): void {
    if (leafHash.length !== HASH_SIZE) throw invalidArgument(`leaf hash must have ${HASH_SIZE} bytes`);
    let hash = leafHash;
    let index = this.count;
    let level = 0;
    onNode?.(level, index, hash);
    // An odd index at a level means its left sibling is complete and sits on top of the stack.
    while (index % 2 === 1) {
      hash = nodeHash(this.stack.pop() as Uint8Array, hash);
      level++;
      index = (index - 1) / 2;
      onNode?.(level, index, hash);
    }
    this.stack.push(hash);
    this.count++;
  }

  root(): Buffer {
    return foldRoot(this.stack);
  }

  frontier(): Frontier {
    return { size: this.count, hashes: this.stack.map((h) => Buffer.from(h)) };
  }
}

function foldRoot(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT_HASH);
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i], acc);
  return acc;
}

export function frontierRoot(frontier: Frontier): Buffer {
  return foldRoot(frontierFromNodes(frontier.size, frontier.hashes).hashes);
}

/**
 * Pure batch append for a database writer: given the frontier at size n and the leaf hashes of
 * entries n, n+1, ..., returns the rows to insert, the new frontier and the new root. Persisting
 * `nodes` and the returned root in one transaction keeps stored nodes and checkpoints in step.
 */
export function appendToFrontier(frontier: Frontier, leafHashes: readonly Uint8Array[]): AppendResult {
  const range = new CompactRange(frontier);
  const nodes: NodeRow[] = [];
  const collect = (level: number, index: number, hash: Uint8Array): void => {
    nodes.push({ level, index, hash: Buffer.from(hash) });
  };
  for (const leaf of leafHashes) range.push(leaf, collect);
  return { frontier: range.frontier(), nodes, rootHash: range.root() };
}
