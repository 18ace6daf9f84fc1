import pino from 'pino';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import {
  encodeLogEntry,
  epochExtensions,
  epochOpeningDetails,
  GENESIS_PREV_LEAF_HASH,
  generateSigningKey,
  leafHash,
  parseSignerKey,
  signCheckpoint,
} from '@ixr/exchange-log';
import { LogIntegrity, LogIntegrityError, type CheckpointFile } from './log-integrity';

const key = generateSigningKey('ixr.test/exchange-log');
const signer = parseSignerKey(key.signerKey);
const leaf = leafHash(Buffer.from('{"seq":0}'));
const note = (size: number, root: Buffer, epoch = 0) =>
  signCheckpoint(
    { origin: 'ixr.test/exchange-log', size, rootHash: root, extensions: epochExtensions(epoch) },
    signer,
  );

/** The first entry of epoch 1, opened over epoch 0's checkpoint of `size`. */
const opening = (size: number, root: Buffer) =>
  encodeLogEntry(0, GENESIS_PREV_LEAF_HASH, {
    kind: 'epoch',
    details: epochOpeningDetails({
      epoch: 1,
      previous: {
        epoch: 0,
        checkpoint: { size, rootHash: root.toString('hex'), note: note(size, root) },
        storedEntries: 1,
      },
      reason: 'tail lost',
    }),
  }).toString('utf8');

/**
 * A store of one entry (leaf 0) whose checkpoints table holds `checkpoints`, and whose epoch 1
 * (when `firstOfEpoch1` is given) opens with that entry.
 */
function manager(
  checkpoints: { size: number; root: Buffer; epoch?: number }[],
  firstOfEpoch1?: string,
): EntityManager {
  return {
    query: (sql: string) => {
      if (sql.includes('FROM exchange_log_checkpoints')) {
        const latest = checkpoints.at(-1);
        return Promise.resolve(
          latest
            ? [
                {
                  epoch: latest.epoch ?? 0,
                  tree_size: String(latest.size),
                  root_hash: latest.root,
                  note: note(latest.size, latest.root, latest.epoch),
                },
              ]
            : [],
        );
      }
      if (sql.includes('seq = ANY')) return Promise.resolve([{ seq: '0', hash: leaf }]);
      if (sql.includes('seq = 0')) return Promise.resolve(firstOfEpoch1 ? [{ entry: firstOfEpoch1 }] : []);
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
}

function integrity(file?: CheckpointFile) {
  const registry = new Registry();
  type Line = { level: number; msg: string; seq?: number; checkpoint?: number };
  const lines: Line[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  );
  return { check: new LogIntegrity(logger, registry, file), registry, lines };
}

describe('LogIntegrity', () => {
  it('passes a store that matches its latest signed checkpoint', async () => {
    const { check } = integrity();
    await check.verify(
      manager([{ epoch: 0, size: 1, root: leaf }]),
      { epoch: 0, size: 1, lastLeaf: leaf, checkpointed: 1 },
      false,
    );
    expect(check.problem()).toBeUndefined();
  });

  it('stops on a store behind its checkpoint, naming seq and checkpoint, and resumes once it matches', async () => {
    const { check, registry, lines } = integrity();
    const db = manager([{ epoch: 0, size: 5, root: leaf }]);
    const error = await check
      .verify(db, { epoch: 0, size: 1, lastLeaf: leaf, checkpointed: 5 }, false)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogIntegrityError);
    expect((error as Error).message).toContain('next seq 1');
    expect((error as Error).message).toContain('covers 5 entries');
    expect(check.problem()).toBe(error);
    expect(await registry.metrics()).toMatch(/^ixr_log_integrity_halted 1$/m);
    // One error log naming seq and checkpoint, not one per retry of the same halt.
    await check
      .verify(db, { epoch: 0, size: 1, lastLeaf: leaf, checkpointed: 5 }, false)
      .catch(() => undefined);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ seq: 1, checkpoint: 5 });
    // Restored: five entries again (known: the cheap checks suffice).
    await check.verify(db, { epoch: 0, size: 5, lastLeaf: leaf, checkpointed: 5 }, true);
    expect(check.problem()).toBeUndefined();
    expect(await registry.metrics()).toMatch(/^ixr_log_integrity_halted 0$/m);
  });

  it('stops on a tree whose root differs from the signed one', async () => {
    const { check } = integrity();
    const other = leafHash(Buffer.from('{"seq":0,"x":1}'));
    await expect(
      check.verify(
        manager([{ epoch: 0, size: 1, root: other }]),
        { epoch: 0, size: 1, lastLeaf: leaf, checkpointed: 1 },
        false,
      ),
    ).rejects.toThrow(/has root .* not the signed checkpoint's/);
  });

  it('stops on a tail cut below what this writer stored, even past the last checkpoint', async () => {
    const { check } = integrity();
    check.committed(0, 9);
    await expect(
      check.verify(
        manager([{ epoch: 0, size: 1, root: leaf }]),
        { epoch: 0, size: 7, lastLeaf: leaf, checkpointed: 1 },
        false,
      ),
    ).rejects.toThrow('this writer had stored 9 entries');
  });

  it('trusts the copy outside the database: a database restored with its checkpoints is caught', async () => {
    let kept = note(3, leaf);
    const file: CheckpointFile = { read: () => kept, write: (n) => (kept = n) };
    const { check } = integrity(file);
    await expect(
      check.verify(
        manager([{ epoch: 0, size: 1, root: leaf }]),
        { epoch: 0, size: 1, lastLeaf: leaf, checkpointed: 1 },
        false,
      ),
    ).rejects.toThrow('the latest signed checkpoint covers 3 entries');
    // Entries whole, but the checkpoints table went back.
    await expect(
      check.verify(
        manager([{ epoch: 0, size: 1, root: leaf }]),
        { epoch: 0, size: 3, lastLeaf: leaf, checkpointed: 1 },
        false,
      ),
    ).rejects.toThrow('the latest signed checkpoint (size 3) is missing from the checkpoints table');
    check.committed(0, 4, { epoch: 0, size: 4, rootHash: leaf, note: note(4, leaf) });
    expect(kept).toContain('\n4\n');
  });

  it('resumes in a new epoch only when its first entry records the latest checkpoint of the epoch before', async () => {
    const kept = note(5, leaf);
    const file: CheckpointFile = { read: () => kept, write: () => undefined };
    const newEpoch = { epoch: 1, size: 1, lastLeaf: leaf, checkpointed: 0 };
    // Opened over an older checkpoint (size 3) than the one kept outside the database (size 5).
    const stale = integrity(file).check;
    await expect(stale.verify(manager([], opening(3, leaf)), newEpoch, false)).rejects.toThrow(
      'epoch 1 opened over a checkpoint of size 3, not the latest signed one of epoch 0 (size 5)',
    );
    // No epoch entry at all: entries of a higher epoch written by someone else.
    await expect(integrity(file).check.verify(manager([]), newEpoch, false)).rejects.toThrow(
      'epoch 1 does not open with an epoch entry',
    );
    // The right opening: the writer resumes and later appends are checked within epoch 1.
    await stale.verify(manager([], opening(5, leaf)), newEpoch, false);
    expect(stale.problem()).toBeUndefined();
    stale.committed(1, 4);
    await expect(
      stale.verify(manager([], opening(5, leaf)), { ...newEpoch, size: 2 }, false),
    ).rejects.toThrow('this writer had stored 4 entries');
    // And a store that falls back to epoch 0 once epoch 1 was seen is stopped.
    await expect(
      stale.verify(
        manager([{ size: 5, root: leaf }]),
        { epoch: 0, size: 5, lastLeaf: leaf, checkpointed: 5 },
        false,
      ),
    ).rejects.toThrow('this writer had stored entries of epoch 1');
  });
});
