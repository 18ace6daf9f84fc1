import type { EntityManager } from 'typeorm';
import { type Frontier, frontierFromNodes, frontierNodeIds, type NodeRow } from '@ixr/exchange-log';

/** What the sequencer knows of the stored log when it holds the lock. */
export interface StoredHead {
  /** The current epoch: the highest stored (0 until an operator opens a new one). */
  epoch: number;
  /** Entries of the current epoch. */
  size: number;
  /** Leaf hash of the last entry (absent for the empty log). */
  lastLeaf?: Buffer;
  /** Size of the current epoch's latest signed checkpoint (0 without one). */
  checkpointed: number;
}

/**
 * SQL of the log's Merkle tree: nodes of level >= 1 in exchange_log_nodes, level 0 being the
 * entries' leaf hashes. Batches go in with unnest(), one statement whatever their size.
 */
const RECORD_SEPARATOR = Buffer.from([0x1e]);

export const treeStore = {
  async head(manager: EntityManager): Promise<StoredHead> {
    const [row]: {
      epoch: number | null;
      seq: string | null;
      leaf_hash: Buffer | null;
      checkpointed: string | null;
    }[] = await manager.query(`
        SELECT last.epoch, last.seq, last.leaf_hash,
               (SELECT max(tree_size) FROM exchange_log_checkpoints c
                 WHERE c.epoch = coalesce(last.epoch, 0)) AS checkpointed
          FROM (SELECT 1) AS one
          LEFT JOIN LATERAL (SELECT epoch, seq, leaf_hash FROM exchange_log
                              ORDER BY epoch DESC, seq DESC LIMIT 1) AS last ON true`);
    return {
      epoch: row.epoch ?? 0,
      size: row.seq === null ? 0 : Number(row.seq) + 1,
      lastLeaf: row.leaf_hash ?? undefined,
      checkpointed: row.checkpointed === null ? 0 : Number(row.checkpointed),
    };
  },

  /** The right frontier of the stored tree, in one round trip per table. */
  async frontier(manager: EntityManager, epoch: number, size: number): Promise<Frontier> {
    const ids = frontierNodeIds(size);
    const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
    const inner = ids.filter((id) => id.level > 0);
    const [leafRows, nodeRows]: [
      { seq: string; hash: Buffer }[],
      { level: number; idx: string; hash: Buffer }[],
    ] = await Promise.all([
      leaves.length
        ? manager.query<{ seq: string; hash: Buffer }[]>(
            'SELECT seq, leaf_hash AS hash FROM exchange_log WHERE epoch = $2 AND seq = ANY($1)',
            [leaves, epoch],
          )
        : Promise.resolve([]),
      inner.length
        ? manager.query<{ level: number; idx: string; hash: Buffer }[]>(
            `SELECT n.level, n.idx, n.hash FROM exchange_log_nodes n
               JOIN unnest($1::smallint[], $2::bigint[]) AS want(level, idx) USING (level, idx)
              WHERE n.epoch = $3`,
            [inner.map((id) => id.level), inner.map((id) => id.index), epoch],
          )
        : Promise.resolve([]),
    ]);
    const found = new Map<string, Buffer>();
    for (const r of leafRows) found.set(`0/${r.seq}`, r.hash);
    for (const r of nodeRows) found.set(`${r.level}/${r.idx}`, r.hash);
    const hashes = ids.map((id) => found.get(`${id.level}/${id.index}`));
    const missing = ids.find((_, i) => hashes[i] === undefined);
    if (missing) {
      throw new Error(
        `the stored tree of epoch ${epoch} lacks node level ${missing.level} index ${missing.index} of size ${size}: run the migrations`,
      );
    }
    return frontierFromNodes(size, hashes as Buffer[]);
  },

  /**
   * One statement per batch, shaped for the hot path: the entries travel as one text joined by
   * the record separator (canonical JSON escapes every control character, so it never occurs in
   * an entry) and the leaf hashes as one bytea, instead of a thousand escaped array elements each.
   * Rows i link to rows i-1; the first links to `firstPrev`.
   */
  async insertEntries(
    manager: EntityManager,
    rows: {
      epoch: number;
      firstSeq: number;
      eventId: string[];
      kind: string[];
      requestId: (string | null)[];
      time: string[];
      entries: Buffer[];
      leaves: Buffer[];
      firstPrev: Buffer;
    },
  ): Promise<void> {
    if (rows.entries.some((e) => e.includes(RECORD_SEPARATOR))) {
      throw new Error('an entry holds a raw control character: it is not canonical JSON');
    }
    const joined = Buffer.concat(rows.entries.flatMap((e, i) => (i === 0 ? [e] : [RECORD_SEPARATOR, e])));
    await manager.query(
      `INSERT INTO exchange_log (epoch, seq, event_id, kind, request_id, recorded_at, entry, leaf_hash, prev_leaf_hash)
       SELECT $9::integer, $1::bigint + e.i - 1, e.event_id, e.kind, e.request_id, e.recorded_at, e.entry,
              substring($7::bytea FROM (e.i - 1)::int * 32 + 1 FOR 32),
              CASE WHEN e.i = 1 THEN $8::bytea ELSE substring($7::bytea FROM (e.i - 2)::int * 32 + 1 FOR 32) END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], string_to_array($6::text, E'\x1e'))
              WITH ORDINALITY AS e(event_id, kind, request_id, recorded_at, entry, i)`,
      [
        rows.firstSeq,
        rows.eventId,
        rows.kind,
        rows.requestId,
        rows.time,
        joined.toString('utf8'),
        Buffer.concat(rows.leaves),
        rows.firstPrev,
        rows.epoch,
      ],
    );
  },

  /** `restoring`: nodes put back after a cut may partly still be there (the same hashes). */
  async insertNodes(
    manager: EntityManager,
    epoch: number,
    nodes: readonly NodeRow[],
    restoring = false,
  ): Promise<void> {
    const inner = nodes.filter((n) => n.level > 0);
    if (inner.length === 0) return;
    await manager.query(
      `INSERT INTO exchange_log_nodes (epoch, level, idx, hash)
       SELECT $4::integer, n.level, n.idx, substring($3::bytea FROM (n.i - 1)::int * 32 + 1 FOR 32)
         FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS n(level, idx, i)
       ${restoring ? 'ON CONFLICT DO NOTHING' : ''}`,
      [inner.map((n) => n.level), inner.map((n) => n.index), Buffer.concat(inner.map((n) => n.hash)), epoch],
    );
  },

  async insertCheckpoint(
    manager: EntityManager,
    checkpoint: { epoch: number; size: number; rootHash: Buffer; note: string; signedAt: Date },
    restoring = false,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO exchange_log_checkpoints (epoch, tree_size, root_hash, note, signed_at) VALUES ($1, $2, $3, $4, $5)
       ${restoring ? 'ON CONFLICT DO NOTHING' : ''}`,
      [checkpoint.epoch, checkpoint.size, checkpoint.rootHash, checkpoint.note, checkpoint.signedAt],
    );
  },

  /** The latest signed checkpoint of an epoch (the current one when omitted). */
  async latestCheckpoint(
    manager: EntityManager,
    epoch?: number,
  ): Promise<{ epoch: number; size: number; rootHash: Buffer; note: string } | undefined> {
    const [row]: { epoch: number; tree_size: string; root_hash: Buffer; note: string }[] =
      await manager.query(
        `SELECT epoch, tree_size, root_hash, note FROM exchange_log_checkpoints
        WHERE ($1::integer IS NULL OR epoch = $1) ORDER BY epoch DESC, tree_size DESC LIMIT 1`,
        [epoch ?? null],
      );
    return row && { epoch: row.epoch, size: Number(row.tree_size), rootHash: row.root_hash, note: row.note };
  },

  /** The first entry of an epoch (for epochs >= 1: the `epoch` entry that opened it). */
  async firstEntry(manager: EntityManager, epoch: number): Promise<string | undefined> {
    const [row]: { entry: string }[] = await manager.query(
      'SELECT entry FROM exchange_log WHERE epoch = $1 AND seq = 0',
      [epoch],
    );
    return row?.entry;
  },
};
