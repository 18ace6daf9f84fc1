import type { EntityManager } from 'typeorm';

/**
 * Suspension of a request's reply deadline while a clarification asked by the side that handles
 * it is open (Directive 2023/977 Art 6(3), as DOMAIN.md reads it; SPEC §8). The milestones not yet
 * reached stop (`suspended_at`); when the clarification closes they move by the time they were
 * suspended, so the clock resumes with the time that was left. Both live in PostgreSQL, so they
 * survive restarts; each statement is idempotent, so a redelivered event changes nothing more.
 */
export const deadlineSuspension = {
  /** Stops the milestones still to come; a second question while suspended changes nothing. */
  async suspend(manager: EntityManager, requestId: string, at: Date): Promise<number> {
    return affected(
      await manager.query(
        `UPDATE deadline_milestones SET suspended_at = $2
          WHERE request_id = $1 AND emitted_at IS NULL AND suspended_at IS NULL`,
        [requestId, at],
      ),
    );
  },

  /** Moves each suspended milestone by the time it was suspended and lets the clock run again. */
  async resume(manager: EntityManager, requestId: string, at: Date): Promise<number> {
    return affected(
      await manager.query(
        `UPDATE deadline_milestones
            SET due_at = due_at + GREATEST($2::timestamptz - suspended_at, interval '0'), suspended_at = NULL
          WHERE request_id = $1 AND suspended_at IS NOT NULL`,
        [requestId, at],
      ),
    );
  },

  /** The milestones still to come move by the time from `from` to `to` (a suspension already over). */
  async shift(manager: EntityManager, requestId: string, from: Date, to: Date): Promise<number> {
    return affected(
      await manager.query(
        `UPDATE deadline_milestones SET due_at = due_at + GREATEST($3::timestamptz - $2::timestamptz, interval '0')
          WHERE request_id = $1 AND emitted_at IS NULL AND suspended_at IS NULL`,
        [requestId, from, to],
      ),
    );
  },

  /** A withdrawn request has no deadline any more: the milestones to come are dropped. */
  async drop(manager: EntityManager, requestId: string): Promise<number> {
    return affected(
      await manager.query(`DELETE FROM deadline_milestones WHERE request_id = $1 AND emitted_at IS NULL`, [
        requestId,
      ]),
    );
  },
};

/** TypeORM returns [rows, affected] for UPDATE/DELETE on postgres. */
function affected(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
