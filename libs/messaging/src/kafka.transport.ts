import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { isObservable, lastValueFrom } from 'rxjs';
import type { z } from 'zod';
import { createEnvelope, envelopeSchema, type EventEnvelope } from './envelope';
import { BatchItemErrors, errorCode, InvalidMessageError, isRetryable } from './errors';
import { openPersonalData, PersonalDataErasedError, sealedKeyIds, withStandIns } from './personal-data';
import type { EventPublisher } from './event-publisher';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { isDependencyUnavailable } from './transient-errors';
import { TOPIC_SCHEMAS, type DeadLetter } from './schemas';
import { EVENT_TYPES, TOPICS } from './topics';

export interface KafkaTransportOptions {
  kafka: Kafka;
  /** Consumer group prefix of the service; each subscribed topic gets its own group `<groupId>.<topic>`. */
  groupId: string;
  /** Publishes dead letters. */
  publisher: EventPublisher;
  logger: Logger;
  retry?: RetryPolicy;
  /** Partitions of one topic processed in parallel; order is kept within a partition (= per request). */
  partitionsConsumedConcurrently?: number;
  registry?: Registry;
  /** The service name, recorded as the source of dead letters. */
  source: string;
  /** Topics this transport may subscribe to, with their event type and data schema (default: IXR's). */
  topics?: TopicRegistry;
  /** Where dead letters go (default: ixr.dead-letter). */
  deadLetterTopic?: string;
  /**
   * Errors that say a dependency is away (default: PostgreSQL or the network unreachable). They are
   * retried with capped backoff for as long as it takes and never count as attempts: an outage
   * pauses the partition instead of dead-lettering every message that arrives during it.
   */
  isTransient?: (error: unknown) => boolean;
  /**
   * How long the group waits for a silent member before giving its partitions to others (default
   * 15 s): the time a crashed (kill -9) instance holds up its partitions.
   */
  sessionTimeoutMs?: number;
  /**
   * The most bytes one fetch brings of one partition (default 256 KiB; kafkajs's own is 1 MiB).
   * With several partitions consumed side by side, this bounds the events a service holds at once,
   * hence its memory: a batch is parsed, validated and handled whole.
   */
  maxBytesPerPartition?: number;
  /**
   * Personal data in events is sealed (SPEC §10, `personal-data.ts`). `open`: handlers receive it
   * clear, opened with the request's data key (a key that is gone dead-letters the event, its
   * payload still sealed). `sealed` (default): handlers receive it sealed; the schema is checked
   * with stand-ins in the sealed places. With `keysFor`, the keys a batch's events name are read in
   * one call (present keys only: one absent was erased), not one `keyFor` per event.
   */
  personalData?:
    | { mode: 'open'; keyFor: KeyFor; keysFor?: (keyIds: string[]) => Promise<Map<string, Buffer>> }
    | { mode: 'sealed' };
}

/** A data key by its id, or null when it is gone (erased). */
type KeyFor = (keyId: string) => Promise<Buffer | null>;

export type TopicRegistry = Record<string, { eventType: string; schema: z.ZodType }>;

/** IXR's topics, event types and schemas (STYLE §4-5). */
export const IXR_TOPICS: TopicRegistry = Object.fromEntries(
  Object.values(TOPICS).map((topic) => [
    topic,
    { eventType: EVENT_TYPES[topic], schema: TOPIC_SCHEMAS[topic] },
  ]),
);

/** What a handler receives besides the event: where it came from and which attempt this is. */
export interface KafkaEventContext {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
  /**
   * Keeps this consumer in its group (kafkajs sends heartbeats only when asked during a batch): a
   * batch handler whose work may outlast the session timeout calls it between steps.
   */
  heartbeat?: () => Promise<void>;
}

/** Extras of `@EventPattern(topic, { batch: true })`: the handler receives an array of envelopes. */
export interface TopicHandlerExtras {
  batch?: boolean;
}

type Outcome = 'handled' | 'dead-lettered' | 'stopped';

/** Raised through a batch handler when its heartbeat fails: the partition may have moved. */
class PartitionLost extends Error {
  constructor(cause: unknown) {
    super('the consumer group is rebalancing: this partition may belong to another member now', { cause });
  }
}

/**
 * Kafka as a custom transport strategy of @nestjs/microservices. Handlers stay `@EventPattern`
 * methods; this class adds what the built-in transport lacks: one consumer (group) per topic,
 * schema validation before the handler, bounded retries with backoff, a dead-letter topic,
 * and a graceful drain that finishes in-flight work and commits before closing.
 * Handlers must be idempotent (at-least-once delivery); persistence offers processed-event records.
 */
export class KafkaTransport extends Server implements CustomTransportStrategy {
  /** The current consumer of each subscribed topic (replaced when one crashes for good). */
  private readonly consumers = new Map<string, Consumer>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private readonly joined = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly retry: RetryPolicy;
  private readonly topics: TopicRegistry;
  private readonly deadLetterTopic: string;
  private readonly isTransient: (error: unknown) => boolean;
  private readonly metrics?: {
    handled: Counter<'topic' | 'outcome'>;
    retries: Counter<'topic'>;
    duration: Histogram<'topic'>;
  };

  constructor(private readonly options: KafkaTransportOptions) {
    super();
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.topics = options.topics ?? IXR_TOPICS;
    this.deadLetterTopic = options.deadLetterTopic ?? TOPICS.deadLetter;
    this.isTransient = options.isTransient ?? isDependencyUnavailable;
    if (options.registry) {
      this.metrics = {
        handled: new Counter({
          name: 'ixr_messages_handled_total',
          help: 'Kafka messages handled, by topic and outcome',
          labelNames: ['topic', 'outcome'],
          registers: [options.registry],
        }),
        retries: new Counter({
          name: 'ixr_message_retries_total',
          help: 'Handler retries',
          labelNames: ['topic'],
          registers: [options.registry],
        }),
        duration: new Histogram({
          name: 'ixr_message_handling_seconds',
          help: 'Handler duration',
          labelNames: ['topic'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
          registers: [options.registry],
        }),
      };
    }
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** True once every consumer has joined its group; used by the readiness probe. */
  isReady(): boolean {
    return this.consumers.size > 0 && this.joined.size === this.consumers.size;
  }

  /** Stop fetching, let in-flight handlers finish, commit, disconnect. */
  async close(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.restarts) clearTimeout(timer);
    this.restarts.clear();
    await Promise.all(
      [...this.consumers.values()].map(async (consumer) => {
        await consumer.stop();
        await consumer.disconnect();
      }),
    );
    this.options.logger.info('kafka consumers drained and closed');
  }

  on(): never {
    throw new Error('KafkaTransport does not expose client events');
  }

  unwrap<T>(): T {
    return [...this.consumers.values()] as T;
  }

  private async start(): Promise<void> {
    for (const [pattern, handler] of this.messageHandlers) {
      await this.startConsumer(this.toTopic(pattern), handler);
    }
  }

  private async startConsumer(topic: string, handler: MessageHandler): Promise<void> {
    const groupId = `${this.options.groupId}.${topic}`;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 15000;
    const consumer = this.options.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 5)),
      // How long the broker holds a fetch that finds nothing new; data that arrives answers it at
      // once, so this costs no latency. Each service idled at about 6 % of a core with 500 ms and
      // 4.3 % with 5 s (`npm run bench -- --idle 60`, BENCHMARKS.md). kafkajs heartbeats between
      // fetches, so the wait stays well inside the session timeout; a stop waits for it at most.
      maxWaitTimeInMs: Math.min(5000, Math.floor(sessionTimeout / 3)),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 256 * 1024,
      maxBytes: 4 * 1024 * 1024,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => this.joined.add(topic));
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined.delete(topic);
      const { error, restart } = event.payload;
      this.options.logger.error({ topic, error: String(error), restart }, 'kafka consumer crashed');
      // kafkajs restarts a consumer after a retriable error only; after a broker restart it can
      // crash with a "non-retriable" one (no group coordinator yet) and would stay down for good.
      if (!restart) this.replaceConsumer(topic, handler, 1);
    });
    this.consumers.set(topic, consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.processBatch(topic, handler, payload),
    });
    this.options.logger.info({ topic, groupId }, 'consuming');
  }

  /** A fresh consumer for `topic` after a crash kafkajs does not recover from; retried until it runs. */
  private replaceConsumer(topic: string, handler: MessageHandler, round: number): void {
    if (this.stopping.signal.aborted) return;
    const delay = Math.min(10000, 500 * 2 ** Math.min(round - 1, 5));
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      if (this.stopping.signal.aborted) return;
      const old = this.consumers.get(topic);
      void (async () => {
        await old?.disconnect().catch(() => undefined);
        try {
          await this.startConsumer(topic, handler);
          // Closed meanwhile: the new consumer must not outlive the service.
          if (this.stopping.signal.aborted) await this.consumers.get(topic)?.disconnect();
          this.options.logger.warn({ topic, round }, 'kafka consumer replaced after a crash');
        } catch (error) {
          this.options.logger.error({ topic, round, err: error }, 'kafka consumer could not be replaced yet');
          this.replaceConsumer(topic, handler, round + 1);
        }
      })();
    }, delay);
    this.restarts.add(timer);
  }

  private toTopic(pattern: string): string {
    if (!(pattern in this.topics)) throw new Error(`@EventPattern('${pattern}') does not name a known topic`);
    return pattern;
  }

  private async processBatch(
    topic: string,
    handler: MessageHandler,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    const resolveOffset = (offset: string): void => payload.resolveOffset(offset);
    const heartbeat = (): Promise<void> => payload.heartbeat();
    const isRunning = (): boolean => payload.isRunning();
    const isStale = (): boolean => payload.isStale();
    const commitOffsetsIfNecessary = (): Promise<void> => payload.commitOffsetsIfNecessary();
    const batchMode = (handler.extras as TopicHandlerExtras | undefined)?.batch === true;
    const ready: { message: KafkaMessage; envelope: EventEnvelope }[] = [];
    const decoded = batch.messages.map((message) => this.decode(topic, message));
    const keyFor = await this.keysOfBatch(topic, decoded);

    for (const [index, message] of batch.messages.entries()) {
      if (!isRunning() || isStale()) return;
      const parsed = await this.parse(topic, decoded[index], keyFor);
      if (parsed instanceof InvalidMessageError) {
        // Resolve only once the dead letter is durable, so an invalid message is never lost.
        await this.deadLetter(topic, batch.partition, message, parsed, 1);
        if (!batchMode) resolveOffset(message.offset);
        continue;
      }
      if (batchMode) {
        ready.push({ message, envelope: parsed });
        continue;
      }
      const outcome = await this.handleWithRetry(
        topic,
        batch.partition,
        message,
        (attempt) =>
          this.invoke(handler, parsed, {
            topic,
            partition: batch.partition,
            offset: message.offset,
            attempt,
          }),
        heartbeat,
      );
      if (outcome === 'stopped') return;
      resolveOffset(message.offset);
      await heartbeat();
    }

    if (batchMode) {
      // A heartbeat that fails inside the handler means the group is rebalancing and this partition
      // may belong to another member now: stop, uncommitted, rather than take the batch on again.
      // Created only when a heartbeat fails (an Error captures a stack: not once per batch).
      let lost: PartitionLost | undefined;
      const ctx: KafkaEventContext = {
        topic,
        partition: batch.partition,
        offset: batch.lastOffset(),
        attempt: 1,
        heartbeat: () =>
          heartbeat().catch((error: unknown) => {
            lost = new PartitionLost(error);
            throw lost;
          }),
      };
      const keepGoing = async (): Promise<boolean> =>
        lost === undefined &&
        isRunning() &&
        !isStale() &&
        (await heartbeat().then(
          () => true,
          () => false,
        ));
      const outcome = await this.handleBatch(
        topic,
        batch.partition,
        handler,
        ready,
        ctx,
        heartbeat,
        keepGoing,
      );
      if (outcome === 'stopped') return;
      resolveOffset(batch.lastOffset());
    }
    await commitOffsetsIfNecessary();
  }

  /**
   * A batch handler that fails falls back to one message at a time, to isolate a poison message;
   * one that reports which of its events failed (BatchItemErrors) has only those taken on again.
   */
  private async handleBatch(
    topic: string,
    partition: number,
    handler: MessageHandler,
    items: { message: KafkaMessage; envelope: EventEnvelope }[],
    ctx: KafkaEventContext,
    heartbeat: () => Promise<void>,
    keepGoing: () => Promise<boolean>,
  ): Promise<Outcome> {
    if (items.length === 0) return 'handled';
    const started = process.hrtime.bigint();
    try {
      await this.invoke(
        handler,
        items.map((i) => i.envelope),
        ctx,
      );
      this.metrics?.handled.inc({ topic, outcome: 'handled' }, items.length);
      this.metrics?.duration.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
      return 'handled';
    } catch (error) {
      if (error instanceof PartitionLost || !(await keepGoing())) return 'stopped';
      if (error instanceof BatchItemErrors) {
        this.metrics?.handled.inc({ topic, outcome: 'handled' }, items.length - error.errors.size);
        return this.handleFailedItems(topic, partition, handler, items, error, ctx, heartbeat, keepGoing);
      }
      this.options.logger.warn(
        { topic, size: items.length, err: error },
        'batch failed; retrying one by one',
      );
    }
    for (const item of items) {
      const outcome = await this.handleWithRetry(
        topic,
        partition,
        item.message,
        (attempt) =>
          this.invokeAlone(handler, item.envelope, { ...ctx, offset: item.message.offset, attempt }),
        heartbeat,
      );
      // Partner calls can be slow: stay in the group between events, and stop if it moved on.
      if (outcome === 'stopped' || !(await keepGoing())) return 'stopped';
    }
    return 'handled';
  }

  /** The events a batch handler reported failed, each on its own, in the batch's order. */
  private async handleFailedItems(
    topic: string,
    partition: number,
    handler: MessageHandler,
    items: { message: KafkaMessage; envelope: EventEnvelope }[],
    failure: BatchItemErrors,
    ctx: KafkaEventContext,
    heartbeat: () => Promise<void>,
    keepGoing: () => Promise<boolean>,
  ): Promise<Outcome> {
    const failed = [...failure.errors].sort(([a], [b]) => a - b);
    let backedOff = false;
    for (const [index, error] of failed) {
      const item = items[index];
      if (!item) throw new Error(`a batch handler of ${topic} reported event ${index} of ${items.length}`);
      const transient = this.isTransient(error);
      if (!transient && (!isRetryable(error) || this.retry.maxAttempts <= 1)) {
        await this.deadLetter(topic, partition, item.message, error, 1);
        continue;
      }
      this.metrics?.retries.inc({ topic });
      this.options.logger.warn(
        { topic, partition, offset: item.message.offset, transient, code: errorCode(error), err: error },
        'an event of the batch failed; will retry it alone',
      );
      // The batch was the first attempt: back off once before the retries, as for a single event.
      if (!backedOff) {
        backedOff = true;
        if (!(await this.pause(backoffDelay(this.retry, 1)))) return 'stopped';
      }
      const outcome = await this.handleWithRetry(
        topic,
        partition,
        item.message,
        (attempt) =>
          this.invokeAlone(handler, item.envelope, { ...ctx, offset: item.message.offset, attempt }),
        heartbeat,
        transient ? 1 : 2,
      );
      if (outcome === 'stopped' || !(await keepGoing())) return 'stopped';
    }
    return 'handled';
  }

  /** The envelope of a message, its data not yet checked against the topic's schema. */
  private decode(topic: string, message: KafkaMessage): EventEnvelope | InvalidMessageError {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      return new InvalidMessageError('message value is not JSON');
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success)
      return new InvalidMessageError('envelope is invalid', issues(envelope.error.issues));
    const { eventType } = this.topics[topic];
    if (envelope.data.type !== eventType) {
      return new InvalidMessageError(`event type ${envelope.data.type} does not belong on ${topic}`);
    }
    return envelope.data;
  }

  /**
   * A decoded envelope checked against its topic's schema: its personal data opened with `keyFor`,
   * or, without it (mode `sealed`), checked with stand-ins and given back sealed.
   */
  private async parse(
    topic: string,
    envelope: EventEnvelope | InvalidMessageError,
    keyFor: KeyFor | undefined,
  ): Promise<EventEnvelope | InvalidMessageError> {
    if (envelope instanceof InvalidMessageError) return envelope;
    const { schema } = this.topics[topic];
    if (keyFor) {
      let opened: unknown;
      try {
        opened = await this.whileDependencyAway(topic, () => openPersonalData(topic, envelope.data, keyFor));
      } catch (error) {
        if (error instanceof PersonalDataErasedError) return new InvalidMessageError(error.message);
        return new InvalidMessageError('sealed personal data could not be opened');
      }
      const data = schema.safeParse(opened);
      if (!data.success)
        return new InvalidMessageError('event data is invalid', issues(data.error.issues, 'data'));
      return { ...envelope, data: data.data };
    }
    const { checkable, restore } = withStandIns(topic, envelope.data);
    const data = schema.safeParse(checkable);
    if (!data.success)
      return new InvalidMessageError('event data is invalid', issues(data.error.issues, 'data'));
    return { ...envelope, data: restore(data.data) };
  }

  /**
   * How this batch's events find their data keys: none (mode `sealed`); `keyFor`, one read per
   * event; or, with `keysFor`, every key the batch names read in one statement. Those are kept for
   * this batch only: an erasure deletes a key, and no copy may outlive its row for longer.
   */
  private async keysOfBatch(
    topic: string,
    decoded: (EventEnvelope | InvalidMessageError)[],
  ): Promise<KeyFor | undefined> {
    const personal = this.options.personalData;
    if (personal?.mode !== 'open') return undefined;
    const { keyFor, keysFor } = personal;
    const keyIds = new Set(
      decoded.flatMap((envelope) =>
        envelope instanceof InvalidMessageError ? [] : sealedKeyIds(topic, envelope.data),
      ),
    );
    if (!keysFor || keyIds.size === 0) return keyFor;
    try {
      const keys = await this.whileDependencyAway(topic, () => keysFor([...keyIds]));
      return (keyId) => Promise.resolve(keys.get(keyId) ?? null);
    } catch (error) {
      // Not an outage (a key that does not unwrap, say): each event reads its own keys, so only the
      // events whose key fails are dead-lettered, as without keysFor.
      this.options.logger.warn(
        { topic, err: error },
        "the batch's data keys could not be read together; reading them per event",
      );
      return keyFor;
    }
  }

  /** A database away while a key is read pauses the partition, like a handler's (never dead-letters). */
  private async whileDependencyAway<T>(topic: string, read: () => Promise<T>): Promise<T> {
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await read();
      } catch (error) {
        if (!this.isTransient(error)) throw error;
        this.options.logger.warn({ topic, err: error }, 'data key not readable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async handleWithRetry(
    topic: string,
    partition: number,
    message: KafkaMessage,
    run: (attempt: number) => Promise<void>,
    heartbeat: () => Promise<void>,
    firstAttempt = 1,
  ): Promise<Outcome> {
    let waits = 0;
    for (let attempt = firstAttempt; ;) {
      const started = process.hrtime.bigint();
      try {
        await run(attempt);
        this.metrics?.handled.inc({ topic, outcome: 'handled' });
        this.metrics?.duration.observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
        return 'handled';
      } catch (error) {
        waits++;
        const transient = this.isTransient(error);
        if (!transient && (!isRetryable(error) || attempt >= this.retry.maxAttempts)) {
          await this.deadLetter(topic, partition, message, error, attempt);
          return 'dead-lettered';
        }
        this.metrics?.retries.inc({ topic });
        this.options.logger.warn(
          {
            topic,
            partition,
            offset: message.offset,
            attempt,
            transient,
            code: errorCode(error),
            err: error,
          },
          transient ? 'a dependency is unavailable; waiting for it' : 'handler failed; will retry',
        );
        if (!transient) attempt++;
        // Stay in the group while waiting; a rebalance under way takes the partition elsewhere:
        // stop here, uncommitted, and let its next owner handle the message (handlers are idempotent).
        if (
          !(await heartbeat().then(
            () => true,
            () => false,
          ))
        )
          return 'stopped';
        if (!(await this.pause(backoffDelay(this.retry, Math.min(waits, 30))))) return 'stopped';
      }
    }
  }

  private async invoke(handler: MessageHandler, data: unknown, ctx: KafkaEventContext): Promise<void> {
    const result: unknown = await handler(data, ctx);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /** A batch handler given one event; the error it reports for that event is the error. */
  private async invokeAlone(handler: MessageHandler, envelope: EventEnvelope, ctx: KafkaEventContext) {
    try {
      await this.invoke(handler, [envelope], ctx);
    } catch (error) {
      if (error instanceof BatchItemErrors && error.errors.has(0)) throw error.errors.get(0);
      throw error;
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    if (topic === this.deadLetterTopic) {
      // Never a dead letter of a dead letter: a failing dead-letter consumer would feed itself.
      // The message stays in the dead-letter topic, at this offset, for a look by hand.
      this.metrics?.handled.inc({ topic, outcome: 'skipped' });
      this.options.logger.error(
        { topic, partition, offset: message.offset, code: errorCode(error), err: error, attempts },
        'a dead letter could not be handled; left in the dead-letter topic',
      );
      return;
    }
    const key = message.key?.toString('utf8') ?? null;
    const data: DeadLetter = {
      originalTopic: topic,
      partition,
      offset: message.offset,
      key,
      errorCode: errorCode(error),
      errorMessage: error instanceof Error ? error.message : String(error),
      details: error instanceof InvalidMessageError ? error.details : [],
      attempts,
      payload: message.value?.toString('utf8') ?? '',
    };
    const envelope = createEnvelope({
      id: `${topic}/${partition}/${message.offset}`,
      type: EVENT_TYPES[TOPICS.deadLetter],
      source: this.options.source,
      time: new Date(),
      subject: key ?? `${topic}/${partition}/${message.offset}`,
      data,
    });
    await this.options.publisher.publishEnvelopes(this.deadLetterTopic, [envelope]);
    this.metrics?.handled.inc({ topic, outcome: 'dead-lettered' });
    this.options.logger.error(
      { topic, partition, offset: message.offset, code: data.errorCode, reason: data.errorMessage, attempts },
      'message dead-lettered',
    );
  }

  /** Waits, unless the service is stopping; false means "stop now, leave the offset uncommitted". */
  private pause(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function issues(list: readonly { path: PropertyKey[]; message: string }[], prefix?: string) {
  return list.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(message)',
    message: i.message,
  }));
}
