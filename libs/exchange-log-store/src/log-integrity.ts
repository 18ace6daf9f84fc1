import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { checkpointEpoch, frontierRoot, parseCheckpoint, parseEpochOpening } from '@ixr/exchange-log';
import { type StoredHead, treeStore } from './tree.store';

/** The writer found its store behind, or different from, its latest signed checkpoint. */
export class LogIntegrityError extends Error {
  readonly code = 'EXCHANGE_LOG.STORE_BEHIND_CHECKPOINT';
  constructor(
    message: string,
    readonly seq: number,
    readonly checkpoint: number,
  ) {
    super(message);
    this.name = 'LogIntegrityError';
  }
}

export interface TrustedCheckpoint {
  readonly epoch: number;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly note: string;
}

/** Later in the log: a higher epoch, or the same epoch and more entries. */
function later(a: { epoch: number; size: number }, b: { epoch: number; size: number } | undefined): boolean {
  return !b || a.epoch > b.epoch || (a.epoch === b.epoch && a.size > b.size);
}

/** Where a copy of the latest checkpoint is kept outside the database (LOG_CHECKPOINT_FILE). */
export interface CheckpointFile {
  read(): string | undefined;
  write(note: string): void;
}

export function checkpointFileAt(path: string): CheckpointFile {
  return {
    read: () => {
      try {
        return readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    // Written whole, then renamed: a crash leaves the old copy or the new one, never half of one.
    write: (note) => {
      writeFileSync(`${path}.tmp`, note, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    },
  };
}

/**
 * SPEC §6: before every append (and at start) the writer compares its store with the latest
 * signed checkpoint it knows — the newest of the database's, the copy outside the database
 * (LOG_CHECKPOINT_FILE) and the ones it signed itself since it started. A store shorter than that
 * checkpoint (a restore from an older backup, a tail cut by the superuser), or whose tree at that
 * size has another root, or whose checkpoints table lost the checkpoint, makes it stop: nothing
 * is appended, /health answers 503 naming the sequence number and the checkpoint, a metric is
 * set and one error is logged; business events wait (the transport treats the error as a
 * dependency away). The first append after a recovery (`npm run log:recover`) resumes: either the
 * missing entries are back, or the operator opened a new epoch whose first entry accounts for the
 * latest checkpoint of the epoch before (README "Log epochs").
 */
export class LogIntegrity {
  private trusted?: TrustedCheckpoint;
  private halted?: LogIntegrityError;
  /** Where this process last committed (or verified); a store behind it was cut. */
  private highWater = { epoch: 0, size: 0 };
  private readonly gauge: Gauge;

  constructor(
    private readonly logger: Logger,
    registry: Registry,
    private readonly file?: CheckpointFile,
  ) {
    this.gauge = new Gauge({
      name: 'ixr_log_integrity_halted',
      help: '1 while the log writer refuses to append: its store is behind or different from its latest signed checkpoint',
      registers: [registry],
    });
    this.gauge.set(0);
    const note = file?.read();
    if (note !== undefined && note.trim() !== '') this.trusted = fromNote(note, 'LOG_CHECKPOINT_FILE');
  }

  /** Why the writer is stopped, or undefined: the /health indicator. */
  problem(): LogIntegrityError | undefined {
    return this.halted;
  }

  /**
   * Throws LogIntegrityError when the store is behind or different. `known`: the store is exactly
   * as this process committed it (no other writer, nothing cut): the cheap checks suffice.
   */
  async verify(manager: EntityManager, head: StoredHead, known: boolean): Promise<void> {
    try {
      await this.compare(manager, head, known);
    } catch (error) {
      if (error instanceof LogIntegrityError) this.halt(error);
      throw error;
    }
    if (this.halted) {
      this.logger.warn(
        { epoch: head.epoch, seq: head.size, checkpoint: this.trusted?.size },
        'exchange-log store matches its latest signed checkpoint again: appending resumes',
      );
      this.halted = undefined;
      this.gauge.set(0);
    }
    this.raiseHighWater(head.epoch, head.size);
  }

  /** After the commit of a batch or a checkpoint: what this process now knows to be stored. */
  committed(epoch: number, size: number, checkpoint?: TrustedCheckpoint): void {
    this.raiseHighWater(epoch, size);
    if (checkpoint && (later(checkpoint, this.trusted) || checkpoint.size === this.trusted?.size)) {
      this.trusted = checkpoint;
      this.file?.write(checkpoint.note);
    }
  }

  private raiseHighWater(epoch: number, size: number): void {
    if (later({ epoch, size }, this.highWater)) this.highWater = { epoch, size };
  }

  private async compare(manager: EntityManager, head: StoredHead, known: boolean): Promise<void> {
    const stored = await this.latestStored(manager, head, known);
    if (stored && later(stored, this.trusted)) this.trusted = stored;
    const inEpoch = head.epoch === 0 ? '' : ` of epoch ${head.epoch}`;
    const stop = (why: string, checkpoint: number): never => {
      throw new LogIntegrityError(
        `exchange log stopped: the store holds entries 0..${head.size - 1}${inEpoch} (next seq ${head.size}) but ${why}; ` +
          'nothing is appended until an operator recovers it (npm run log:recover)',
        head.size,
        checkpoint,
      );
    };
    if (this.trusted && head.epoch < this.trusted.epoch) {
      stop(
        `the latest signed checkpoint is of epoch ${this.trusted.epoch} (it covers ${this.trusted.size} entries)`,
        this.trusted.size,
      );
    }
    if (head.epoch < this.highWater.epoch) {
      stop(`this writer had stored entries of epoch ${this.highWater.epoch}`, this.highWater.size);
    }
    if (this.trusted && head.epoch > this.trusted.epoch) {
      // An operator opened a new epoch: its first entry must account for the checkpoint we trust.
      await this.checkOpening(manager, this.trusted, stop);
      this.trusted = stored && stored.epoch === head.epoch ? stored : undefined;
    }
    const trusted = this.trusted;
    if (trusted && head.size < trusted.size) {
      stop(`the latest signed checkpoint covers ${trusted.size} entries`, trusted.size);
    }
    if (head.epoch === this.highWater.epoch && head.size < this.highWater.size) {
      stop(
        `this writer had stored ${this.highWater.size} entries (the tail was cut)`,
        trusted?.size ?? this.highWater.size,
      );
    }
    if (!trusted) return;
    if (trusted.epoch === head.epoch && head.checkpointed < trusted.size) {
      stop(
        `the latest signed checkpoint (size ${trusted.size}) is missing from the checkpoints table (its latest: ${head.checkpointed})`,
        trusted.size,
      );
    }
    if (known) return;
    const root = frontierRoot(await treeStore.frontier(manager, trusted.epoch, trusted.size));
    if (!root.equals(trusted.rootHash)) {
      stop(
        `its tree at size ${trusted.size} has root ${root.toString('hex').slice(0, 16)}…, not the signed checkpoint's ${trusted.rootHash.toString('hex').slice(0, 16)}…`,
        trusted.size,
      );
    }
  }

  /** The database's latest checkpoint; read only when the cheap checks cannot vouch for the store. */
  private async latestStored(
    manager: EntityManager,
    head: StoredHead,
    known: boolean,
  ): Promise<TrustedCheckpoint | undefined> {
    if (
      known &&
      this.trusted &&
      this.trusted.epoch === head.epoch &&
      head.checkpointed <= this.trusted.size
    ) {
      return undefined;
    }
    return treeStore.latestCheckpoint(manager);
  }

  /** The first entry of the epoch after `trusted`'s records that checkpoint, or a later one of it. */
  private async checkOpening(
    manager: EntityManager,
    trusted: TrustedCheckpoint,
    stop: (why: string, checkpoint: number) => never,
  ): Promise<void> {
    const bytes = await treeStore.firstEntry(manager, trusted.epoch + 1);
    let recorded: { size: number; rootHash: string } | undefined;
    try {
      recorded = bytes === undefined ? undefined : parseEpochOpening(bytes).previous.checkpoint;
    } catch {
      recorded = undefined;
    }
    if (!recorded) {
      stop(
        `epoch ${trusted.epoch + 1} does not open with an epoch entry recording epoch ${trusted.epoch}'s checkpoint`,
        trusted.size,
      );
    }
    if (
      recorded.size < trusted.size ||
      (recorded.size === trusted.size && recorded.rootHash !== trusted.rootHash.toString('hex'))
    ) {
      stop(
        `epoch ${trusted.epoch + 1} opened over a checkpoint of size ${recorded.size}, not the latest signed one of epoch ${trusted.epoch} (size ${trusted.size})`,
        trusted.size,
      );
    }
  }

  private halt(error: LogIntegrityError): void {
    if (!this.halted || this.halted.message !== error.message) {
      this.logger.error({ seq: error.seq, checkpoint: error.checkpoint, code: error.code }, error.message);
    }
    this.halted = error;
    this.gauge.set(1);
  }
}

function fromNote(note: string, where: string): TrustedCheckpoint {
  try {
    const parsed = parseCheckpoint(note);
    return {
      epoch: checkpointEpoch(parsed),
      size: parsed.size,
      rootHash: Buffer.from(parsed.rootHash),
      note,
    };
  } catch (error) {
    throw new Error(`${where}: not a checkpoint note (${(error as Error).message})`);
  }
}
