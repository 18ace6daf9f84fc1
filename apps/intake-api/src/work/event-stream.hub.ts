import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { PeriodicTask } from '@ixr/platform';
import { WORK_FEED_CHANNEL } from './work-feed.writer';

export const EVENT_STREAM_HUB = Symbol('EVENT_STREAM_HUB');

/** Who reads a stream: its unit's inbox, and the status of what it may see. */
export interface StreamCaller {
  unit: string;
  /** SPOC operators: the status of every request. */
  allStatuses: boolean;
}

interface FeedRow {
  id: string;
  event: 'inbox' | 'status';
  data: unknown;
}

interface Stream {
  caller: StreamCaller;
  out: ServerResponse;
  lastId: bigint;
  busy: boolean;
  again: boolean;
}

const PAGE = 200;

/**
 * `GET /v1/events` (SPEC §7): Server-Sent Events from the durable feed (`work_feed`). Each event's
 * id is its feed id, so `Last-Event-ID` resumes exactly where a client stopped, across restarts
 * of the service. A stream wakes on PostgreSQL NOTIFY (whichever intake instance wrote the row),
 * and sends a comment every heartbeat, after which it also reads the feed once in case a
 * notification was lost while the listening connection was being re-made.
 */
export class EventStreamHub {
  private readonly streams = new Set<Stream>();
  private listener?: Client;
  private heartbeat?: PeriodicTask;
  private reconnect?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: { connectionString: string; heartbeatMs: number; logger: Logger },
  ) {}

  async start(): Promise<void> {
    this.heartbeat = new PeriodicTask(
      this.options.heartbeatMs,
      () => {
        for (const stream of this.streams) {
          stream.out.write(': heartbeat\n\n');
          this.pump(stream);
        }
        return Promise.resolve();
      },
      (error) => this.options.logger.warn({ err: error }, 'status stream heartbeat failed'),
    );
    this.heartbeat.start();
    await this.listen();
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.heartbeat?.stop();
    clearTimeout(this.reconnect);
    for (const stream of this.streams) stream.out.end();
    this.streams.clear();
    await this.listener?.end().catch(() => undefined);
  }

  get size(): number {
    return this.streams.size;
  }

  /** The newest feed id: where a stream without `Last-Event-ID` starts. */
  async head(): Promise<bigint> {
    const [row]: { id: string }[] = await this.dataSource.query(
      `SELECT COALESCE(max(id), 0)::text AS id FROM work_feed`,
    );
    return BigInt(row?.id ?? '0');
  }

  /** Serves a stream on an open response until the client goes away or the service stops. */
  open(out: ServerResponse, caller: StreamCaller, lastId: bigint): void {
    const stream: Stream = { caller, out, lastId, busy: false, again: false };
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    out.write(`retry: 2000\n: connected\n\n`);
    this.streams.add(stream);
    out.on('close', () => this.streams.delete(stream));
    this.pump(stream);
  }

  private wakeAll(): void {
    for (const stream of this.streams) this.pump(stream);
  }

  /** Sends what the caller may see past its last id; one reader per stream at a time. */
  private pump(stream: Stream): void {
    if (stream.busy) {
      stream.again = true;
      return;
    }
    stream.busy = true;
    void (async () => {
      try {
        do {
          stream.again = false;
          for (;;) {
            const rows = await this.read(stream);
            for (const row of rows) {
              if (!this.streams.has(stream)) return;
              stream.lastId = BigInt(row.id);
              const ok = stream.out.write(
                `id: ${row.id}\nevent: ${row.event}\ndata: ${JSON.stringify(row.data)}\n\n`,
              );
              if (!ok) await new Promise((resolve) => stream.out.once('drain', resolve));
            }
            if (rows.length < PAGE) break;
          }
        } while (stream.again && this.streams.has(stream));
      } catch (error) {
        // The next notification or heartbeat tries again.
        this.options.logger.warn({ err: error }, 'event stream could not read the feed; will retry');
      } finally {
        stream.busy = false;
      }
    })();
  }

  private read(stream: Stream): Promise<FeedRow[]> {
    return this.dataSource.query(
      `SELECT id::text AS id, event, data FROM work_feed
        WHERE id > $1 AND (units @> ARRAY[$2]::text[] OR ($3 AND event = 'status'))
        ORDER BY id LIMIT ${PAGE}`,
      [stream.lastId.toString(), stream.caller.unit, stream.caller.allStatuses],
    );
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.options.connectionString });
    client.on('notification', () => this.wakeAll());
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'event feed listener lost its connection; reconnecting');
      this.retryListen(client);
    });
    client.on('end', () => this.retryListen(client));
    this.listener = client;
    await client.connect();
    await client.query(`LISTEN ${WORK_FEED_CHANNEL}`);
    this.wakeAll();
  }

  private retryListen(client: Client): void {
    if (this.closed || this.listener !== client || this.reconnect) return;
    this.listener = undefined;
    void client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (this.closed) return;
      this.listen().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'event feed listener could not reconnect; retrying');
        this.retryListen(this.listener ?? client);
      });
    }, 1000);
    this.reconnect.unref();
  }
}
