import { CompactRange, type Frontier } from './compact-range.appender';
import { ExchangeLogError } from './exchange-log.error';
import type { HashReader } from './hash-reader.port';
import { HASH_SIZE, leafHash } from './merkle.hasher';
import { consistencyProof, inclusionProof, rootAt } from './merkle-proof.builder';
import type { NodeId } from './merkle-range.math';

const INITIAL_CAPACITY = 64; // hashes per level before the first growth

/**
 * An in-memory log tree: every completed perfect subtree kept by (level, index), each level one
 * contiguous buffer (a million leaves cost ~64 MB, not two million Buffer objects). Appends are
 * amortised O(1) hashes; roots and proofs for any past size are O(log n) reads. Used by tests,
 * the offline CLI and as the reference a database-backed store must agree with.
 */
export class MemoryTree implements HashReader {
  private readonly levels: Buffer[] = [];
  private readonly range = new CompactRange();
  private readonly keep = (level: number, index: number, hash: Uint8Array): void => {
    let buf = this.levels[level];
    const end = (index + 1) * HASH_SIZE;
    if (buf === undefined || buf.length < end) {
      const grown = Buffer.alloc(Math.max(end, (buf?.length ?? 0) * 2, INITIAL_CAPACITY * HASH_SIZE));
      buf?.copy(grown);
      this.levels[level] = grown;
      buf = grown;
    }
    buf.set(hash, index * HASH_SIZE);
  };

  get size(): number {
    return this.range.size;
  }

  /** Appends a leaf hash; returns its index. */
  append(hash: Uint8Array): number {
    const index = this.range.size;
    this.range.push(Buffer.from(hash), this.keep);
    return index;
  }

  /** Appends raw leaf data (hashed as an RFC 6962 leaf); returns its index. */
  appendData(data: Uint8Array): number {
    const index = this.range.size;
    this.range.push(leafHash(data), this.keep);
    return index;
  }

  readNodes(ids: readonly NodeId[]): Buffer[] {
    return ids.map((id) => {
      if (
        !Number.isSafeInteger(id.level) ||
        !Number.isSafeInteger(id.index) ||
        id.level < 0 ||
        id.index < 0 ||
        (id.index + 1) * 2 ** id.level > this.size
      ) {
        throw new ExchangeLogError(
          'EXCHANGE_LOG.NODE_UNAVAILABLE',
          `node level ${id.level} index ${id.index} is not complete in a tree of size ${this.size}`,
        );
      }
      const start = id.index * HASH_SIZE;
      return Buffer.from(this.levels[id.level].subarray(start, start + HASH_SIZE));
    });
  }

  leafHash(index: number): Buffer {
    return this.readNodes([{ level: 0, index }])[0];
  }

  root(size: number = this.size): Buffer {
    if (size > this.size) throw tooLarge(size, this.size);
    return size === this.size ? this.range.root() : rootAt(this, size);
  }

  inclusionProof(index: number, size: number = this.size): Buffer[] {
    if (size > this.size) throw tooLarge(size, this.size);
    return inclusionProof(this, index, size);
  }

  consistencyProof(size1: number, size2: number = this.size): Buffer[] {
    if (size2 > this.size) throw tooLarge(size2, this.size);
    return consistencyProof(this, size1, size2);
  }

  frontier(): Frontier {
    return this.range.frontier();
  }
}

function tooLarge(asked: number, size: number): ExchangeLogError {
  return new ExchangeLogError(
    'EXCHANGE_LOG.NODE_UNAVAILABLE',
    `tree size ${asked} exceeds the ${size} leaves held`,
  );
}
