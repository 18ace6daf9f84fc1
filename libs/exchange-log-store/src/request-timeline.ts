import {
  checkpointEpoch,
  decodeLogEntry,
  inclusionProofAsync,
  leafHash,
  verifyCheckpoint,
  verifyInclusion,
} from '@ixr/exchange-log';
import { openForView } from '@ixr/messaging';
import { type EntryRow, type LogReader, positionOf } from './log.reader';
import type { LogTrust } from './log-trust';

export interface SignedHead {
  readonly epoch: number;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly note: string;
}

export interface TimelineEntry extends Record<string, unknown> {
  /** The log epoch: seq and the proof are in that epoch's chain and tree. */
  readonly epoch: number;
  readonly seq: number;
  /** The exact hashed bytes (canonical JSON): the leaf hash is SHA-256(0x00 ‖ these bytes). */
  readonly canonical: string;
  readonly leafHash: string;
  /** Inclusion in the signed tree; null for an entry appended after the latest checkpoint. */
  readonly inclusion: {
    readonly epoch: number;
    readonly treeSize: number;
    readonly leafIndex: number;
    readonly hashes: readonly string[];
    readonly verified: boolean;
  } | null;
}

export interface Timeline {
  readonly requestId: string;
  /** The checkpoint the latest epoch's entries are proven against. */
  readonly checkpoint: { readonly size: number; readonly rootHash: string; readonly note: string } | null;
  /** Every checkpoint the page's proofs use, one per epoch (just one until a new epoch was opened). */
  readonly checkpoints: readonly {
    readonly epoch: number;
    readonly size: number;
    readonly rootHash: string;
    readonly note: string;
  }[];
  readonly entries: readonly TimelineEntry[];
  /**
   * Where the next page starts (`?after=`), or null on the last page: the last entry's seq in
   * epoch 0, epoch·2^40 + seq in a later epoch.
   */
  readonly nextAfter: number | null;
}

/** One page of a timeline: entries after seq `after`, at most `limit` (memory per read is bounded). */
export interface TimelinePage {
  readonly after: number;
  readonly limit: number;
}

/** The largest page: a request's timeline of any length is read a page at a time. */
export const MAX_TIMELINE_PAGE = 1000;

/**
 * The latest checkpoint of `epoch` (default: the latest epoch) whose signature a trusted key vouches
 * for and whose tree is still stored (size <= the epoch's stored entries; an epoch closed after a
 * loss has signed checkpoints beyond them).
 */
export async function latestTrustedCheckpoint(
  reader: LogReader,
  trust: LogTrust,
  epoch?: number,
): Promise<SignedHead | undefined> {
  const which = epoch ?? (await reader.epochs()).at(-1) ?? 0;
  const [rows, stored] = await Promise.all([reader.checkpoints(which), reader.size(which)]);
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rows[i].size > stored) continue;
    try {
      const verified = verifyCheckpoint(rows[i].note, trust.verifiers, { origin: trust.origin });
      if (checkpointEpoch(verified) !== which) continue;
      return { epoch: which, size: verified.size, rootHash: verified.rootHash, note: rows[i].note };
    } catch {
      // a checkpoint that does not verify proves nothing: verify reports it; try an older one
    }
  }
  return undefined;
}

const PROOFS_PER_READ = 1000;

/**
 * Each entry with its inclusion proof against `head`, checked here too (a tampered row shows
 * false). Proofs are built a thousand at a time: one merged read of the stored nodes each.
 */
export async function withProofs(reader: LogReader, rows: readonly EntryRow[], head: SignedHead | undefined) {
  const hashes = reader.hashReader(head?.epoch ?? 0);
  const prove = async (row: EntryRow) => {
    const seq = Number(row.seq);
    const leaf = leafHash(Buffer.from(row.bytes, 'utf8'));
    if (!head || row.epoch !== head.epoch || seq >= head.size) return { seq, row, leaf, proof: null };
    const proof = await inclusionProofAsync(hashes, seq, head.size);
    return {
      seq,
      row,
      leaf,
      proof,
      verified: verifyInclusion(leaf, seq, head.size, proof, head.rootHash).ok,
    };
  };
  const out: Awaited<ReturnType<typeof prove>>[] = [];
  for (let i = 0; i < rows.length; i += PROOFS_PER_READ) {
    out.push(...(await Promise.all(rows.slice(i, i + PROOFS_PER_READ).map(prove))));
  }
  return out;
}

/** Every entry of one request, in order, each with its inclusion proof against the latest checkpoint. */
export async function requestTimeline(
  reader: LogReader,
  trust: LogTrust,
  requestId: string,
  page: TimelinePage = { after: -1, limit: MAX_TIMELINE_PAGE },
  /** The data keys (SPEC §10): sealed personal data shows clear, or `erased` when its key is gone. */
  keyFor: (keyId: string) => Promise<Buffer | null> = () => Promise.resolve(null),
): Promise<Timeline> {
  const rows = await reader.entriesOfRequest(requestId, page.after, page.limit + 1);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  // Each epoch's entries are proven in that epoch's tree, against its latest trusted checkpoint.
  const epochs = [...new Set(shown.map((r) => r.epoch))];
  const latestEpoch = (await reader.epochs()).at(-1) ?? 0;
  const heads = new Map<number, SignedHead | undefined>();
  for (const epoch of new Set([...epochs, latestEpoch])) {
    heads.set(epoch, await latestTrustedCheckpoint(reader, trust, epoch));
  }
  const proven: (Awaited<ReturnType<typeof withProofs>>[number] & { epoch: number })[] = [];
  for (const epoch of epochs) {
    const head = heads.get(epoch);
    const inEpoch = shown.filter((r) => r.epoch === epoch);
    proven.push(...(await withProofs(reader, inEpoch, head)).map((p) => ({ ...p, epoch })));
  }
  const last = proven.at(-1);
  const head = heads.get(latestEpoch);
  const used = epochs.flatMap((epoch) => {
    const h = heads.get(epoch);
    return h ? [{ epoch, size: h.size, rootHash: h.rootHash.toString('hex'), note: h.note }] : [];
  });
  return {
    requestId,
    nextAfter: more && last ? positionOf(last.epoch, last.seq) : null,
    checkpoint: head ? { size: head.size, rootHash: head.rootHash.toString('hex'), note: head.note } : null,
    checkpoints: used,
    entries: await Promise.all(
      proven.map(async ({ epoch, seq, row, leaf, proof, verified }) => ({
        ...(await viewable(readable(row.bytes), keyFor)),
        epoch,
        seq,
        canonical: row.bytes,
        leafHash: leaf.toString('hex'),
        inclusion: proof && {
          epoch,
          treeSize: heads.get(epoch)!.size,
          leafIndex: seq,
          hashes: proof.map((h) => h.toString('hex')),
          verified: verified === true,
        },
      })),
    ),
  };
}

/**
 * The entry with its sealed personal data opened; where the key is gone (the request was erased)
 * the values read `erased` and the entry says `personalData: "erased"`. `canonical` keeps the
 * hashed bytes as stored, so the proof still checks.
 */
async function viewable(
  entry: Record<string, unknown>,
  keyFor: (keyId: string) => Promise<Buffer | null>,
): Promise<Record<string, unknown>> {
  const { value, erased } = await openForView(entry, keyFor);
  return erased
    ? { ...(value as Record<string, unknown>), personalData: 'erased' }
    : (value as Record<string, unknown>);
}

/** The entry's fields as recorded; bytes that no longer parse are shown as such, not hidden. */
function readable(bytes: string): Record<string, unknown> {
  try {
    return { ...decodeLogEntry(Buffer.from(bytes, 'utf8')) };
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}
