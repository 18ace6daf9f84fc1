import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { appendToFrontier, type Frontier, frontierRoot, leafHash, prepareLogEntry } from '@ixr/exchange-log';
import { Clock } from '@ixr/platform';
import { CheckpointSigner } from './checkpoint.signer';
import type { EntryFacts } from './log-entry';
import type { LogIntegrity, TrustedCheckpoint } from './log-integrity';
import { type StoredHead, treeStore } from './tree.store';

/** Arbitrary constant naming the exchange log's sequencer lock (pg_advisory_xact_lock). */
const SEQUENCER_LOCK = 0x1c5_10c;
const ZERO_HASH = Buffer.alloc(32);

export interface AppendedEntry {
  facts: EntryFacts;
  seq: number;
}

export interface LogWriterOptions {
  /** Sign a checkpoint in the append transaction once this many entries are unsigned. */
  checkpointEvery: number;
  /** Compares the store with the latest signed checkpoint before every append (SPEC §6). */
  integrity?: LogIntegrity;
}
export const LOG_WRITER_OPTIONS = Symbol('LOG_WRITER_OPTIONS');

/** The tree as this process last committed it; trusted only while the stored head still matches. */
interface CachedTree {
  epoch: number;
  size: number;
  lastLeaf: Buffer;
  frontier: Frontier;
}

/**
 * The single sequencer of the exchange log. Appends a batch in one transaction, under an advisory
 * lock, to the current epoch (the highest stored; README "Log epochs"), with gapless sequence
 * numbers continuing from the epoch's last stored entry — correct with several
 * writers and across restarts. An event already recorded is skipped (recorded once). The same
 * transaction stores the Merkle nodes the batch completes and, every N entries, a signed
 * checkpoint; `then` runs in it too, so what follows from an entry (releasing a delivery) commits
 * with it, or not at all.
 */
@Injectable()
export class LogWriter {
  private cache?: CachedTree;

  constructor(
    private readonly dataSource: DataSource,
    private readonly signer: CheckpointSigner,
    private readonly clock: Clock,
    @Inject(LOG_WRITER_OPTIONS) private readonly options: LogWriterOptions,
  ) {}

  async append(
    batch: readonly EntryFacts[],
    then?: (manager: EntityManager, appended: AppendedEntry[]) => Promise<void>,
  ): Promise<AppendedEntry[]> {
    if (batch.length === 0) return [];
    // The JSON work happens here, outside the lock: under it only the chain members are spliced in.
    const encoders = new Map(batch.map((facts) => [facts, prepareLogEntry({ ...facts })]));
    return this.locked(async (manager, head) => {
      const fresh = await this.unrecorded(manager, batch);
      const appended: AppendedEntry[] = [];
      let next: CachedTree | undefined;
      let signed: TrustedCheckpoint | undefined;
      if (fresh.length > 0) {
        const frontier = await this.frontierOf(manager, head);
        const rows = {
          epoch: head.epoch,
          firstSeq: head.size,
          eventId: [] as string[],
          kind: [] as string[],
          requestId: [] as (string | null)[],
          time: [] as string[],
          entries: [] as Buffer[],
          leaves: [] as Buffer[],
          firstPrev: head.lastLeaf ?? ZERO_HASH,
        };
        let seq = head.size;
        let prev = rows.firstPrev;
        for (const facts of fresh) {
          const bytes = encoders.get(facts)!(seq, prev.toString('hex'));
          const leaf = leafHash(bytes);
          rows.eventId.push(facts.eventId);
          rows.kind.push(facts.kind);
          rows.requestId.push(facts.requestId);
          rows.time.push(facts.time);
          rows.entries.push(bytes);
          rows.leaves.push(leaf);
          appended.push({ facts, seq });
          prev = leaf;
          seq++;
        }
        const tree = appendToFrontier(frontier, rows.leaves);
        await treeStore.insertEntries(manager, rows);
        await treeStore.insertNodes(manager, head.epoch, tree.nodes);
        if (seq - head.checkpointed >= this.options.checkpointEvery) {
          signed = await this.checkpoint(manager, head.epoch, seq, tree.rootHash);
        }
        next = { epoch: head.epoch, size: seq, lastLeaf: prev, frontier: tree.frontier };
      }
      await then?.(manager, appended);
      return { result: appended, next, signed };
    });
  }

  /**
   * Signs a checkpoint of the current tree if entries were appended since the last one (the
   * every-T-seconds half of the rule). Returns the signed size, or undefined when nothing was new.
   */
  async checkpointNow(): Promise<number | undefined> {
    return this.locked(async (manager, head) => {
      if (head.size === 0 || head.size <= head.checkpointed) return { result: undefined };
      const frontier = await this.frontierOf(manager, head);
      const signed = await this.checkpoint(manager, head.epoch, head.size, frontierRoot(frontier));
      const next = { epoch: head.epoch, size: head.size, lastLeaf: head.lastLeaf!, frontier };
      return { result: head.size, next, signed };
    });
  }

  /** One transaction under the sequencer lock; the tree cache follows only committed work. */
  private async locked<T>(
    work: (
      manager: EntityManager,
      head: StoredHead,
    ) => Promise<{ result: T; next?: CachedTree; signed?: TrustedCheckpoint }>,
  ): Promise<T> {
    try {
      const { result, next, signed } = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [SEQUENCER_LOCK]);
        const head = await treeStore.head(manager);
        await this.options.integrity?.verify(manager, head, this.isCached(head));
        return work(manager, head);
      });
      if (next) this.cache = next;
      if (next) this.options.integrity?.committed(next.epoch, next.size, signed);
      return result;
    } catch (error) {
      this.cache = undefined;
      throw error;
    }
  }

  private async unrecorded(manager: EntityManager, batch: readonly EntryFacts[]): Promise<EntryFacts[]> {
    const ids = [...new Set(batch.map((f) => f.eventId))];
    const known: { event_id: string }[] = await manager.query(
      'SELECT event_id FROM exchange_log WHERE event_id = ANY($1)',
      [ids],
    );
    const seen = new Set(known.map((k) => k.event_id));
    return batch.filter((f) => (seen.has(f.eventId) ? false : (seen.add(f.eventId), true)));
  }

  /** The stored head is exactly what this process last committed. */
  private isCached(head: StoredHead): boolean {
    const cache = this.cache;
    return (
      !!cache &&
      cache.epoch === head.epoch &&
      cache.size === head.size &&
      !!head.lastLeaf &&
      cache.lastLeaf.equals(head.lastLeaf)
    );
  }

  /** The cached frontier when no other writer appended since; else one read of the stored nodes. */
  private async frontierOf(manager: EntityManager, head: StoredHead): Promise<Frontier> {
    if (this.isCached(head)) return this.cache!.frontier;
    return treeStore.frontier(manager, head.epoch, head.size);
  }

  /** At start: the store is checked before any event is taken (a stopped writer says so in /health). */
  async verifyStore(): Promise<void> {
    await this.locked(async () => ({ result: undefined }));
  }

  private async checkpoint(
    manager: EntityManager,
    epoch: number,
    size: number,
    rootHash: Buffer,
  ): Promise<TrustedCheckpoint> {
    const note = this.signer.sign(size, rootHash, epoch);
    await treeStore.insertCheckpoint(manager, { epoch, size, rootHash, note, signedAt: this.clock.now() });
    return { epoch, size, rootHash, note };
  }
}
