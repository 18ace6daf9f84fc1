import type { DataSource, EntityManager } from 'typeorm';

/** The tables whose rows are messages sent to partners; both have the same sending columns. */
export type SendTable = 'deliveries' | 'replies';

export type Claim =
  | { kind: 'claimed'; attempts: number }
  | { kind: 'done' }
  | { kind: 'busy'; until: Date }
  | { kind: 'unknown' };

interface ClaimRow {
  attempts: number;
}
interface StateRow {
  status: string;
  in_flight_until: Date | null;
}

/**
 * The ledger of sends to partners, in PostgreSQL. Before a partner call, `claim` commits a lease and
 * counts the attempt: while the lease runs no other handler sends the same message, and after a
 * crash the next attempt sees that a call may have reached the partner (attempts > 1) and asks the
 * partner before sending again. `complete` ends the send once, whatever the number of handlers.
 */
export class SendLedger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly table: SendTable,
  ) {}

  async claim(id: string, leaseMs: number): Promise<Claim> {
    const claimed: ClaimRow[] = await this.dataSource.query(
      `UPDATE ${this.table} SET attempts = attempts + 1,
              in_flight_until = clock_timestamp() + $2 * interval '1 millisecond'
        WHERE id = $1 AND status = 'pending'
          AND (in_flight_until IS NULL OR in_flight_until < clock_timestamp())
        RETURNING attempts`,
      [id, leaseMs],
    );
    // TypeORM returns [rows, affected] for UPDATE … RETURNING on postgres.
    const rows = Array.isArray(claimed[0]) ? (claimed[0] as unknown as ClaimRow[]) : claimed;
    if (rows[0]) return { kind: 'claimed', attempts: rows[0].attempts };
    const [state]: StateRow[] = await this.dataSource.query(
      `SELECT status, in_flight_until FROM ${this.table} WHERE id = $1`,
      [id],
    );
    if (!state) return { kind: 'unknown' };
    if (state.status !== 'pending') return { kind: 'done' };
    return { kind: 'busy', until: state.in_flight_until ?? new Date() };
  }

  /** Gives the lease back after a failed call, keeping the error for the request's view. */
  async release(id: string, error: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource).query(
      `UPDATE ${this.table} SET in_flight_until = NULL, last_error = $2 WHERE id = $1 AND status = 'pending'`,
      [id, error.slice(0, 2000)],
    );
  }

  /** Ends a pending send; false when it had ended already (then nothing must be announced). */
  async complete(
    manager: EntityManager,
    id: string,
    result: { status: 'delivered' | 'failed'; partnerReference?: string; error?: string; at: Date },
  ): Promise<{ attempts: number } | undefined> {
    const updated: unknown[] = await manager.query(
      `UPDATE ${this.table} SET status = $2, partner_reference = $3, last_error = $4, completed_at = $5,
              in_flight_until = NULL, attempts = GREATEST(attempts, 1)
        WHERE id = $1 AND status = 'pending'
        RETURNING attempts`,
      [id, result.status, result.partnerReference ?? null, result.error?.slice(0, 2000) ?? null, result.at],
    );
    const rows = (Array.isArray(updated[0]) ? updated[0] : updated) as ClaimRow[];
    return rows[0];
  }
}
