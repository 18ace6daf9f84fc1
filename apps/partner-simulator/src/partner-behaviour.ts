import { z } from 'zod';

/**
 * How a simulated partner answers (issue: failure modes): normally; with HTTP 500 (`fail`); never,
 * until the caller gives up (`hang`, past any timeout); by dropping the connection without a word
 * (`refuse`, what a caller sees of a refused connection); or after `latencyMs` (`slow`).
 */
export const behaviourSchema = z.strictObject({
  mode: z.enum(['ok', 'fail', 'hang', 'slow', 'refuse']).default('ok'),
  /** Acknowledgement latency (mode ok) or delay (mode slow), ms. */
  latencyMs: z.number().int().min(0).max(120000).default(0),
  /** The partner answers each request it receives after this delay, ms; absent: it does not answer. */
  answerAfterMs: z.number().int().min(0).max(86_400_000).optional(),
});
export type PartnerBehaviour = z.infer<typeof behaviourSchema>;

export interface ReceivedMessage {
  channel: string;
  destination: string;
  idempotencyKey: string;
  reference: string;
  receivedAt: string;
  message: unknown;
}

/** The simulator's memory: behaviour per partner and every message received, counted per key. */
export class PartnerState {
  private readonly behaviours = new Map<string, PartnerBehaviour>();
  private readonly byKey = new Map<string, { count: number; first: ReceivedMessage }>();
  private received = 0;
  private hanging = 0;
  private delayed = 0;
  private readonly sent = { inbound: 0, answers: 0, failed: 0 };

  constructor(private readonly defaultBehaviour: PartnerBehaviour) {}

  behaviourOf(channel: string, destination: string): PartnerBehaviour {
    return (
      this.behaviours.get(partnerKey(channel, destination)) ??
      this.behaviours.get(partnerKey(channel, '*')) ??
      this.defaultBehaviour
    );
  }

  setBehaviour(channel: string, destination: string, behaviour: PartnerBehaviour): void {
    this.behaviours.set(partnerKey(channel, destination), behaviour);
  }

  clearBehaviours(): void {
    this.behaviours.clear();
  }

  /** Records a message; returns how many times its idempotency key has now been seen. */
  record(message: ReceivedMessage): { count: number; first: ReceivedMessage } {
    this.received++;
    const entry = this.byKey.get(message.idempotencyKey);
    if (entry) {
      entry.count++;
      return entry;
    }
    const created = { count: 1, first: message };
    this.byKey.set(message.idempotencyKey, created);
    return created;
  }

  /** What the partner holds under this key (a lookup, not a receipt: nothing is counted). */
  find(channel: string, destination: string, idempotencyKey: string): ReceivedMessage | undefined {
    const entry = this.byKey.get(idempotencyKey);
    return entry && entry.first.channel === channel && entry.first.destination === destination
      ? entry.first
      : undefined;
  }

  countOf(idempotencyKey: string): number {
    return this.byKey.get(idempotencyKey)?.count ?? 0;
  }

  hangs(delta: 1 | -1): void {
    this.hanging += delta;
  }

  delays(delta: 1 | -1): void {
    this.delayed += delta;
  }

  countSent(kind: 'inbound' | 'answers' | 'failed'): void {
    this.sent[kind]++;
  }

  stats() {
    const duplicates = [...this.byKey.entries()]
      .filter(([, e]) => e.count > 1)
      .map(([key, e]) => ({
        idempotencyKey: key,
        count: e.count,
        channel: e.first.channel,
        destination: e.first.destination,
      }));
    return {
      received: this.received,
      unique: this.byKey.size,
      duplicates,
      sent: { ...this.sent },
      /** Calls held open by partners in mode hang, that the caller has not aborted yet. */
      hanging: this.hanging,
      /** Calls being processed by slow partners (latency) right now. */
      inFlight: this.delayed,
    };
  }

  messagesFor(requestId: string): ReceivedMessage[] {
    return this.messages((m) => (m.message as { requestId?: unknown } | null)?.requestId === requestId);
  }

  messages(filter: (m: ReceivedMessage) => boolean = () => true): ReceivedMessage[] {
    return [...this.byKey.values()].map((e) => e.first).filter(filter);
  }

  reset(): void {
    this.behaviours.clear();
    this.byKey.clear();
    this.received = 0;
    this.sent.inbound = 0;
    this.sent.answers = 0;
    this.sent.failed = 0;
  }
}

function partnerKey(channel: string, destination: string): string {
  return `${channel}/${destination}`;
}
