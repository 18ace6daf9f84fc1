import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ALL_CIRCUITS_CLOSED, type ChannelHealth } from '@ixr/routing';

/**
 * The circuits the channel adapters report open (or half-open: still unproven), read from
 * PostgreSQL on a short timer and served from memory, so a decision never waits for it. A state
 * not re-stamped within `staleMs` belongs to an adapter that died and is ignored. When the table
 * cannot be read, the last snapshot stays (the next refresh catches up).
 */
export class CircuitHealthReader {
  private snapshot: ChannelHealth = ALL_CIRCUITS_CLOSED;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: { refreshMs: number; staleMs: number },
  ) {}

  current(): ChannelHealth {
    return this.snapshot;
  }

  async refresh(): Promise<ChannelHealth> {
    const rows: { channel: string; destination: string }[] = await this.dataSource.query(
      `SELECT DISTINCT channel, destination FROM circuit_states
        WHERE state <> 'closed' AND reported_at > now() - $1 * interval '1 millisecond'
        ORDER BY channel, destination`,
      [this.options.staleMs],
    );
    const next: ChannelHealth = rows.length === 0 ? ALL_CIRCUITS_CLOSED : { open: rows };
    if (JSON.stringify(next) !== JSON.stringify(this.snapshot)) {
      this.logger.warn({ open: next.open }, 'circuit states changed');
    }
    this.snapshot = next;
    return next;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not read circuit states; keeping the last ones'),
      );
    }, this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
