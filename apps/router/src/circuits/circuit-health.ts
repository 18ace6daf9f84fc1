import { hostname } from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { envelopeSchema, TOPIC_SCHEMAS, TOPICS, type CircuitChanged } from '@ixr/messaging';
import { ALL_CIRCUITS_CLOSED, type ChannelHealth } from '@ixr/routing';

interface HeldState {
  channel: string;
  destination: string;
  state: CircuitChanged['state'];
  reportedAt: number;
}

/**
 * The circuits the channel adapters announce open (or half-open: still unproven), learnt from
 * their events (`ixr.circuits.changed`) and served from memory, so a decision never waits for it.
 * One state per adapter instance and partner; a state not re-announced within `staleMs` belongs to
 * an adapter that died and is ignored (the adapters re-announce every state but closed on each
 * report tick, so a router that starts learns the open circuits within one tick).
 */
export class CircuitHealth {
  private readonly states = new Map<string, HeldState>();
  private announced = '[]';

  constructor(
    private readonly logger: Logger,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  current(): ChannelHealth {
    const cutoff = this.now() - this.staleMs;
    const open = new Map<string, { channel: string; destination: string }>();
    for (const state of this.states.values()) {
      if (state.state === 'closed' || state.reportedAt < cutoff) continue;
      open.set(`${state.channel}/${state.destination}`, {
        channel: state.channel,
        destination: state.destination,
      });
    }
    if (open.size === 0) return ALL_CIRCUITS_CLOSED;
    return { open: [...open.keys()].sort().map((key) => open.get(key)!) };
  }

  /** One announced state; an announcement older than the one held for the same breaker is ignored. */
  apply(event: CircuitChanged): void {
    const key = `${event.instance}\n${event.channel}\n${event.destination}`;
    const reportedAt = Date.parse(event.reportedAt);
    const held = this.states.get(key);
    if (held && held.reportedAt > reportedAt) return;
    this.states.set(key, {
      channel: event.channel,
      destination: event.destination,
      state: event.state,
      reportedAt,
    });
    const open = this.current().open;
    const now = JSON.stringify(open);
    if (now !== this.announced) this.logger.warn({ open }, 'circuit states changed');
    this.announced = now;
  }
}

/**
 * Every router instance needs every circuit event (not a share of the partitions): a consumer
 * group of its own, which commits no offset and so starts at the newest event each time; what it
 * missed before is re-announced within a report tick. A malformed event is skipped with a warning
 * naming what is wrong (circuit events carry no personal data).
 */
export class CircuitEventsConsumer {
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly health: CircuitHealth,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `ixr-router.circuits.${hostname()}.${process.pid}`,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.circuitChanged, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        this.handle(message.value?.toString('utf8') ?? '');
        return Promise.resolve();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not close the circuit events consumer');
    });
  }

  handle(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.logger.warn({ topic: TOPICS.circuitChanged }, 'a circuit event that is not JSON: skipped');
      return;
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) return this.skip(envelope.error.issues);
    const data = TOPIC_SCHEMAS[TOPICS.circuitChanged].safeParse(envelope.data.data);
    if (!data.success) return this.skip(data.error.issues);
    this.health.apply(data.data);
  }

  private skip(issues: readonly { path: readonly PropertyKey[]; message: string }[]): void {
    const named = issues.map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`);
    this.logger.warn({ topic: TOPICS.circuitChanged, issues: named }, 'an invalid circuit event: skipped');
  }
}
