import { ExchangeLogError } from './exchange-log.error';
import { HASH_SIZE } from './merkle.hasher';
import type { NodeId } from './merkle-range.math';

/**
 * Where proofs get their hashes: a store of perfect-subtree hashes keyed by (level, index).
 * A proof asks for all its nodes in one call, so a database store answers with one query
 * (`WHERE (level, index) IN (...)`) and a tile store with a handful of tile reads.
 * Hashes come back in the order asked; a node the store lacks is an error, never a guess.
 */
export interface HashReader {
  readNodes(ids: readonly NodeId[]): readonly Uint8Array[];
}

export interface AsyncHashReader {
  readNodes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]>;
}

/** Refuse short or malformed answers here, so proof code can trust every hash it folds. */
export function checkNodes(ids: readonly NodeId[], hashes: readonly Uint8Array[]): void {
  if (hashes.length !== ids.length) {
    throw new ExchangeLogError(
      'EXCHANGE_LOG.NODE_UNAVAILABLE',
      `hash reader returned ${hashes.length} hashes for ${ids.length} nodes`,
    );
  }
  for (let i = 0; i < ids.length; i++) {
    const hash = hashes[i];
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      const id = ids[i];
      throw new ExchangeLogError(
        'EXCHANGE_LOG.NODE_UNAVAILABLE',
        `hash reader has no ${HASH_SIZE}-byte hash for node level ${id?.level} index ${id?.index}`,
      );
    }
  }
}
