import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { canonicalBytes, leafHash } from '@ixr/exchange-log';
import type { EntryFacts, LogEntry } from './log-entry';

/** Arbitrary constant naming the exchange log's sequencer lock (pg_advisory_xact_lock). */
const SEQUENCER_LOCK = 0x1c5_10c;
const ZERO_HASH = Buffer.alloc(32);

export interface AppendedEntry {
  facts: EntryFacts;
  seq: number;
}

/**
 * The single sequencer of the exchange log. Appends a batch in one transaction, under an advisory
 * lock, with gapless sequence numbers continuing from the last stored entry — correct with several
 * writers and across restarts. An event already recorded is skipped (recorded once). `then` runs
 * in the same transaction with the entries just appended, so what follows from an entry (releasing
 * a delivery) commits with it, or not at all.
 */
@Injectable()
export class LogWriter {
  constructor(private readonly dataSource: DataSource) {}

  async append(
    batch: readonly EntryFacts[],
    then?: (manager: EntityManager, appended: AppendedEntry[]) => Promise<void>,
  ): Promise<AppendedEntry[]> {
    if (batch.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEQUENCER_LOCK]);
      const ids = [...new Set(batch.map((f) => f.eventId))];
      const known: { event_id: string }[] = await manager.query(
        'SELECT event_id FROM exchange_log WHERE event_id = ANY($1)',
        [ids],
      );
      const seen = new Set(known.map((k) => k.event_id));
      const fresh = batch.filter((f) => (seen.has(f.eventId) ? false : (seen.add(f.eventId), true)));
      const appended: AppendedEntry[] = [];
      if (fresh.length > 0) {
        const last: { seq: string; leaf_hash: Buffer }[] = await manager.query(
          'SELECT seq, leaf_hash FROM exchange_log ORDER BY seq DESC LIMIT 1',
        );
        let seq = last[0] ? Number(last[0].seq) + 1 : 0;
        let prev = last[0]?.leaf_hash ?? ZERO_HASH;
        const params: unknown[] = [];
        const rows: string[] = [];
        for (const facts of fresh) {
          const entry: LogEntry = { ...facts, seq, prevLeafHash: prev.toString('hex') };
          const bytes = canonicalBytes(entry);
          const leaf = leafHash(bytes);
          const p = params.length;
          rows.push(
            `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8})`,
          );
          params.push(
            seq,
            facts.eventId,
            facts.kind,
            facts.requestId,
            facts.time,
            bytes.toString('utf8'),
            leaf,
            prev,
          );
          appended.push({ facts, seq });
          prev = leaf;
          seq++;
        }
        await manager.query(
          `INSERT INTO exchange_log (seq, event_id, kind, request_id, recorded_at, entry, leaf_hash, prev_leaf_hash)
           VALUES ${rows.join(', ')}`,
          params,
        );
      }
      await then?.(manager, appended);
      return appended;
    });
  }
}
