import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import {
  createEnvelope,
  EVENT_TYPES,
  TOPICS,
  type CircuitChanged,
  type EventPublisher,
} from '@ixr/messaging';
import { PeriodicTask, type IdGenerator } from '@ixr/platform';
import type { CircuitChange } from './circuit-breakers';

/**
 * Shares this instance's circuit states. The router learns them from events
 * (`ixr.circuits.changed`, keyed by channel/partner so each circuit's events stay in order): every
 * change at once, and states other than closed again on every tick, so that the router can ignore
 * those of an instance that died (kill -9) once they are older than its staleness bound. This
 * service's own record of them is the table `circuit_states` (one row per partner and instance),
 * which the intake only reads (the console's channel health), the router never. A failed write or publish is retried on the next tick.
 * The ticks run only while there is something to re-announce or retry: with every circuit of the
 * instance closed and everything shared, the reporter does nothing until a circuit changes.
 */
export class CircuitStateReporter {
  private readonly latest = new Map<string, CircuitChange>();
  private readonly unsaved = new Set<string>();
  private readonly unannounced = new Set<string>();
  private ticks?: PeriodicTask;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: Pick<EventPublisher, 'publishEnvelopes'>,
    private readonly ids: IdGenerator,
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
    // Once stopping, this instance's circuits are closed for good (announced by stop()).
    if (this.stopped) return;
    this.unsaved.add(key);
    this.unannounced.add(key);
    this.tickWhileNeeded();
    void this.flush();
  };

  start(): void {
    this.ticks ??= new PeriodicTask(
      this.intervalMs,
      () => this.flush(true),
      (error) => this.logger.warn({ err: error }, 'circuit state tick failed'),
    );
    this.tickWhileNeeded();
  }

  /** Whether a tick has work: a state to re-announce, or a change whose write or publish failed. */
  private needsTicks(): boolean {
    if (this.unsaved.size > 0 || this.unannounced.size > 0) return true;
    for (const c of this.latest.values()) if (c.state !== 'closed') return true;
    return false;
  }

  /** Runs the ticks while they have work, and only then. */
  private tickWhileNeeded(): void {
    if (!this.ticks || this.stopped) return;
    if (this.needsTicks()) this.ticks.start();
    // Only the timer stops here: a tick in progress (the caller, maybe) ends as usual.
    else void this.ticks.stop();
  }

  /** Stops reporting: its breakers die with it, so its circuits are announced closed and its rows removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticks?.stop();
    await this.flushing;
    const open = [...this.latest.values()].filter((c) => c.state !== 'closed');
    const now = new Date();
    await this.announce(
      open.map((c) => ({ ...c, state: 'closed', at: now, reason: 'adapter instance stopped' })),
    ).catch((error: unknown) => this.logger.warn({ err: error }, 'could not announce circuits closed'));
    await this.dataSource
      .query(`DELETE FROM circuit_states WHERE instance = $1`, [this.instance])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not remove circuit states'));
  }

  /**
   * Writes and announces the changes not yet shared; on a tick, re-announces every state but closed
   * (a tick with nothing to do does nothing).
   */
  flush(tick = false): Promise<void> {
    if (tick && !this.flushing && !this.needsTicks()) return Promise.resolve();
    this.flushing ??= this.share(tick).then((ok) => {
      this.flushing = undefined;
      this.tickWhileNeeded();
      // Changes that came during the write go out now, not a tick later.
      if (ok && (this.unsaved.size > 0 || this.unannounced.size > 0)) return this.flush();
    });
    return this.flushing;
  }

  private async share(tick: boolean): Promise<boolean> {
    const saved = await this.write();
    const keys = new Set(this.unannounced);
    if (tick) for (const [key, c] of this.latest) if (c.state !== 'closed') keys.add(key);
    this.unannounced.clear();
    try {
      await this.announce([...keys].map((key) => this.latest.get(key)!));
      return saved;
    } catch (error) {
      for (const key of keys) this.unannounced.add(key);
      this.logger.warn({ err: error }, 'could not announce circuit states; will retry');
      return false;
    }
  }

  private async announce(changes: CircuitChange[]): Promise<void> {
    if (changes.length === 0) return;
    const reportedAt = new Date().toISOString();
    await this.publisher.publishEnvelopes(
      TOPICS.circuitChanged,
      changes.map((c) =>
        createEnvelope<CircuitChanged>({
          id: this.ids.uuid(),
          type: EVENT_TYPES[TOPICS.circuitChanged],
          source: 'ixr/channel-adapters',
          time: reportedAt,
          subject: `${c.channel}/${c.destination}`,
          data: {
            channel: c.channel,
            destination: c.destination,
            instance: this.instance,
            state: c.state,
            since: c.at.toISOString(),
            reportedAt,
            reason: c.reason.slice(0, 500),
          },
        }),
      ),
    );
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
      this.logger.warn({ err: error }, 'could not record circuit states; will retry');
      return false;
    }
  }
}
