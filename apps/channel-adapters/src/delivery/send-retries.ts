import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { DueTask } from '@ixr/platform';
import type { OutboxRelay } from '@ixr/messaging';
import {
  enqueueOutbox,
  notifiedDueTime,
  sealEventValue,
  WAKEUP_CHANNELS,
  type DatabaseWakeups,
} from '@ixr/persistence';

export interface RetryPolicyOptions {
  /** First delay; each round doubles it… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** A message still undelivered this long after its first parking is dead-lettered. */
  windowMs: number;
}

/**
 * Delay before retry round `round` (1-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so parked messages of one partner do not all come back in the same instant.
 */
export function retryDelay(options: RetryPolicyOptions, round: number, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, round - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface ParkRequest {
  /** The delivery or reply id. */
  messageId: string;
  /** Where the event is published again, and its key. */
  topic: string;
  key: string;
  /** The envelope to publish again (JSON). */
  event: string;
  error: string;
  /** Not before this instant (a lease held by another handler). */
  notBefore?: Date;
}

/**
 * Sends that could not be made now (partner down, circuit open) wait in PostgreSQL instead of
 * blocking a Kafka partition, and come back on a growing delay; a partner away for minutes costs
 * nothing to the others. Past the window, the caller dead-letters the message.
 */
export class SendRetries {
  constructor(
    private readonly options: RetryPolicyOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Parks a message in the caller's transaction; `expired` says it waited longer than the window. */
  async park(
    manager: EntityManager,
    request: ParkRequest,
    now: Date,
  ): Promise<{ rounds: number; expired: boolean }> {
    const [current]: { rounds: number; first_failed_at: Date }[] = await manager.query(
      `SELECT rounds, first_failed_at FROM send_retries WHERE message_id = $1 FOR UPDATE`,
      [request.messageId],
    );
    const rounds = (current?.rounds ?? 0) + 1;
    const firstFailedAt = current?.first_failed_at ?? now;
    const expired = now.getTime() - firstFailedAt.getTime() > this.options.windowMs;
    if (expired) {
      await manager.query(`DELETE FROM send_retries WHERE message_id = $1`, [request.messageId]);
      return { rounds, expired };
    }
    const delayed = now.getTime() + retryDelay(this.options, rounds, this.random);
    const due = new Date(Math.max(delayed, request.notBefore?.getTime() ?? 0));
    await manager.query(
      `INSERT INTO send_retries (message_id, topic, key, event, rounds, first_failed_at, due_at, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (message_id) DO UPDATE SET rounds = EXCLUDED.rounds, due_at = EXCLUDED.due_at,
         event = EXCLUDED.event, last_error = EXCLUDED.last_error`,
      [
        request.messageId,
        request.topic,
        request.key,
        // Parked sealed (SPEC §10): the row holds no personal data in clear.
        await sealEventValue(manager, request.topic, request.event),
        rounds,
        firstFailedAt,
        due,
        request.error.slice(0, 2000),
      ],
    );
    return { rounds, expired };
  }

  /** The sends ended (delivered, refused, or found done): nothing to retry any more. */
  async forgetMany(manager: EntityManager | DataSource, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await manager.query(`DELETE FROM send_retries WHERE message_id = ANY($1)`, [messageIds]);
  }
}

/**
 * Publishes parked sends again when due: claims them (FOR UPDATE SKIP LOCKED, so several adapter
 * instances share the work) and queues each event in the outbox in the same transaction, under a
 * new event id per round. The scheduler sleeps until the next parked send is due (at most
 * `intervalMs`); parking a send notifies its due time (`ixr_send_retries`), which moves the timer of
 * every adapter instance earlier when needed. Idle, it reads one `min(due_at)` per `intervalMs`.
 */
export class SendRetryScheduler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly wakeups?: DatabaseWakeups,
  ) {}

  private task?: DueTask;

  start(): void {
    if (!this.task) {
      const task = new DueTask(
        { maxWaitMs: this.intervalMs },
        () => this.publishDue(),
        (error) => this.logger.warn({ err: error }, 'send retry scheduler tick failed; will retry'),
      );
      this.wakeups?.on(WAKEUP_CHANNELS.sendRetries, (payload) => task.wake(notifiedDueTime(payload)));
      this.task = task;
    }
    this.task.start();
  }

  /**
   * One run of the timer: publishes the sends due now, if any, and returns when the next one is due
   * (undefined: none parked; now: more than one batch).
   */
  async publishDue(limit = 200): Promise<Date | undefined> {
    const next = await this.nextDue();
    if (next === undefined || next > new Date()) return next;
    if ((await this.tick(limit)) === limit) return new Date();
    return this.nextDue();
  }

  /** The earliest parked send not yet published again. */
  async nextDue(): Promise<Date | undefined> {
    const [row]: { next: Date | null }[] = await this.dataSource.query(
      `SELECT min(due_at) AS next FROM send_retries WHERE due_at IS NOT NULL`,
    );
    return row?.next ?? undefined;
  }

  async stop(): Promise<void> {
    await this.task?.stop();
  }

  async tick(limit = 200): Promise<number> {
    const count = await this.dataSource.transaction(async (manager) => {
      const { records } = (await manager.queryRunner!.query(
        `WITH due AS (
           SELECT message_id FROM send_retries WHERE due_at <= now()
            ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE send_retries s SET due_at = NULL FROM due WHERE s.message_id = due.message_id
         RETURNING s.message_id, s.topic, s.key, s.event, s.rounds`,
        [limit],
        true,
      )) as { records: { message_id: string; topic: string; key: string; event: string; rounds: number }[] };
      await enqueueOutbox(
        manager,
        records.map((r) => ({ topic: r.topic, key: r.key, value: retryEnvelope(r.event, r.rounds) })),
      );
      return records.length;
    });
    if (count > 0) {
      this.relay.nudge();
      this.logger.info({ count }, 'parked sends published again');
    }
    return count;
  }
}

/** The parked envelope under a new id (`<original>/retry/<round>`), so that it is a new event. */
function retryEnvelope(event: string, round: number): string {
  const envelope = JSON.parse(event) as { id: string };
  const original = envelope.id.replace(/\/retry\/\d+$/, '');
  return JSON.stringify({ ...envelope, id: `${original}/retry/${round}` });
}
