import { canonicalBytes, canonicalMembers } from './canonical-json.codec';
import { ExchangeLogError, invalidArgument } from './exchange-log.error';
import { HASH_SIZE, leafHash } from './merkle.hasher';

/**
 * The leaf format of the exchange log: the RFC 8785 canonical JSON of one object holding the
 * entry's own fields plus two chain fields at its top level,
 *
 *     {"actor":{...},...,"prevLeafHash":"<64 hex>",...,"seq":<n>,...}
 *
 * so the position and the link are inside the hashed bytes: changing, dropping or moving an entry
 * changes every later link, not just a column beside it.
 */
export interface LogEntryLinks {
  readonly seq: number;
  /** Lowercase hex leaf hash of entry seq-1; GENESIS_PREV_LEAF_HASH for seq 0. */
  readonly prevLeafHash: string;
}

export type LogEntryRecord = LogEntryLinks & Readonly<Record<string, unknown>>;

/**
 * A row as the store keeps it. Hashes may be hex or raw bytes (bytea); seq may arrive as a string
 * or bigint (PostgreSQL bigint); bytes may be the UTF-8 text of the canonical JSON.
 */
export interface StoredEntry {
  readonly seq: number | bigint | string;
  readonly prevLeafHash: string | Uint8Array;
  readonly bytes: Uint8Array | string;
  readonly leafHash: string | Uint8Array;
}

/** seq 0 links to 64 zeros: unlike SHA-256("") it cannot be mistaken for the hash of content. */
export const GENESIS_PREV_LEAF_HASH = '0'.repeat(2 * HASH_SIZE);

const HEX_HASH = /^[0-9a-f]{64}$/;

export function hashToHex(hash: string | Uint8Array, what = 'hash'): string {
  if (typeof hash === 'string') {
    if (!HEX_HASH.test(hash)) throw invalidArgument(`${what} must be ${2 * HASH_SIZE} lowercase hex digits`);
    return hash;
  }
  if (hash.length !== HASH_SIZE) throw invalidArgument(`${what} must have ${HASH_SIZE} bytes`);
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString('hex');
}

export function encodeLogEntry(
  seq: number,
  prevLeafHash: string | Uint8Array,
  fields: Readonly<Record<string, unknown>>,
): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw invalidArgument('seq must be a non-negative safe integer');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw invalidArgument('entry fields must be a plain object');
  }
  if (Object.hasOwn(fields, 'seq') || Object.hasOwn(fields, 'prevLeafHash')) {
    throw invalidArgument('entry fields must not set seq or prevLeafHash: the chain sets them');
  }
  return canonicalBytes({ ...fields, prevLeafHash: hashToHex(prevLeafHash, 'prevLeafHash'), seq });
}

/**
 * An entry encoded before its place in the chain is known: a writer prepares its batch outside
 * its sequencer lock and, under it, only splices in `prevLeafHash` and `seq` — the canonical
 * member order puts them between the other members, so the rest is encoded once, ahead of time.
 * `prepared(seq, prev)` is byte for byte `encodeLogEntry(seq, prev, fields)`.
 */
export function prepareLogEntry(
  fields: Readonly<Record<string, unknown>>,
): (seq: number, prevLeafHash: string) => Buffer {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw invalidArgument('entry fields must be a plain object');
  }
  if (Object.hasOwn(fields, 'seq') || Object.hasOwn(fields, 'prevLeafHash')) {
    throw invalidArgument('entry fields must not set seq or prevLeafHash: the chain sets them');
  }
  const members = canonicalMembers(fields);
  const part = (from: string | undefined, to: string | undefined): string =>
    members
      .filter((m) => (from === undefined || m.key > from) && (to === undefined || m.key < to))
      .map((m) => `${m.text},`)
      .join('');
  const head = `{${part(undefined, 'prevLeafHash')}"prevLeafHash":"`;
  const middle = part('prevLeafHash', 'seq');
  const after = part('seq', undefined);
  const tail = after.length > 0 ? `,${after.slice(0, -1)}}` : '}';
  return (seq, prevLeafHash) => {
    if (!Number.isSafeInteger(seq) || seq < 0)
      throw invalidArgument('seq must be a non-negative safe integer');
    if (!HEX_HASH.test(prevLeafHash)) throw invalidArgument('prevLeafHash must be 64 lowercase hex digits');
    return Buffer.from(`${head}${prevLeafHash}",${middle}"seq":${seq}${tail}`, 'utf8');
  };
}

/** The next row of the chain after `previous` (null for the first entry), ready to insert. */
export function nextLogEntry(
  previous: { readonly seq: number; readonly leafHash: string | Uint8Array } | null,
  fields: Readonly<Record<string, unknown>>,
): { seq: number; prevLeafHash: string; bytes: Buffer; leafHash: string } {
  const seq = previous === null ? 0 : previous.seq + 1;
  const prevLeafHash = previous === null ? GENESIS_PREV_LEAF_HASH : hashToHex(previous.leafHash, 'leafHash');
  const bytes = encodeLogEntry(seq, prevLeafHash, fields);
  return { seq, prevLeafHash, bytes, leafHash: leafHash(bytes).toString('hex') };
}

/** Parses leaf bytes, refusing anything that is not exactly what encodeLogEntry would write. */
export function decodeLogEntry(bytes: Uint8Array): LogEntryRecord {
  const malformed = (why: string): ExchangeLogError =>
    new ExchangeLogError('EXCHANGE_LOG.ENTRY_MALFORMED', why);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch {
    throw malformed('entry bytes are not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw malformed('entry is not an object');
  const { seq, prevLeafHash } = parsed as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    throw malformed('entry seq is not a count');
  if (typeof prevLeafHash !== 'string' || !HEX_HASH.test(prevLeafHash)) {
    throw malformed('entry prevLeafHash is not 64 lowercase hex digits');
  }
  // Duplicate keys, spacing, escapes or invalid UTF-8 would let two parsers read two entries.
  if (!canonicalBytes(parsed).equals(bytes)) throw malformed('entry bytes are not canonical JSON');
  return parsed as LogEntryRecord;
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const SEQ_KEY = ascii('seq');
const PREV_KEY = ascii('prevLeafHash');
const HEX_DIGITS = ascii('0123456789abcdef');
const [QUOTE, BACKSLASH, COLON, COMMA] = [0x22, 0x5c, 0x3a, 0x2c];
const [OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = [0x7b, 0x7d, 0x5b, 0x5d];

function matchAt(bytes: Uint8Array, at: number, literal: Uint8Array): boolean {
  for (let i = 0; i < literal.length; i++) if (bytes[at + i] !== literal[i]) return false;
  return true;
}

/** End offset of seq's decimal digits at `at`, or -1. */
function matchDecimal(bytes: Uint8Array, at: number, seq: number): number {
  let digits = 1;
  for (let rest = seq; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (let i = digits - 1, rest = seq; i >= 0; i--, rest = Math.floor(rest / 10)) {
    if (bytes[at + i] !== 0x30 + (rest % 10)) return -1;
  }
  return at + digits;
}

function matchHex(bytes: Uint8Array, at: number, hash: Uint8Array): boolean {
  for (let i = 0; i < HASH_SIZE; i++, at += 2) {
    const b = hash[i];
    if (bytes[at] !== HEX_DIGITS[b >> 4] || bytes[at + 1] !== HEX_DIGITS[b & 15]) return false;
  }
  return true;
}

/**
 * Whether the hashed bytes carry exactly this seq and link as top-level members — the hot path of
 * chain verification, so it scans the canonical text in place instead of parsing it. Strings are
 * skipped whole (a quote inside one is always escaped), so only real top-level keys are read.
 * decodeLogEntry is the strict, several times slower check of the whole entry.
 */
export function linksMatch(bytes: Uint8Array, seq: number, prevLeafHash: Uint8Array): boolean {
  const n = bytes.length;
  if (n < 2 || bytes[0] !== OPEN_OBJECT || bytes[n - 1] !== CLOSE_OBJECT) return false;
  let depth = 0;
  let seenSeq = false;
  let seenPrev = false;
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth === 0 && i !== n - 1) return false; // text after the top-level object
    } else if (c === QUOTE) {
      const start = i + 1;
      for (i = start; i < n && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
      if (i >= n) return false;
      const isTopLevelKey =
        depth === 1 &&
        (bytes[start - 2] === OPEN_OBJECT || bytes[start - 2] === COMMA) &&
        bytes[i + 1] === COLON;
      if (!isTopLevelKey) continue;
      const length = i - start;
      if (length === SEQ_KEY.length && matchAt(bytes, start, SEQ_KEY)) {
        const end = matchDecimal(bytes, i + 2, seq);
        if (seenSeq || end < 0 || (bytes[end] !== COMMA && bytes[end] !== CLOSE_OBJECT)) return false;
        seenSeq = true;
        i = end - 1;
      } else if (length === PREV_KEY.length && matchAt(bytes, start, PREV_KEY)) {
        const close = i + 3 + 2 * HASH_SIZE;
        if (
          seenPrev ||
          bytes[i + 2] !== QUOTE ||
          !matchHex(bytes, i + 3, prevLeafHash) ||
          bytes[close] !== QUOTE
        ) {
          return false;
        }
        seenPrev = true;
        i = close;
      }
    }
  }
  return seenSeq && seenPrev && depth === 0;
}
