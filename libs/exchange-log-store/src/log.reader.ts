import { type AsyncHashReader, ExchangeLogError, type NodeId, type StoredEntry } from '@ixr/exchange-log';

/**
 * Anything that runs SQL: a TypeORM DataSource, an EntityManager inside a transaction (the
 * tampering tests verify inside the transaction that tampered), or the CLI's connection.
 */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** A stored entry as read for verification: the ChainVerifier's StoredEntry, named as it wants. */
export interface EntryRow extends StoredEntry {
  /** The log epoch (README "Log epochs"); seq and the tree are per epoch. */
  readonly epoch: number;
  readonly seq: string;
  readonly bytes: string;
  readonly leafHash: Buffer;
  readonly prevLeafHash: Buffer;
}

export interface CheckpointRow {
  readonly epoch: number;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly note: string;
  readonly signedAt: Date;
}

const ENTRY_COLUMNS = `epoch, seq, entry AS bytes, leaf_hash AS "leafHash", prev_leaf_hash AS "prevLeafHash"`;

/**
 * A timeline's paging position, one number: the seq in epoch 0 (as before epochs existed), and
 * epoch·2^40 + seq in a later one — increasing in log order, exact below 2^53.
 */
export const EPOCH_POSITION = 2 ** 40;
export const positionOf = (epoch: number, seq: number): number => epoch * EPOCH_POSITION + seq;

/** Every read of the exchange log's tables the audit tools make, and nothing else. */
export class LogReader {
  constructor(private readonly db: Queryable) {}

  /**
   * The stored epochs, oldest first (just epoch 0 until an operator opened another): a skip scan
   * of the primary keys, one index probe per epoch, however long the log.
   */
  async epochs(): Promise<number[]> {
    const skip = (table: string) => `
      SELECT epoch FROM (WITH RECURSIVE e(epoch) AS (
        (SELECT epoch FROM ${table} ORDER BY epoch LIMIT 1)
        UNION ALL
        SELECT (SELECT t.epoch FROM ${table} t WHERE t.epoch > e.epoch ORDER BY t.epoch LIMIT 1)
          FROM e WHERE e.epoch IS NOT NULL
      ) SELECT epoch FROM e WHERE epoch IS NOT NULL) AS ${table}_epochs`;
    const rows: { epoch: number }[] = await this.db.query(
      `SELECT epoch FROM (${skip('exchange_log')} UNION ${skip('exchange_log_checkpoints')}) AS all_epochs ORDER BY epoch`,
    );
    return rows.length === 0 ? [0] : rows.map((r) => r.epoch);
  }

  /** Entries of an epoch: one past its highest stored seq. */
  async size(epoch = 0): Promise<number> {
    const [row]: { seq: string | null }[] = await this.db.query(
      'SELECT (SELECT seq FROM exchange_log WHERE epoch = $1 ORDER BY seq DESC LIMIT 1) AS seq',
      [epoch],
    );
    return row.seq === null ? 0 : Number(row.seq) + 1;
  }

  /**
   * The log as it stands when the pass starts, in seq order, a range of seqs at a time. Ranges
   * are read ahead, `depth` at once, while the caller checks the current one: verification is
   * bound by the slowest of reading and checking, not their sum. An empty range (a gap left by a
   * deletion, or a far-off forged seq) jumps to the next stored entry instead of walking to it.
   */
  async *pages(pageSize = 10_000, depth = 3, epoch = 0): AsyncGenerator<EntryRow[]> {
    const end = await this.size(epoch);
    const read = (from: number) => {
      const rows = this.db.query<EntryRow[]>(
        `SELECT ${ENTRY_COLUMNS} FROM exchange_log WHERE epoch = $3 AND seq >= $1 AND seq < $2 ORDER BY seq`,
        [from, Math.min(from + pageSize, end), epoch],
      );
      rows.catch(() => undefined); // a read ahead the caller no longer wants must not crash the process
      return { from, rows };
    };
    let inFlight: { from: number; rows: Promise<EntryRow[]> }[] = [];
    let next = 0;
    const fill = (): void => {
      for (; inFlight.length < depth && next < end; next += pageSize) inFlight.push(read(next));
    };
    fill();
    while (inFlight.length > 0) {
      const { from, rows } = inFlight.shift()!;
      const page = await rows;
      if (page.length > 0) {
        fill();
        yield page;
        continue;
      }
      const [{ seq }] = await this.db.query<{ seq: string | null }[]>(
        'SELECT min(seq) AS seq FROM exchange_log WHERE epoch = $3 AND seq >= $1 AND seq < $2',
        [from + pageSize, end, epoch],
      );
      if (seq === null) return;
      inFlight = [];
      next = Number(seq);
      fill();
    }
  }

  /** Entries seq from..from+limit-1 of one epoch. */
  async entriesAt(epoch: number, from: number, limit: number): Promise<EntryRow[]> {
    return this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM exchange_log WHERE epoch = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      [epoch, from, limit],
    );
  }

  /** A request's entries after position `after` (-1: from the start; positionOf), at most `limit`. */
  async entriesOfRequest(requestId: string, after = -1, limit = 1_000_000): Promise<EntryRow[]> {
    const epoch = after < 0 ? 0 : Math.floor(after / EPOCH_POSITION);
    const seq = after < 0 ? -1 : after - epoch * EPOCH_POSITION;
    return this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM exchange_log WHERE request_id = $1 AND (epoch, seq) > ($4::integer, $2::bigint)
        ORDER BY epoch, seq LIMIT $3`,
      [requestId, seq, limit, epoch],
    );
  }

  /** Entries recorded in [from, to), at most `limit` (the caller refuses larger exports). */
  async entriesBetween(from: Date, to: Date, limit: number): Promise<EntryRow[]> {
    return this.db.query(
      `SELECT ${ENTRY_COLUMNS} FROM exchange_log WHERE recorded_at >= $1 AND recorded_at < $2 ORDER BY epoch, seq LIMIT $3`,
      [from, to, limit],
    );
  }

  /**
   * Routed entries from position `from` on (positionOf; `seq` is returned as that position), with
   * the received entry of the same request beside each.
   */
  async routedWithInput(
    from: number,
    limit: number,
    requestId?: string,
  ): Promise<{ seq: string; routed: string; received: string | null }[]> {
    return this.db.query(
      `SELECT r.epoch::bigint * ${EPOCH_POSITION} + r.seq AS seq, r.entry AS routed,
              (SELECT x.entry FROM exchange_log x
                WHERE x.request_id = r.request_id AND x.kind = 'received' AND (x.epoch, x.seq) < (r.epoch, r.seq)
                ORDER BY x.epoch, x.seq LIMIT 1) AS received
         FROM exchange_log r
        WHERE r.kind = 'routed' AND r.epoch::bigint * ${EPOCH_POSITION} + r.seq >= $1
          AND ($3::text IS NULL OR r.request_id = $3)
        ORDER BY r.epoch, r.seq LIMIT $2`,
      [from, limit, requestId ?? null],
    );
  }

  /** Stored checkpoints of one epoch, or of all (by epoch, then size). */
  async checkpoints(epoch?: number): Promise<CheckpointRow[]> {
    const rows: { epoch: number; tree_size: string; root_hash: Buffer; note: string; signed_at: Date }[] =
      await this.db.query(
        `SELECT epoch, tree_size, root_hash, note, signed_at FROM exchange_log_checkpoints
          WHERE $1::integer IS NULL OR epoch = $1 ORDER BY epoch, tree_size`,
        [epoch ?? null],
      );
    return rows.map((r) => ({
      epoch: r.epoch,
      size: Number(r.tree_size),
      rootHash: r.root_hash,
      note: r.note,
      signedAt: r.signed_at,
    }));
  }

  /** The latest checkpoint of the latest epoch. */
  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    const [r]: { epoch: number; tree_size: string; root_hash: Buffer; note: string; signed_at: Date }[] =
      await this.db.query(
        `SELECT epoch, tree_size, root_hash, note, signed_at FROM exchange_log_checkpoints
          ORDER BY epoch DESC, tree_size DESC LIMIT 1`,
      );
    return (
      r && {
        epoch: r.epoch,
        size: Number(r.tree_size),
        rootHash: r.root_hash,
        note: r.note,
        signedAt: r.signed_at,
      }
    );
  }

  async publishedKeys(): Promise<string[]> {
    const rows: { vkey: string }[] = await this.db.query(
      'SELECT vkey FROM exchange_log_keys ORDER BY first_used_at',
    );
    return rows.map((r) => r.vkey);
  }

  async rulesets(
    versions: readonly string[],
  ): Promise<{ version: string; hash: string; document: unknown }[]> {
    if (versions.length === 0) return [];
    return this.db.query(
      'SELECT version, hash, document FROM rulesets WHERE version = ANY($1) ORDER BY version',
      [versions],
    );
  }

  async directories(
    versions: readonly string[],
  ): Promise<{ version: string; hash: string; document: unknown }[]> {
    if (versions.length === 0) return [];
    return this.db.query(
      'SELECT version, hash, document FROM directory_versions WHERE version = ANY($1) ORDER BY id',
      [versions],
    );
  }

  /**
   * Proofs read the stored tree: level 0 from the entries, higher levels from exchange_log_nodes.
   * Reads asked for in the same tick are merged into one pair of queries, so the proofs of a
   * whole timeline or bundle, started together, cost one round trip instead of one each. One
   * reader reads one epoch's tree.
   */
  hashReader(epoch = 0): AsyncHashReader {
    let pending: { ids: readonly NodeId[]; resolve: (h: Buffer[]) => void; reject: (e: unknown) => void }[] =
      [];
    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      try {
        const found = await this.nodes(
          epoch,
          batch.flatMap((request) => request.ids),
        );
        for (const request of batch) {
          try {
            request.resolve(request.ids.map((id) => nodeOf(found, id)));
          } catch (error) {
            request.reject(error);
          }
        }
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
    };
    return {
      readNodes: (ids) =>
        new Promise<Buffer[]>((resolve, reject) => {
          pending.push({ ids, resolve, reject });
          if (pending.length === 1) process.nextTick(() => void flush());
        }),
    };
  }

  /** One query for any set of nodes: leaves from the entries and inner nodes from the tree table. */
  private async nodes(epoch: number, ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    const leaves = [...new Set(ids.filter((id) => id.level === 0).map((id) => id.index))];
    const inner = [
      ...new Map(ids.filter((id) => id.level > 0).map((id) => [`${id.level}/${id.index}`, id])).values(),
    ];
    const rows = await this.db.query<{ level: number; idx: string; hash: Buffer }[]>(
      `SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM exchange_log
        WHERE epoch = $4 AND seq = ANY($1::bigint[])
       UNION ALL
       SELECT n.level, n.idx, n.hash FROM exchange_log_nodes n
         JOIN unnest($2::smallint[], $3::bigint[]) AS want(level, idx) USING (level, idx)
        WHERE n.epoch = $4`,
      [leaves, inner.map((id) => id.level), inner.map((id) => id.index), epoch],
    );
    return new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
  }
}

function nodeOf(found: ReadonlyMap<string, Buffer>, id: NodeId): Buffer {
  const hash = found.get(`${id.level}/${id.index}`);
  if (!hash) {
    throw new ExchangeLogError(
      'EXCHANGE_LOG.NODE_UNAVAILABLE',
      `the stored tree has no node level ${id.level} index ${id.index}`,
    );
  }
  return hash;
}
