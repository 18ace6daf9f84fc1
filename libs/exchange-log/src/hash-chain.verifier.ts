import { CompactRange } from './compact-range.appender';
import { invalidArgument } from './exchange-log.error';
import { decodeLogEntry, GENESIS_PREV_LEAF_HASH, linksMatch, type StoredEntry } from './log-entry.codec';
import { HASH_SIZE, leafHash, sameBytes } from './merkle.hasher';

/** A tree size and its root, typically from the last verified signed checkpoint. */
export interface TreeHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

export interface ChainOptions {
  /** Tree heads the log must still match: each size must be reached and its root must agree. */
  readonly checkpoints?: readonly TreeHead[];
  /** Also parse every entry and require exact canonical JSON (several times slower; deep audits). */
  readonly strict?: boolean;
}

export type ChainFailure =
  | 'MALFORMED' // a row is not a StoredEntry
  | 'SEQUENCE' // seq missing, repeated or out of order
  | 'INSERTED' // entry firstBadSeq sits between two entries that link to each other
  | 'PREV_LINK' // prevLeafHash is not the leaf hash of the entry before
  | 'EMBEDDED_LINK' // the hashed bytes do not carry this seq and prevLeafHash at top level
  | 'NOT_CANONICAL' // strict mode: bytes are not exactly encodeLogEntry's output
  | 'LEAF_HASH' // stored leaf hash is not the hash of the bytes
  | 'CHECKPOINT_ROOT' // chain intact, but the tree no longer has a signed root: a rewritten stretch
  | 'TRUNCATED'; // the log is shorter than a signed checkpoint

export interface ChainReport {
  readonly ok: boolean;
  /** Entries proven intact, from seq 0. */
  readonly checked: number;
  /** Root over all entries when ok: compare it with, or sign it as, the latest checkpoint. */
  readonly rootHash?: Buffer;
  readonly firstBadSeq?: number;
  readonly failure?: ChainFailure;
  readonly reason?: string;
  /** For CHECKPOINT_ROOT, where the rewrite must lie: after the last matching checkpoint. */
  readonly badRange?: { readonly from: number; readonly to: number };
}

const hexScratch = Buffer.alloc(HASH_SIZE);

/** Compares a stored hash (lowercase hex or bytes) with a computed one without allocating. */
function storedEquals(stored: unknown, hash: Buffer): boolean {
  if (typeof stored === 'string') {
    return (
      stored.length === 2 * HASH_SIZE &&
      stored === stored.toLowerCase() &&
      hexScratch.write(stored, 'hex') === HASH_SIZE &&
      hexScratch.equals(hash)
    );
  }
  return stored instanceof Uint8Array && sameBytes(stored, hash);
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

/** PostgreSQL bigint arrives as a string (or bigint); anything else non-numeric never matches. */
function seqOf(seq: unknown): number {
  if (typeof seq === 'number') return seq;
  if (typeof seq === 'string' && DECIMAL.test(seq)) return Number(seq);
  if (typeof seq === 'bigint' && seq >= 0n && seq <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(seq);
  return Number.NaN;
}

/**
 * Incremental verification of the log read in seq order: feed rows with push() (it returns false
 * once something is broken; stop reading then), call finish() at the end. Names the first broken
 * seq: entries before it are proven intact, so an investigation starts exactly there.
 */
export class ChainVerifier {
  private readonly range = new CompactRange();
  private readonly heads: readonly TreeHead[];
  private readonly strict: boolean;
  private nextHead = 0;
  private lastMatchedHead = 0;
  private previous: Buffer = Buffer.alloc(HASH_SIZE); // GENESIS_PREV_LEAF_HASH as bytes
  private previousHex: string | undefined = GENESIS_PREV_LEAF_HASH;
  private beforePrevious: Buffer | undefined;
  private failure: ChainReport | undefined;

  constructor(options: ChainOptions = {}) {
    for (const head of options.checkpoints ?? []) {
      if (!Number.isSafeInteger(head.size) || head.size < 0 || head.rootHash.length !== HASH_SIZE) {
        throw invalidArgument(
          `checkpoint needs a non-negative safe integer size and a ${HASH_SIZE}-byte root`,
        );
      }
    }
    this.heads = [...(options.checkpoints ?? [])].sort((a, b) => a.size - b.size);
    this.strict = options.strict ?? false;
    this.checkHeads();
  }

  push(entry: StoredEntry): boolean {
    if (this.failure) return false;
    const seq = this.range.size;
    if (typeof entry !== 'object' || entry === null) {
      return this.fail(seq, 'MALFORMED', `row at seq ${seq} is not an entry`);
    }
    const bytes = typeof entry.bytes === 'string' ? Buffer.from(entry.bytes, 'utf8') : entry.bytes;
    if (!(bytes instanceof Uint8Array)) {
      return this.fail(seq, 'MALFORMED', `row at seq ${seq} has no entry bytes`);
    }
    const storedSeq = seqOf(entry.seq);
    if (storedSeq !== seq) {
      return Number.isSafeInteger(storedSeq) && storedSeq >= 0 && storedSeq < seq
        ? this.fail(storedSeq, 'SEQUENCE', `seq ${storedSeq} appears again after seq ${seq - 1}`)
        : this.fail(
            seq,
            'SEQUENCE',
            `expected seq ${seq}, found ${String(entry.seq)}: seq ${seq} is missing or moved`,
          );
    }
    if (!this.isPrevious(entry.prevLeafHash)) {
      if (this.beforePrevious && storedEquals(entry.prevLeafHash, this.beforePrevious)) {
        return this.fail(
          seq - 1,
          'INSERTED',
          `seq ${seq} links to seq ${seq - 2}: the entry at seq ${seq - 1} was inserted`,
        );
      }
      return this.fail(seq, 'PREV_LINK', `prevLeafHash of seq ${seq} is not the leaf hash of seq ${seq - 1}`);
    }
    if (!linksMatch(bytes, seq, this.previous)) {
      return this.fail(
        seq,
        'EMBEDDED_LINK',
        `the hashed bytes of seq ${seq} do not carry seq ${seq} and its prevLeafHash`,
      );
    }
    if (this.strict && !this.isCanonical(bytes)) {
      return this.fail(
        seq,
        'NOT_CANONICAL',
        `the bytes of seq ${seq} are not the canonical encoding of an entry`,
      );
    }
    const hash = leafHash(bytes);
    // Hex columns are compared as strings: one hex encoding per entry serves both of its checks.
    const hex = typeof entry.leafHash === 'string' ? hash.toString('hex') : undefined;
    if (hex !== undefined ? entry.leafHash !== hex : !storedEquals(entry.leafHash, hash)) {
      return this.fail(seq, 'LEAF_HASH', `the entry bytes of seq ${seq} do not hash to its stored leaf hash`);
    }
    this.range.push(hash);
    this.beforePrevious = this.previous;
    this.previous = hash;
    this.previousHex = hex;
    this.checkHeads();
    return this.failure === undefined;
  }

  finish(): ChainReport {
    if (this.failure) return this.failure;
    const size = this.range.size;
    const longest = this.heads[this.heads.length - 1];
    if (longest !== undefined && longest.size > size) {
      return this.record(
        size,
        'TRUNCATED',
        `the log ends at size ${size} but a signed checkpoint covers ${longest.size} entries`,
      );
    }
    return { ok: true, checked: size, rootHash: this.range.root() };
  }

  private isPrevious(stored: string | Uint8Array): boolean {
    if (typeof stored !== 'string') return storedEquals(stored, this.previous);
    this.previousHex ??= this.previous.toString('hex');
    return stored === this.previousHex;
  }

  private isCanonical(bytes: Uint8Array): boolean {
    try {
      decodeLogEntry(bytes);
      return true;
    } catch {
      return false;
    }
  }

  private checkHeads(): void {
    const size = this.range.size;
    let root: Buffer | undefined;
    while (this.failure === undefined && this.heads[this.nextHead]?.size === size) {
      const head = this.heads[this.nextHead++];
      root ??= this.range.root();
      if (!sameBytes(root, head.rootHash)) {
        this.failure = {
          ok: false,
          checked: this.lastMatchedHead,
          failure: 'CHECKPOINT_ROOT',
          reason:
            `the root at size ${size} differs from the signed checkpoint although the chain links: ` +
            `entries between seq ${this.lastMatchedHead} and ${size - 1} were rewritten`,
          badRange: { from: this.lastMatchedHead, to: size },
        };
      } else {
        this.lastMatchedHead = size;
      }
    }
  }

  private record(firstBadSeq: number, failure: ChainFailure, reason: string): ChainReport {
    this.failure = { ok: false, checked: firstBadSeq, firstBadSeq, failure, reason };
    return this.failure;
  }

  private fail(firstBadSeq: number, failure: ChainFailure, reason: string): false {
    this.record(firstBadSeq, failure, reason);
    return false;
  }
}

export function verifyChainSync(entries: Iterable<StoredEntry>, options?: ChainOptions): ChainReport {
  const verifier = new ChainVerifier(options);
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier.finish();
}

/** Rows may arrive one by one or in batches (one database page per await keeps await overhead low). */
export async function verifyChain(
  entries: Iterable<StoredEntry> | AsyncIterable<StoredEntry | readonly StoredEntry[]>,
  options?: ChainOptions,
): Promise<ChainReport> {
  const verifier = new ChainVerifier(options);
  outer: for await (const item of entries) {
    if (Array.isArray(item)) {
      for (const entry of item as readonly StoredEntry[]) if (!verifier.push(entry)) break outer;
    } else if (!verifier.push(item as StoredEntry)) {
      break;
    }
  }
  return verifier.finish();
}
