import { post } from './api';
import { session } from './session';

/** A new inbox item of the caller's unit (SPEC §7). */
export interface InboxItem {
  id: string;
  kind: string;
  requestId: string;
  at: string;
  summary: string;
  readAt: string | null;
}

export interface StatusChange {
  requestId: string;
  status: string;
  previous: string | null;
  at: string;
}

export type StreamEvent =
  { type: 'open' } | { type: 'inbox'; item: InboxItem } | { type: 'status'; change: StatusChange };

type Listener = (event: StreamEvent) => void;

/**
 * The live updates of SPEC §7 for the whole page: one EventSource on `/v1/events`, opened with a
 * one-time ticket (EventSource cannot send the token). A ticket serves one connection, so on a
 * drop the stream is reopened with a new ticket and `lastEventId`, and nothing is missed.
 */
class EventStream {
  private source?: EventSource;
  private lastEventId?: string;
  private retry?: number;
  private readonly listeners = new Set<Listener>();
  connected = false;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.stop();
    // Signed out (or the token expired): no stream, and no retry.
    if (!session.token()) return;
    try {
      const { ticket } = await post<{ ticket: string }>('/v1/events/ticket');
      const params = new URLSearchParams({ ticket });
      if (this.lastEventId) params.set('lastEventId', this.lastEventId);
      const source = new EventSource(`/v1/events?${params.toString()}`);
      this.source = source;
      source.onopen = () => {
        this.connected = true;
        this.emit({ type: 'open' });
      };
      source.addEventListener('inbox', (e) => {
        const message = e as MessageEvent<string>;
        this.lastEventId = message.lastEventId || this.lastEventId;
        this.emit({ type: 'inbox', item: JSON.parse(message.data) as InboxItem });
      });
      source.addEventListener('status', (e) => {
        const message = e as MessageEvent<string>;
        this.lastEventId = message.lastEventId || this.lastEventId;
        this.emit({ type: 'status', change: JSON.parse(message.data) as StatusChange });
      });
      source.onerror = () => {
        this.connected = false;
        source.close();
        this.later();
      };
    } catch {
      this.later();
    }
  }

  stop(): void {
    this.source?.close();
    this.source = undefined;
    this.connected = false;
    window.clearTimeout(this.retry);
  }

  private later(): void {
    window.clearTimeout(this.retry);
    this.retry = window.setTimeout(() => void this.start(), 3000);
  }

  private emit(event: StreamEvent): void {
    this.listeners.forEach((l) => l(event));
  }
}

export const events = new EventStream();
