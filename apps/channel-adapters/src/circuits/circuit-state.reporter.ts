import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { CircuitChange } from './circuit-breakers';

/**
 * Shares this instance's circuit states with the router through PostgreSQL (`circuit_states`, one
 * row per partner and adapter instance). Changes are written at once, in order; states other than
 * closed are re-stamped on every tick, so the router can ignore those of an instance that died
 * (kill -9) once they are older than its staleness bound. A failed write is retried on the next tick.
 */
export class CircuitStateReporter {
  private readonly latest = new Map<string, CircuitChange>();
  private readonly unsaved = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly instance: string,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  /** The breakers' listener. */
  readonly onChange = (change: CircuitChange): void => {
    const key = `${change.channel}/${change.destination}`;
    this.latest.set(key, change);
    if (change.state !== 'closed') {
      this.logger.warn(change, `circuit ${change.state}: ${change.channel} partner ${change.destination}`);
    } else {
      this.logger.info(change, `circuit closed: ${change.channel} partner ${change.destination}`);
    }
    // Once stopping, this instance's rows are gone and stay gone.
    if (this.stopped) return;
    this.unsaved.add(key);
    void this.flush();
  };

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops reporting and removes this instance's rows: its breakers die with it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.flushing;
    await this.dataSource
      .query(`DELETE FROM circuit_states WHERE instance = $1`, [this.instance])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not remove circuit states'));
  }

  flush(): Promise<void> {
    this.flushing ??= this.write().then((ok) => {
      this.flushing = undefined;
      // Changes that came during the write go out now, not a tick later.
      if (ok && this.unsaved.size > 0) return this.flush();
    });
    return this.flushing;
  }

  private async write(): Promise<boolean> {
    const changes = [...this.unsaved].map((key) => this.latest.get(key)!);
    this.unsaved.clear();
    try {
      for (const c of changes) {
        await this.dataSource.query(
          `INSERT INTO circuit_states (channel, destination, instance, state, since, reported_at, reason)
           VALUES ($1, $2, $3, $4, $5, now(), $6)
           ON CONFLICT (channel, destination, instance) DO UPDATE
             SET state = EXCLUDED.state, since = EXCLUDED.since, reported_at = now(), reason = EXCLUDED.reason`,
          [c.channel, c.destination, this.instance, c.state, c.at, c.reason],
        );
      }
      await this.dataSource.query(
        `UPDATE circuit_states SET reported_at = now() WHERE instance = $1 AND state <> 'closed'`,
        [this.instance],
      );
      return true;
    } catch (error) {
      for (const c of changes) this.unsaved.add(`${c.channel}/${c.destination}`);
      this.logger.warn({ err: error }, 'could not share circuit states; will retry');
      return false;
    }
  }
}
