import { Client } from 'pg';
import type { Logger } from 'pino';

/** The channels the database notifies (migrations `WakeupNotifications1764700000004`, `DueTimeNotifications1764700000005`). */
export const WAKEUP_CHANNELS = {
  /** Outbox rows committed by this login: its relay publishes them. */
  outbox: (login: string): string => `ixr_outbox_${login}`,
  /** A rule set or a directory version changed: whoever keeps them in memory reloads. */
  routingConfig: 'ixr_routing_config',
  /** Deadline milestones added or moved; the payload is the earliest due time (ms since the epoch). */
  deadlines: 'ixr_deadlines',
  /** Sends parked; the payload is the earliest due time (ms since the epoch). */
  sendRetries: 'ixr_send_retries',
} as const;

/** The due time a notification names (ms since the epoch), else undefined: look now. */
export function notifiedDueTime(payload: string | undefined): Date | undefined {
  const ms = Number(payload);
  return payload && Number.isFinite(ms) ? new Date(ms) : undefined;
}

export interface DatabaseWakeupsOptions {
  url: string;
  applicationName: string;
  logger: Logger;
  /** First wait before reconnecting a lost listener; doubles up to 30 s. */
  reconnectMs?: number;
}

/**
 * Work woken by PostgreSQL (LISTEN/NOTIFY) instead of found by polling: one connection per service
 * listens on the channels its parts subscribed to and calls them when a notification arrives. A
 * notification is only a hint — what it announces is read from the tables — so a lost one costs
 * latency, never data: after (re)connecting every subscriber is called once to catch up, and the
 * subscribers keep a slow safety poll.
 */
export class DatabaseWakeups {
  private client?: Client;
  private readonly subscribers = new Map<string, ((payload?: string) => void)[]>();
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectMs: number;

  constructor(private readonly options: DatabaseWakeupsOptions) {
    this.reconnectMs = options.reconnectMs ?? 500;
  }

  /**
   * Calls `wake` with the payload on every notification of `channel`, and without one after each
   * reconnection.
   */
  on(channel: string, wake: (payload?: string) => void): void {
    const list = this.subscribers.get(channel) ?? [];
    list.push(wake);
    this.subscribers.set(channel, list);
    const client = this.client;
    // A failed LISTEN is the lost connection's: the reconnection listens on every channel again.
    if (client) {
      this.listen(client, channel).catch((error: unknown) => this.lost(client, error as Error));
    }
  }

  /** The login this connection uses (the outbox channel is named after it). */
  async login(): Promise<string> {
    const client = this.client ?? (await this.connect());
    const { rows } = await client.query<{ login: string }>('SELECT current_user AS login');
    return rows[0].login;
  }

  async start(): Promise<void> {
    if (!this.client) await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: `${this.options.applicationName}-wakeups`,
    });
    client.on('notification', (message) => {
      for (const wake of this.subscribers.get(message.channel) ?? []) wake(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    for (const channel of this.subscribers.keys()) await this.listen(client, channel);
    this.client = client;
    this.reconnectMs = this.options.reconnectMs ?? 500;
    return client;
  }

  private async listen(client: Client, channel: string): Promise<void> {
    await client.query(`LISTEN ${quoteIdentifier(channel)}`);
  }

  private lost(client: Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.options.logger.warn(
      { err: error, retryInMs: this.reconnectMs },
      'database wake-ups lost; reconnecting',
    );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const wait = this.reconnectMs;
    this.reconnectMs = Math.min(30_000, this.reconnectMs * 2);
    this.reconnectTimer = setTimeout(() => {
      if (this.closed) return;
      this.connect()
        .then(() => {
          this.options.logger.info('database wake-ups listening again');
          // Whatever was notified while the connection was down: every subscriber looks once.
          for (const list of this.subscribers.values()) for (const wake of list) wake();
        })
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'database wake-ups could not reconnect yet');
          this.scheduleReconnect();
        });
    }, wait);
    this.reconnectTimer.unref();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
