import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { createEnvelope, EVENT_TYPES, TOPICS, type DeadlineReached, type OutboxRelay } from '@ixr/messaging';
import { enqueueOutbox, notifiedDueTime, WAKEUP_CHANNELS, type DatabaseWakeups } from '@ixr/persistence';
import { DueTask, type Clock, type IdGenerator } from '@ixr/platform';

interface DueRow {
  request_id: string;
  milestone: DeadlineReached['milestone'];
  due_at: Date;
  deadline_at: Date;
  deadline_basis: DeadlineReached['deadlineBasis'];
  requesting_unit: string;
}

/**
 * Follows every request's reply deadline (Directive 2023/977 Art 5; SPEC §4.2): warnings at 50, 75
 * and 90 % of the time allowed, an escalation at the breach. Milestones live in PostgreSQL, so
 * they survive restarts; each is claimed once (FOR UPDATE SKIP LOCKED) and announced through the
 * outbox in the same transaction, so several routers never announce one twice. The monitor sleeps
 * until the next milestone is due (its timer armed for that time, at most `intervalMs` away); a
 * statement that adds or moves milestones notifies their earliest due time (`ixr_deadlines`), which
 * moves the timer of every router earlier when needed. Idle, it reads one `min(due_at)` per
 * `intervalMs`.
 */
export class DeadlineMonitor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; spocUnit: string; wakeups?: DatabaseWakeups },
  ) {}

  private task?: DueTask;

  start(): void {
    if (!this.task) {
      const task = new DueTask(
        { maxWaitMs: this.options.intervalMs },
        () => this.announceDue(),
        (error) => this.logger.warn({ err: error }, 'deadline monitor tick failed; will retry'),
      );
      this.options.wakeups?.on(WAKEUP_CHANNELS.deadlines, (payload) => task.wake(notifiedDueTime(payload)));
      this.task = task;
    }
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task?.stop();
  }

  /**
   * One run of the timer: announces the milestones due now, if any, and returns when the next one
   * is due (undefined: none waiting; now: more than one batch).
   */
  async announceDue(limit = 500): Promise<Date | undefined> {
    const next = await this.nextDue();
    if (next === undefined || next > this.clock.now()) return next;
    if ((await this.tick(limit)) === limit) return this.clock.now();
    return this.nextDue();
  }

  /** The earliest milestone still to announce (one not suspended, of a request the router routed). */
  async nextDue(): Promise<Date | undefined> {
    const [row]: { next: Date | null }[] = await this.dataSource.query(
      // The first in due order (the partial index deadline_milestones_due), not an aggregate.
      `SELECT m.due_at AS next FROM deadline_milestones m
        WHERE m.emitted_at IS NULL AND m.suspended_at IS NULL
          AND EXISTS (SELECT 1 FROM routed_requests rr WHERE rr.request_id = m.request_id)
        ORDER BY m.due_at LIMIT 1`,
    );
    return row?.next ?? undefined;
  }

  /** Announces every milestone due now; returns how many. */
  async tick(limit = 500): Promise<number> {
    const now = this.clock.now();
    const announced = await this.dataSource.transaction(async (manager) => {
      // A structured result: TypeORM otherwise returns [rows, count] for UPDATE … RETURNING.
      // The deadline is the router's own record (routed_requests); an inbound request's warnings go
      // to the unit that must answer it: the intake's assignment, else the unit it was routed to.
      const { records: due } = (await manager.queryRunner!.query(
        `WITH due AS (
           SELECT m.request_id, m.milestone FROM deadline_milestones m
            WHERE m.emitted_at IS NULL AND m.suspended_at IS NULL AND m.due_at <= $1
            ORDER BY m.due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE deadline_milestones m SET emitted_at = $1
           FROM due, routed_requests rr
          WHERE m.request_id = due.request_id AND m.milestone = due.milestone AND rr.request_id = m.request_id
        RETURNING m.request_id, m.milestone, m.due_at,
                  -- moved by clarifications (SPEC §8): the breach milestone is the deadline now
                  COALESCE((SELECT b.due_at FROM deadline_milestones b
                             WHERE b.request_id = m.request_id AND b.milestone = 'breach'), rr.deadline_at)
                    AS deadline_at, rr.deadline_basis,
                  COALESCE((SELECT r.assigned_unit FROM requests r WHERE r.id = m.request_id),
                           rr.handling_unit) AS requesting_unit`,
        [now, limit],
        true,
      )) as { records: DueRow[] };
      const messages = due.map((row) => {
        const data: DeadlineReached = {
          requestId: row.request_id,
          milestone: row.milestone,
          dueAt: row.due_at.toISOString(),
          deadlineAt: row.deadline_at.toISOString(),
          deadlineBasis: row.deadline_basis,
          requestingUnit: row.requesting_unit,
          notify: [...new Set([row.requesting_unit, this.options.spocUnit])],
        };
        const envelope = createEnvelope({
          id: this.ids.uuid(),
          type: EVENT_TYPES[TOPICS.deadlineReached],
          source: 'ixr/router',
          time: now,
          subject: row.request_id,
          data,
        });
        return { topic: TOPICS.deadlineReached, key: row.request_id, value: JSON.stringify(envelope) };
      });
      await enqueueOutbox(manager, messages);
      return messages.length;
    });
    if (announced > 0) {
      this.relay.nudge();
      this.logger.info({ announced }, 'deadline milestones announced');
    }
    return announced;
  }
}
