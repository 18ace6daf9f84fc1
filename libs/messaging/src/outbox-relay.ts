import type { Logger } from 'pino';
import type { EventPublisher, OutgoingMessage } from './event-publisher';

/** A claimed batch of outbox rows; `commit` removes them, `rollback` leaves them for the next try. */
export interface ClaimedOutboxBatch {
  messages: OutgoingMessage[];
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Where the relay finds messages written in the same transaction as the business change. */
export interface OutboxSource {
  claim(limit: number): Promise<ClaimedOutboxBatch | null>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Safety-net poll for rows that no nudge announced (e.g. written before a crash). */
  idleMs?: number;
  maxBackoffMs?: number;
}

/**
 * Transactional outbox relay: publishes rows in order and deletes them only once Kafka has
 * acknowledged them. When the broker is down the rows wait, the relay backs off, and the backlog
 * drains when the broker returns — nothing is lost, and writers never wait for Kafka.
 */
export class OutboxRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pending = false;
  private published = 0;
  private lastError?: string;

  constructor(
    private readonly source: OutboxSource,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a transaction that wrote outbox rows commits: publish without waiting for the poll. */
  nudge(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Publishes what is left, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  stats(): { published: number; lastError?: string } {
    return { published: this.published, lastError: this.lastError };
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    let backoff = 0;
    for (;;) {
      this.pending = false;
      // Only a pass that began after stop() was asked can prove the outbox empty.
      const stopRequested = !this.running;
      let claimed = 0;
      let failed = false;
      try {
        claimed = await this.publishOnce(batchSize);
        backoff = 0;
        this.lastError = undefined;
      } catch (error) {
        failed = true;
        backoff = Math.min(this.options.maxBackoffMs ?? 5000, Math.max(100, backoff * 2));
        this.lastError = (error as Error).message;
        this.logger.warn({ err: error, retryInMs: backoff }, 'outbox relay could not publish; will retry');
      }
      // Stopping: drain until empty, or give up while Kafka or the database is away (rows stay).
      if (stopRequested && (claimed === 0 || failed)) return;
      if (!failed && (claimed === batchSize || this.pending || !this.running)) continue;
      await this.sleep(failed ? backoff : (this.options.idleMs ?? 500));
    }
  }

  private async publishOnce(limit: number): Promise<number> {
    const batch = await this.source.claim(limit);
    if (!batch) return 0;
    try {
      await this.publisher.send(batch.messages);
    } catch (error) {
      await batch.rollback().catch(() => undefined);
      throw error;
    }
    await batch.commit();
    this.published += batch.messages.length;
    return batch.messages.length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }
}
