import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** When the client had read it whole (ms since the epoch). */
  receivedAt: number;
}

/**
 * A Server-Sent Events client over node:http, parsing the stream as the EventSource standard does
 * (fields id, event, data; comment lines; blank line ends an event). It keeps every event and
 * comment it read, for the tests to wait on.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  status?: number;
  body = '';
  private req?: ClientRequest;
  private res?: IncomingMessage;
  private closed = false;

  private constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Connects and resolves once the answer's head arrived (check `status`). */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient(url, headers);
    return client.open().then(() => client);
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = request(this.url, { headers: { accept: 'text/event-stream', ...this.headers } }, (res) => {
        this.res = res;
        this.status = res.statusCode;
        res.setEncoding('utf8');
        let buffer = '';
        let current: SseEvent = { event: 'message', data: '', receivedAt: 0 };
        let hasData = false;
        res.on('data', (chunk: string) => {
          if (this.status !== 200) {
            this.body += chunk;
            return;
          }
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
            if (line === '') {
              if (hasData) {
                this.events.push({
                  ...current,
                  data: current.data.replace(/\n$/, ''),
                  receivedAt: Date.now(),
                });
              }
              current = { event: 'message', data: '', receivedAt: 0 };
              hasData = false;
            } else if (line.startsWith(':')) {
              this.comments++;
            } else {
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'data') {
                current.data += `${value}\n`;
                hasData = true;
              } else if (field === 'event') current.event = value;
              else if (field === 'id') current.id = value;
            }
          }
        });
        resolve();
      });
      this.req.on('error', (error) => {
        if (!this.closed) reject(error);
      });
      this.req.end();
    });
  }

  /** The last event id received: what a reconnecting EventSource sends as Last-Event-ID. */
  get lastEventId(): string | undefined {
    return [...this.events].reverse().find((e) => e.id !== undefined)?.id;
  }

  /** Events of one type, their data parsed as JSON. */
  json<T>(event: string): T[] {
    return this.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data) as T);
  }

  /** True once the server ended the stream. */
  get ended(): boolean {
    return this.res?.complete === true || this.res?.destroyed === true;
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}
