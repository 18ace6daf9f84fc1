import { performance } from 'node:perf_hooks';
import {
  ChainVerifier,
  checkpointEpoch,
  parseEpochOpening,
  type TreeHead,
  verifyCheckpoint,
} from '@ixr/exchange-log';
import type { LogReader } from './log.reader';
import type { LogTrust } from './log-trust';

export interface CheckpointProblem {
  readonly size: number | null;
  readonly reason: string;
}

/** One epoch's verification (README "Log epochs"): its own chain, tree and checkpoints. */
export interface EpochVerification {
  readonly epoch: number;
  readonly ok: boolean;
  readonly entries: number;
  readonly checked: number;
  readonly rootHash?: string;
  readonly firstBadSeq?: number;
  readonly failure?: string;
  readonly reason?: string;
  readonly badRange?: { readonly from: number; readonly to: number };
  readonly checkpoints: number;
  readonly latest?: { readonly size: number; readonly rootHash: string };
  /**
   * Entries under a signed checkpoint that are no longer stored, declared by the next epoch's
   * first entry (the operator's recovery): not a failure, and said so.
   */
  readonly lost?: { readonly from: number; readonly to: number; readonly reason: string };
  /** For epochs >= 1: the first entry accounts for the previous epoch's latest checkpoint. */
  readonly opening?: { readonly ok: boolean; readonly reason: string };
}

export interface LogVerification {
  readonly ok: boolean;
  /** Each epoch in order; the top-level figures sum them (entries, checked) or name the first failure. */
  readonly epochs: readonly EpochVerification[];
  /** Entries read. */
  readonly entries: number;
  /** Entries proven intact, from seq 0 of each epoch. */
  readonly checked: number;
  /** The latest epoch's root. */
  readonly rootHash?: string;
  /** Where an investigation starts: everything before it is intact (in firstBadEpoch). */
  readonly firstBadSeq?: number;
  readonly firstBadEpoch?: number;
  readonly failure?: string;
  readonly reason?: string;
  readonly badRange?: { readonly from: number; readonly to: number };
  readonly checkpoints: {
    readonly verified: number;
    readonly latest?: { readonly size: number; readonly rootHash: string; readonly signedAt?: string };
    /** Forged or altered: a trusted key's signature that fails, a malformed note, columns that disagree. */
    readonly problems: readonly CheckpointProblem[];
    /**
     * Signed by no trusted key, or for another origin (say, before a key rotation the auditor was
     * not told of): proof of nothing either way, so not used, and listed for the auditor to judge.
     */
    readonly ignored: readonly CheckpointProblem[];
  };
  /** Entries after the latest signed checkpoint: a cut among them would not be detectable yet. */
  readonly unsignedTail: number;
  readonly trust: { readonly source: string; readonly keys: readonly string[] };
  readonly durationMs: number;
}

export interface VerifyOptions {
  /** Checkpoints the auditor kept (e.g. from an earlier bundle): a cut of the stored ones shows too. */
  readonly extraCheckpoints?: readonly string[];
  readonly onProgress?: (checked: number, total: number) => void;
  readonly pageSize?: number;
}

/**
 * Verifies the whole log, epoch by epoch: every stored checkpoint's signature, then every entry
 * of the epoch in seq order — chain links, leaf hashes, and the tree root at each checkpoint's
 * size — and, from epoch 1 on, the link: the epoch's first entry records the previous epoch's
 * latest signed checkpoint and how many of its entries were left. Entries lost under that
 * checkpoint are reported as declared by the recovery; any other cut or change is a failure.
 * Names the first bad seq (and its epoch), or the tail cut against the last signed checkpoint.
 */
export async function verifyLog(
  reader: LogReader,
  trust: LogTrust,
  options: VerifyOptions = {},
): Promise<LogVerification> {
  const started = performance.now();
  const problems: CheckpointProblem[] = [];
  const ignored: CheckpointProblem[] = [];
  const heads = new Map<number, (TreeHead & { signedAt?: Date })[]>();
  const accept = (
    note: string,
    stored?: { epoch: number; size: number; rootHash: Buffer; signedAt: Date },
  ): void => {
    try {
      const checkpoint = verifyCheckpoint(note, trust.verifiers, { origin: trust.origin });
      const epoch = checkpointEpoch(checkpoint);
      if (
        stored &&
        (checkpoint.size !== stored.size ||
          !checkpoint.rootHash.equals(stored.rootHash) ||
          epoch !== stored.epoch)
      ) {
        problems.push({
          size: stored.size,
          reason: 'the stored epoch, size or root differs from what the note signs',
        });
      }
      const list = heads.get(epoch) ?? [];
      list.push({ size: checkpoint.size, rootHash: checkpoint.rootHash, signedAt: stored?.signedAt });
      heads.set(epoch, list);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const notOurs =
        code === 'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED' || code === 'EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN';
      (notOurs ? ignored : problems).push({ size: stored?.size ?? null, reason: (error as Error).message });
    }
  };
  for (const row of await reader.checkpoints()) accept(row.note, row);
  for (const note of options.extraCheckpoints ?? []) accept(note);

  const stored = await reader.epochs();
  const epochList = [...new Set([...stored, ...heads.keys()])].sort((a, b) => a - b);
  const sizes = new Map<number, number>();
  for (const epoch of epochList) sizes.set(epoch, await reader.size(epoch));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  let read = 0;
  const epochs: EpochVerification[] = [];
  for (const [i, epoch] of epochList.entries()) {
    const size = sizes.get(epoch)!;
    const signed = heads.get(epoch) ?? [];
    const latestSigned = signed.reduce<TreeHead | undefined>(
      (a, h) => (a && a.size >= h.size ? a : h),
      undefined,
    );
    const next = epochList[i + 1];
    // The next epoch's first entry may declare this epoch's signed tail lost.
    const opening = next === undefined ? undefined : await openingOf(reader, next, trust);
    // Only a loss the opening accounts for exactly: it names this epoch's latest signed checkpoint
    // and the entries still stored.
    const declared =
      opening?.ok &&
      latestSigned &&
      latestSigned.size > size &&
      opening.storedEntries === size &&
      opening.checkpointSize === latestSigned.size &&
      opening.checkpointRoot === Buffer.from(latestSigned.rootHash).toString('hex')
        ? { from: size, to: latestSigned.size - 1, reason: opening.reason }
        : undefined;
    const verifier = new ChainVerifier({
      checkpoints: declared ? signed.filter((h) => h.size <= size) : signed,
    });
    let entries = 0;
    outer: for await (const page of reader.pages(options.pageSize, 3, epoch)) {
      for (const row of page) {
        entries++;
        if (!verifier.push(row)) break outer;
      }
      options.onProgress?.(read + entries, total);
    }
    read += entries;
    const chain = verifier.finish();
    const own = epoch === 0 ? undefined : await openingOf(reader, epoch, trust);
    epochs.push({
      epoch,
      ok: chain.ok && (own?.ok ?? true),
      entries,
      checked: chain.checked,
      rootHash: chain.rootHash?.toString('hex'),
      firstBadSeq: chain.firstBadSeq ?? (own && !own.ok ? 0 : undefined),
      failure: chain.failure ?? (own && !own.ok ? 'EPOCH_OPENING' : undefined),
      reason: chain.reason ?? (own && !own.ok ? own.reason : undefined),
      badRange: chain.badRange,
      checkpoints: signed.length,
      latest: latestSigned && {
        size: latestSigned.size,
        rootHash: Buffer.from(latestSigned.rootHash).toString('hex'),
      },
      lost: declared,
      opening: own && { ok: own.ok, reason: own.reason },
    });
  }
  // Each opening must account for the latest checkpoint of the epoch before (stored or kept).
  for (const [i, result] of epochs.entries()) {
    if (i === 0 || !result.opening?.ok) continue;
    const before = epochs[i - 1];
    const recorded = await openingOf(reader, result.epoch, trust);
    if (
      before.latest &&
      (recorded.checkpointSize < before.latest.size ||
        (recorded.checkpointSize === before.latest.size &&
          recorded.checkpointRoot !== before.latest.rootHash))
    ) {
      epochs[i] = {
        ...result,
        ok: false,
        firstBadSeq: 0,
        failure: 'EPOCH_OPENING',
        reason: `epoch ${result.epoch} opened over a checkpoint of size ${recorded.checkpointSize}, not epoch ${before.epoch}'s latest (size ${before.latest.size})`,
        opening: { ok: false, reason: 'does not account for the latest checkpoint of the epoch before' },
      };
    }
  }
  const bad = epochs.find((e) => !e.ok);
  const last = epochs.at(-1);
  const latestHead =
    last &&
    (heads.get(last.epoch) ?? []).reduce<(TreeHead & { signedAt?: Date }) | undefined>(
      (a, h) => (a && a.size >= h.size ? a : h),
      undefined,
    );
  return {
    ok: !bad && problems.length === 0,
    epochs,
    entries: read,
    checked: epochs.reduce((a, e) => a + e.checked, 0),
    rootHash: last?.rootHash,
    firstBadSeq: bad?.firstBadSeq,
    firstBadEpoch: bad?.epoch,
    failure: bad?.failure ?? (problems.length ? 'CHECKPOINT_SIGNATURE' : undefined),
    reason:
      (bad && (epochs.length > 1 ? `epoch ${bad.epoch}: ${bad.reason}` : bad.reason)) ??
      (problems.length ? `${problems.length} checkpoint(s) do not verify` : undefined),
    badRange: bad?.badRange,
    checkpoints: {
      verified: [...heads.values()].reduce((a, h) => a + h.length, 0),
      latest: latestHead && {
        size: latestHead.size,
        rootHash: Buffer.from(latestHead.rootHash).toString('hex'),
        signedAt: latestHead.signedAt?.toISOString(),
      },
      problems,
      ignored,
    },
    unsignedTail: Math.max(0, (last?.entries ?? 0) - (latestHead?.size ?? 0)),
    trust: { source: trust.source, keys: trust.keys },
    durationMs: Math.round(performance.now() - started),
  };
}

interface Opening {
  ok: boolean;
  reason: string;
  storedEntries: number;
  checkpointSize: number;
  checkpointRoot: string;
}

/** The first entry of `epoch` (>= 1), read as its opening: the previous epoch's signed checkpoint. */
async function openingOf(reader: LogReader, epoch: number, trust: LogTrust): Promise<Opening> {
  const bad = (reason: string): Opening => ({
    ok: false,
    reason,
    storedEntries: -1,
    checkpointSize: -1,
    checkpointRoot: '',
  });
  const [first] = await reader.entriesAt(epoch, 0, 1);
  if (!first) return bad(`epoch ${epoch} has no first entry`);
  try {
    const opening = parseEpochOpening(first.bytes);
    if (opening.epoch !== epoch) return bad(`the first entry of epoch ${epoch} opens epoch ${opening.epoch}`);
    const note = verifyCheckpoint(opening.previous.checkpoint.note, trust.verifiers, {
      origin: trust.origin,
    });
    if (
      checkpointEpoch(note) !== epoch - 1 ||
      note.size !== opening.previous.checkpoint.size ||
      note.rootHash.toString('hex') !== opening.previous.checkpoint.rootHash
    ) {
      return bad(`the checkpoint recorded by epoch ${epoch}'s first entry is not what its signed note says`);
    }
    return {
      ok: true,
      reason: opening.reason,
      storedEntries: opening.previous.storedEntries,
      checkpointSize: note.size,
      checkpointRoot: opening.previous.checkpoint.rootHash,
    };
  } catch (error) {
    return bad(`epoch ${epoch}'s first entry: ${(error as Error).message}`);
  }
}
