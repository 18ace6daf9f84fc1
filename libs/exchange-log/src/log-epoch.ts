import type { LogEntryKind } from '@ixr/domain';
import type { Checkpoint } from './checkpoint.note';
import { ExchangeLogError } from './exchange-log.error';
import { decodeLogEntry } from './log-entry.codec';

/**
 * Log epochs. A log whose signed entries were lost, with no copy left to restore them from, goes
 * on in a new epoch: a fresh chain and tree (seq 0 again) whose first entry, of kind `epoch`,
 * carries the previous epoch's latest signed checkpoint (size, root hash and the whole signed
 * note), how many of its entries are still stored, and the operator's reason. That entry is
 * covered by the new epoch's checkpoints, so the new epoch signs over the old one; the old epoch's
 * checkpoints and proofs stay verifiable as that epoch's.
 *
 * Checkpoints of epoch >= 1 say their epoch in an extension line (`epoch <n>`), so a note of one
 * epoch is never taken for another's; epoch 0's notes are unchanged.
 */
export const EPOCH_ENTRY_KIND = 'epoch' satisfies LogEntryKind;

const EPOCH_LINE = /^epoch (0|[1-9][0-9]*)$/;

/** The extension lines of a checkpoint of `epoch`. */
export function epochExtensions(epoch: number): string[] {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw malformed('epoch must be a non-negative integer');
  return epoch === 0 ? [] : [`epoch ${epoch}`];
}

/** The epoch a checkpoint belongs to: its `epoch <n>` extension line, 0 without one. */
export function checkpointEpoch(checkpoint: Pick<Checkpoint, 'extensions'>): number {
  const lines = checkpoint.extensions.filter((line) => line.startsWith('epoch '));
  if (lines.length === 0) return 0;
  const match = lines.length === 1 ? EPOCH_LINE.exec(lines[0]) : null;
  if (!match || Number(match[1]) === 0) {
    throw new ExchangeLogError('EXCHANGE_LOG.CHECKPOINT_MALFORMED', 'the checkpoint names its epoch wrongly');
  }
  return Number(match[1]);
}

/** What the first entry of an epoch >= 1 records of the epoch before it (its `details`). */
export interface EpochOpening {
  readonly epoch: number;
  readonly previous: {
    readonly epoch: number;
    /** The previous epoch's latest signed checkpoint. */
    readonly checkpoint: { readonly size: number; readonly rootHash: string; readonly note: string };
    /** How many of its entries were still stored when the new epoch opened (seq 0..n-1). */
    readonly storedEntries: number;
  };
  readonly reason: string;
}

export function epochOpeningDetails(opening: EpochOpening): Record<string, unknown> {
  return {
    epoch: opening.epoch,
    previous: {
      epoch: opening.previous.epoch,
      checkpoint: { ...opening.previous.checkpoint },
      storedEntries: opening.previous.storedEntries,
    },
    reason: opening.reason,
  };
}

/** Reads the opening from an `epoch` entry's bytes; throws when the entry is not one. */
export function parseEpochOpening(bytes: Uint8Array | string): EpochOpening {
  const entry = decodeLogEntry(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes) as Record<
    string,
    unknown
  >;
  const details = entry.details as Record<string, unknown> | undefined;
  const previous = details?.previous as Record<string, unknown> | undefined;
  const checkpoint = previous?.checkpoint as Record<string, unknown> | undefined;
  const natural = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (
    entry.kind !== EPOCH_ENTRY_KIND ||
    entry.seq !== 0 ||
    !natural(details?.epoch) ||
    details.epoch < 1 ||
    !natural(previous?.epoch) ||
    previous.epoch !== details.epoch - 1 ||
    !natural(previous.storedEntries) ||
    !natural(checkpoint?.size) ||
    typeof checkpoint.rootHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(checkpoint.rootHash) ||
    typeof checkpoint.note !== 'string' ||
    typeof details.reason !== 'string'
  ) {
    throw malformed('not the first entry of a log epoch (kind epoch, seq 0, with the previous checkpoint)');
  }
  return {
    epoch: details.epoch,
    previous: {
      epoch: previous.epoch,
      checkpoint: { size: checkpoint.size, rootHash: checkpoint.rootHash, note: checkpoint.note },
      storedEntries: previous.storedEntries,
    },
    reason: details.reason,
  };
}

function malformed(message: string): ExchangeLogError {
  return new ExchangeLogError('EXCHANGE_LOG.ENTRY_MALFORMED', message);
}
