import pino from 'pino';
import { Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { generateSigningKey, leafHash, parseSignerKey, signCheckpoint } from '@ixr/exchange-log';
import { LogIntegrity, LogIntegrityError, type CheckpointFile } from './log-integrity';

const key = generateSigningKey('ixr.test/exchange-log');
const signer = parseSignerKey(key.signerKey);
const leaf = leafHash(Buffer.from('{"seq":0}'));
const note = (size: number, root: Buffer) =>
  signCheckpoint({ origin: 'ixr.test/exchange-log', size, rootHash: root }, signer);

/** A store of one entry (leaf 0) whose checkpoints table holds `checkpoints`. */
function manager(checkpoints: { size: number; root: Buffer }[]): EntityManager {
  return {
    query: (sql: string) => {
      if (sql.includes('FROM exchange_log_checkpoints')) {
        const latest = checkpoints.at(-1);
        return Promise.resolve(
          latest
            ? [
                {
                  tree_size: String(latest.size),
                  root_hash: latest.root,
                  note: note(latest.size, latest.root),
                },
              ]
            : [],
        );
      }
      if (sql.includes('FROM exchange_log WHERE seq = ANY'))
        return Promise.resolve([{ seq: '0', hash: leaf }]);
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
}

function integrity(file?: CheckpointFile) {
  const registry = new Registry();
  return { check: new LogIntegrity(pino({ level: 'silent' }), registry, file), registry };
}

describe('LogIntegrity', () => {
  it('passes a store that matches its latest signed checkpoint', async () => {
    const { check } = integrity();
    await check.verify(
      manager([{ size: 1, root: leaf }]),
      { size: 1, lastLeaf: leaf, checkpointed: 1 },
      false,
    );
    expect(check.problem()).toBeUndefined();
  });

  it('stops on a store behind its checkpoint, naming seq and checkpoint, and resumes once it matches', async () => {
    const { check, registry } = integrity();
    const db = manager([{ size: 5, root: leaf }]);
    const error = await check
      .verify(db, { size: 1, lastLeaf: leaf, checkpointed: 5 }, false)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogIntegrityError);
    expect((error as Error).message).toContain('next seq 1');
    expect((error as Error).message).toContain('covers 5 entries');
    expect(check.problem()).toBe(error);
    expect(await registry.metrics()).toMatch(/^ixr_log_integrity_halted 1$/m);
    // Restored: five entries again (known: the cheap checks suffice).
    await check.verify(db, { size: 5, lastLeaf: leaf, checkpointed: 5 }, true);
    expect(check.problem()).toBeUndefined();
    expect(await registry.metrics()).toMatch(/^ixr_log_integrity_halted 0$/m);
  });

  it('stops on a tree whose root differs from the signed one', async () => {
    const { check } = integrity();
    const other = leafHash(Buffer.from('{"seq":0,"x":1}'));
    await expect(
      check.verify(manager([{ size: 1, root: other }]), { size: 1, lastLeaf: leaf, checkpointed: 1 }, false),
    ).rejects.toThrow(/has root .* not the signed checkpoint's/);
  });

  it('stops on a tail cut below what this writer stored, even past the last checkpoint', async () => {
    const { check } = integrity();
    check.committed(9);
    await expect(
      check.verify(manager([{ size: 1, root: leaf }]), { size: 7, lastLeaf: leaf, checkpointed: 1 }, false),
    ).rejects.toThrow('this writer had stored 9 entries');
  });

  it('trusts the copy outside the database: a database restored with its checkpoints is caught', async () => {
    let kept = note(3, leaf);
    const file: CheckpointFile = { read: () => kept, write: (n) => (kept = n) };
    const { check } = integrity(file);
    await expect(
      check.verify(manager([{ size: 1, root: leaf }]), { size: 1, lastLeaf: leaf, checkpointed: 1 }, false),
    ).rejects.toThrow('the latest signed checkpoint covers 3 entries');
    // Entries whole, but the checkpoints table went back.
    await expect(
      check.verify(manager([{ size: 1, root: leaf }]), { size: 3, lastLeaf: leaf, checkpointed: 1 }, false),
    ).rejects.toThrow('the latest signed checkpoint (size 3) is missing from the checkpoints table');
    check.committed(4, { size: 4, rootHash: leaf, note: note(4, leaf) });
    expect(kept).toContain('\n4\n');
  });
});
