import {
  appendToFrontier,
  EMPTY_FRONTIER,
  encodeLogEntry,
  epochExtensions,
  epochOpeningDetails,
  GENESIS_PREV_LEAF_HASH,
  generateSigningKey,
  leafHash,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
} from '@ixr/exchange-log';
import type { CheckpointRow, EntryRow, LogReader } from './log.reader';
import type { LogTrust } from './log-trust';
import { verifyLog } from './log-verification';

const ORIGIN = 'ixr.test/exchange-log';
const key = generateSigningKey(ORIGIN);
const signer = parseSignerKey(key.signerKey);
const trust: LogTrust = {
  origin: ORIGIN,
  source: 'configured',
  keys: [key.verifierKey],
  verifiers: [parseVerifierKey(key.verifierKey)],
};

interface Epoch {
  rows: EntryRow[];
  checkpoints: CheckpointRow[];
}

/** An epoch of `count` entries (the first given), signed at each of `signedAt`. */
function epoch(number: number, count: number, signedAt: number[], first?: Record<string, unknown>): Epoch {
  const rows: EntryRow[] = [];
  let prev: Buffer = Buffer.from(GENESIS_PREV_LEAF_HASH, 'hex');
  for (let seq = 0; seq < count; seq++) {
    const fields = seq === 0 && first ? first : { kind: 'received', n: seq };
    const bytes = encodeLogEntry(seq, prev, fields);
    const leaf = leafHash(bytes);
    rows.push({
      epoch: number,
      seq: String(seq),
      bytes: bytes.toString('utf8'),
      leafHash: leaf,
      prevLeafHash: prev,
    });
    prev = leaf;
  }
  const checkpoints = signedAt.map((size) => {
    const rootHash = appendToFrontier(
      EMPTY_FRONTIER,
      rows.slice(0, size).map((r) => r.leafHash),
    ).rootHash;
    const note = signCheckpoint(
      { origin: ORIGIN, size, rootHash, extensions: epochExtensions(number) },
      signer,
    );
    return { epoch: number, size, rootHash, note, signedAt: new Date(0) };
  });
  return { rows, checkpoints };
}

/** The first entry of epoch `number`, opened over `checkpoint` with `stored` entries left. */
function opening(number: number, checkpoint: CheckpointRow, stored: number): Record<string, unknown> {
  return {
    kind: 'epoch',
    details: epochOpeningDetails({
      epoch: number,
      previous: {
        epoch: number - 1,
        checkpoint: {
          size: checkpoint.size,
          rootHash: checkpoint.rootHash.toString('hex'),
          note: checkpoint.note,
        },
        storedEntries: stored,
      },
      reason: 'tail lost, no copy',
    }),
  };
}

/** What verifyLog reads, over epochs held in memory; `cut` drops epoch 0's entries from that seq on. */
function reader(epochs: Epoch[]): LogReader {
  const rowsOf = (e: number) => epochs[e]?.rows ?? [];
  return {
    epochs: () => Promise.resolve(epochs.map((_, i) => i)),
    size: (e = 0) => Promise.resolve(rowsOf(e).length === 0 ? 0 : Number(rowsOf(e).at(-1)!.seq) + 1),
    checkpoints: () => Promise.resolve(epochs.flatMap((e) => e.checkpoints)),
    entriesAt: (e: number, from: number, limit: number) =>
      Promise.resolve(
        rowsOf(e)
          .filter((r) => Number(r.seq) >= from)
          .slice(0, limit),
      ),
    pages: async function* (_size?: number, _depth?: number, e = 0) {
      yield rowsOf(e);
    },
  } as unknown as LogReader;
}

describe('verifyLog across epochs', () => {
  // Epoch 0: 10 entries signed at 4 and 10; the tail 7..9 is lost; epoch 1 opens over size 10.
  const old = epoch(0, 10, [4, 10]);
  const cut = { ...old, rows: old.rows.slice(0, 7) };

  it('passes two epochs whose link declares the lost tail, and reports it', async () => {
    const next = epoch(1, 3, [1, 3], opening(1, old.checkpoints[1], 7));
    const report = await verifyLog(reader([cut, next]), trust);
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(10);
    expect(report.epochs.map((e) => e.ok)).toEqual([true, true]);
    expect(report.epochs[0].lost).toEqual({ from: 7, to: 9, reason: 'tail lost, no copy' });
    expect(report.epochs[1].opening).toEqual({ ok: true, reason: 'tail lost, no copy' });
    expect(report.checkpoints.latest?.size).toBe(3);
  });

  it('fails a cut nobody declared: the opening says more entries were left', async () => {
    const next = epoch(1, 2, [2], opening(1, old.checkpoints[1], 8));
    const report = await verifyLog(reader([cut, next]), trust);
    expect(report.ok).toBe(false);
    expect(report.firstBadEpoch).toBe(0);
    expect(report.failure).toBe('TRUNCATED');
  });

  it('fails an epoch opened over an older checkpoint than the latest one of the epoch before', async () => {
    const next = epoch(1, 2, [2], opening(1, old.checkpoints[0], 7));
    const report = await verifyLog(reader([cut, next]), trust);
    expect(report.ok).toBe(false);
    expect(report.epochs[0].ok).toBe(false);
    expect(report.epochs[1]).toMatchObject({ ok: false, failure: 'EPOCH_OPENING' });
  });

  it('fails an epoch whose first entry is not an opening, or carries a forged checkpoint', async () => {
    const plain = epoch(1, 2, [2]);
    const report = await verifyLog(reader([old, plain]), trust);
    expect(report.epochs[1]).toMatchObject({ ok: false, failure: 'EPOCH_OPENING', firstBadSeq: 0 });
    const forgedCheckpoint = {
      ...old.checkpoints[1],
      note: old.checkpoints[1].note.replace('\n10\n', '\n11\n'),
    };
    const forged = epoch(1, 2, [2], opening(1, forgedCheckpoint, 10));
    expect((await verifyLog(reader([old, forged]), trust)).epochs[1].ok).toBe(false);
  });

  it('reads a log of one epoch as before', async () => {
    const report = await verifyLog(reader([old]), trust);
    expect(report).toMatchObject({ ok: true, entries: 10, checked: 10, unsignedTail: 0 });
    expect(report.epochs).toHaveLength(1);
  });
});
