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
  /**
   * The partner answers each request it receives after this delay, ms, and answers IXR's
   * clarification questions on its own requests after it too; absent: it does not answer.
   */
  answerAfterMs: z.number().int().min(0).max(86_400_000).optional(),
  /**
   * How it answers a request (SPEC §8): with an answer, a refusal on ground `not_available`, or a
   * clarification question (IXR's deadline is then suspended until the requesting unit answers).
   */
  respondWith: z.enum(['answer', 'refusal', 'clarification']).optional(),
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
  private readonly kinds = new Map<string, number>();

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
    const kind = kindOf(message.message);
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
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
      /** Unique messages received per kind: request, answer, refusal, clarification, withdrawal… */
      kinds: Object.fromEntries(this.kinds),
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
    this.kinds.clear();
    this.received = 0;
    this.sent.inbound = 0;
    this.sent.answers = 0;
    this.sent.failed = 0;
  }
}

/** What a message from IXR is: a request (a delivery carries no kind) or a message on a request. */
export function kindOf(message: unknown): string {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : 'request';
}

function partnerKey(channel: string, destination: string): string {
  return `${channel}/${destination}`;
}
