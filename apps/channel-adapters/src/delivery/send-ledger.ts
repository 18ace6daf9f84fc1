import type { DataSource, EntityManager } from 'typeorm';

/**
 * What is sent to partners: the deliveries (the router's rows; their sending state is the adapters'
 * own, in `delivery_sends`) or the messages on requests (the intake's `replies`; their sending
 * state is the adapters' own, in `reply_sends`, and the intake learns each outcome from its
 * `ixr.deliveries.outcome` event).
 */
export type SendTable = 'deliveries' | 'reply_sends';

/** Where the sending state of each lives. */
const LEDGER_TABLES: Record<SendTable, string> = { deliveries: 'delivery_sends', reply_sends: 'reply_sends' };

export type Claim =
  | { kind: 'claimed'; attempts: number }
  | { kind: 'done' }
  | { kind: 'busy'; until: Date }
  /** A delivery whose request was withdrawn before it was made: cancelled, never sent (SPEC §8). */
  | { kind: 'withdrawn' }
  | { kind: 'unknown' };

interface ClaimRow {
  attempts: number;
}
interface StateRow {
  status: string;
  in_flight_until: Date | null;
  withdrawn: boolean;
}

/** How a send ended, for `completeMany`. */
export interface SendResult {
  id: string;
  status: 'delivered' | 'failed' | 'cancelled';
  partnerReference?: string;
  error?: string;
}

/**
 * The ledger of sends to partners, in PostgreSQL. The ledger of deliveries is the adapters' own
 * table `delivery_sends` (a row from the first claim on; none yet means pending): the router's
 * `deliveries` only tells which deliveries exist, and records their outcome from our events — the
 * adapters never read their own outcome back from it. Before a partner call, `claimMany` commits a lease and
 * counts the attempt: while the lease runs no other handler sends the same message, and after a
 * crash the next attempt sees that a call may have reached the partner (attempts > 1) and asks the
 * partner before sending again. `completeMany` ends each send once, whatever the number of handlers.
 */
export class SendLedger {
  private readonly ledger: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly table: SendTable,
  ) {
    this.ledger = LEDGER_TABLES[table];
  }

  /**
   * Claims the messages that are pending and not leased, in one statement; one SELECT more says why
   * the others could not be claimed (done, leased by another handler, or unknown). Each id once.
   */
  async claimMany(ids: readonly string[], leaseMs: number): Promise<Map<string, Claim>> {
    const claims = new Map<string, Claim>();
    if (ids.length === 0) return claims;
    // A message on a request enters its ledger with its first claim (the exchange log released it).
    if (this.table === 'reply_sends') {
      await this.dataSource.query(
        `INSERT INTO reply_sends (id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING`,
        [ids],
      );
    }
    const claimed = rowsOf<ClaimRow & { id: string }>(
      await this.dataSource.query(
        this.table === 'deliveries'
          ? `INSERT INTO delivery_sends AS s (id, attempts, in_flight_until)
             SELECT d.id, 1, clock_timestamp() + $2 * interval '1 millisecond'
               FROM deliveries d WHERE d.id = ANY($1) AND d.status = 'pending' AND NOT ${this.withdrawn('d')}
             ON CONFLICT (id) DO UPDATE SET attempts = s.attempts + 1, in_flight_until = EXCLUDED.in_flight_until
              WHERE s.status = 'pending' AND (s.in_flight_until IS NULL OR s.in_flight_until < clock_timestamp())
             RETURNING s.id, s.attempts`
          : `UPDATE reply_sends SET attempts = attempts + 1,
                    in_flight_until = clock_timestamp() + $2 * interval '1 millisecond'
              WHERE id = ANY($1) AND status = 'pending'
                AND (in_flight_until IS NULL OR in_flight_until < clock_timestamp())
              RETURNING id, attempts`,
        [ids, leaseMs],
      ),
    );
    for (const row of claimed) claims.set(row.id, { kind: 'claimed', attempts: row.attempts });
    const others = ids.filter((id) => !claims.has(id));
    if (others.length === 0) return claims;
    const states: (StateRow & { id: string })[] = await this.dataSource.query(
      this.table === 'deliveries'
        ? `SELECT d.id, COALESCE(s.status, d.status) AS status, s.in_flight_until, ${this.withdrawn('d')} AS withdrawn
             FROM deliveries d LEFT JOIN delivery_sends s ON s.id = d.id WHERE d.id = ANY($1)`
        : `SELECT id, status, in_flight_until, false AS withdrawn FROM reply_sends WHERE id = ANY($1)`,
      [others],
    );
    for (const state of states) claims.set(state.id, stateClaim(state));
    for (const id of others) if (!claims.has(id)) claims.set(id, { kind: 'unknown' });
    return claims;
  }

  /**
   * True for a delivery whose request the requesting unit withdrew (SPEC §8): the withdrawal's
   * rows are the mark. Replies are never withdrawn this way.
   */
  private withdrawn(deliveries: string): string {
    return `EXISTS (SELECT 1 FROM replies w WHERE w.request_id = ${deliveries}.request_id
                      AND w.kind = 'withdrawal' AND w.direction = 'outbound')`;
  }

  /**
   * Cancels the deliveries of a withdrawn request not yet made and not in flight, in the caller's
   * transaction; returns them, for their outcome events.
   */
  async cancelPending(
    manager: EntityManager,
    requestId: string,
    at: Date,
  ): Promise<{ id: string; channel: string; destination: string; attempts: number }[]> {
    if (this.table !== 'deliveries') return [];
    return rowsOf(
      await manager.query(
        `WITH cancelled AS (
           INSERT INTO delivery_sends AS s (id, status, completed_at, last_error)
           SELECT d.id, 'cancelled', $2, 'request withdrawn' FROM deliveries d
            WHERE d.request_id = $1 AND d.status = 'pending'
           ON CONFLICT (id) DO UPDATE SET status = 'cancelled', completed_at = $2, in_flight_until = NULL,
                  last_error = 'request withdrawn'
            WHERE s.status = 'pending' AND (s.in_flight_until IS NULL OR s.in_flight_until < clock_timestamp())
           RETURNING s.id, s.attempts)
         SELECT c.id, d.channel, d.destination, c.attempts FROM cancelled c JOIN deliveries d ON d.id = c.id`,
        [requestId, at],
      ),
    );
  }

  /**
   * Gives the lease back after a failed call, keeping the error in the ledger (it reaches the
   * request's view with the outcome: the router's record of a delivery, the intake's of a reply).
   */
  async release(id: string, error: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource).query(
      `UPDATE ${this.ledger} SET in_flight_until = NULL, last_error = $2 WHERE id = $1 AND status = 'pending'`,
      [id, error.slice(0, 2000)],
    );
  }

  /**
   * Ends pending sends, in one statement; returns the attempts of those it ended (the others had
   * ended already, and nothing must be announced for them).
   */
  async completeMany(
    manager: EntityManager,
    results: readonly SendResult[],
    at: Date,
  ): Promise<Map<string, number>> {
    if (results.length === 0) return new Map();
    // A delivery cancelled before any claim (its request withdrawn) has no ledger row yet.
    const updated = rowsOf<ClaimRow & { id: string }>(
      await manager.query(
        this.table === 'deliveries'
          ? `INSERT INTO delivery_sends AS s (id, status, partner_reference, last_error, completed_at, attempts)
             SELECT r.id, r.status, r.partner_reference, r.last_error, $5, 1
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
                    AS r(id, status, partner_reference, last_error)
             ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
                    partner_reference = EXCLUDED.partner_reference, last_error = EXCLUDED.last_error,
                    completed_at = EXCLUDED.completed_at, in_flight_until = NULL,
                    attempts = GREATEST(s.attempts, 1)
              WHERE s.status = 'pending'
             RETURNING s.id, s.attempts`
          : `UPDATE reply_sends AS s SET status = r.status, partner_reference = r.partner_reference,
                    last_error = r.last_error, completed_at = $5, in_flight_until = NULL,
                    attempts = GREATEST(s.attempts, 1)
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
                    AS r(id, status, partner_reference, last_error)
              WHERE s.id = r.id AND s.status = 'pending'
              RETURNING s.id, s.attempts`,
        [
          results.map((r) => r.id),
          results.map((r) => r.status),
          results.map((r) => r.partnerReference ?? null),
          results.map((r) => r.error?.slice(0, 2000) ?? null),
          at,
        ],
      ),
    );
    return new Map(updated.map((row) => [row.id, row.attempts]));
  }
}

function stateClaim(state: StateRow): Claim {
  if (state.status !== 'pending') return { kind: 'done' };
  if (state.withdrawn) return { kind: 'withdrawn' };
  return { kind: 'busy', until: state.in_flight_until ?? new Date() };
}

/** TypeORM returns [rows, affected] for UPDATE … RETURNING on postgres. */
function rowsOf<T>(result: unknown): T[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as T[];
}
