import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pino from 'pino';
import { z } from 'zod';
import {
  createEnvelope,
  EventPublisher,
  KafkaTransport,
  PermanentHandlerError,
  RethrowRpcFilter,
  type EventEnvelope,
  type KafkaEventContext,
} from '@ixr/messaging';
import { waitFor } from './support/stack';
import { testEnvironment } from './support/test-env';

const TOPIC = 'ixr.test.transport';
const DLQ = 'ixr.test.dead-letter';
const EVENT_TYPE = 'ixr.test.event';

/** What the handler saw, and how it should behave per event id. */
const seen: { id: string; attempt: number }[] = [];
const failuresBeforeSuccess = new Map<string, number>();
const permanent = new Set<string>();
const slow = new Map<string, () => void>();
let slowStarted = false;

@Controller()
class ProbeController {
  @EventPattern(TOPIC)
  async handle(@Payload() event: EventEnvelope<{ n: number }>, @Ctx() ctx: KafkaEventContext): Promise<void> {
    seen.push({ id: event.id, attempt: ctx.attempt });
    if (permanent.has(event.id)) throw new PermanentHandlerError('TEST.REFUSED', 'refused for good');
    const failures = failuresBeforeSuccess.get(event.id) ?? 0;
    if (ctx.attempt <= failures) throw new Error(`transient failure ${ctx.attempt}`);
    if (event.id.startsWith('slow')) {
      slowStarted = true;
      await new Promise<void>((resolve) => slow.set(event.id, resolve));
    }
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/** The transport against the real broker: validation, bounded retries, dead letters, drain. */
describe('KafkaTransport', () => {
  const { brokers } = testEnvironment();
  const logger = pino({ level: 'silent' });
  const kafka = new Kafka({
    clientId: 'ixr-transport-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const publisher = new EventPublisher(kafka);
  const deadLetters: Record<string, unknown>[] = [];
  let dlqConsumer: Consumer;
  let app: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;
  let transport: KafkaTransport;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics();
    const missing = [TOPIC, DLQ].filter((t) => !existing.includes(t));
    if (missing.length)
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: 2 })),
      });
    await admin.disconnect();

    dlqConsumer = kafka.consumer({ groupId: `ixr-transport-test-dlq-${Date.now()}`, maxWaitTimeInMs: 100 });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: DLQ, fromBeginning: false });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        deadLetters.push(JSON.parse(message.value!.toString()) as Record<string, unknown>);
      },
    });

    transport = new KafkaTransport({
      kafka,
      groupId: `ixr-transport-test-${Date.now()}`,
      publisher,
      logger,
      source: 'test',
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      topics: { [TOPIC]: { eventType: EVENT_TYPE, schema: z.object({ n: z.number() }) } },
      deadLetterTopic: DLQ,
    });
    app = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule, {
      strategy: transport,
      logger: false,
    });
    app.useGlobalFilters(new RethrowRpcFilter());
    await app.listen();
    await waitFor(async () => transport.isReady(), 'the probe consumer to join its group');
  });

  afterAll(async () => {
    for (const release of slow.values()) release();
    await app?.close().catch(() => undefined);
    await dlqConsumer?.disconnect();
    await publisher.disconnect();
  });

  function send(id: string, data: unknown, type = EVENT_TYPE): Promise<void> {
    const envelope = createEnvelope({ id, type, source: 'test', time: new Date(), subject: id, data });
    return publisher.send([{ topic: TOPIC, key: id, value: JSON.stringify(envelope) }]);
  }

  function deadLetterOf(key: string) {
    return waitFor(
      async () =>
        deadLetters.find((d) => (d.data as { key: string }).key === key)?.data as Record<string, unknown>,
      `dead letter ${key}`,
    );
  }

  it('hands a valid event to the handler once', async () => {
    const id = `ok-${Date.now()}`;
    await send(id, { n: 1 });
    await waitFor(async () => seen.some((s) => s.id === id), 'the event to be handled');
    expect(seen.filter((s) => s.id === id)).toEqual([{ id, attempt: 1 }]);
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    const id = `flaky-${Date.now()}`;
    failuresBeforeSuccess.set(id, 2);
    await send(id, { n: 2 });
    await waitFor(async () => seen.filter((s) => s.id === id).length === 3, 'three attempts');
    expect(seen.filter((s) => s.id === id).map((s) => s.attempt)).toEqual([1, 2, 3]);
  });

  it('dead-letters after the bounded attempts, with the reason', async () => {
    const id = `broken-${Date.now()}`;
    failuresBeforeSuccess.set(id, 99);
    await send(id, { n: 3 });
    const letter = await deadLetterOf(id);
    expect(letter).toMatchObject({
      originalTopic: TOPIC,
      attempts: 3,
      errorCode: 'MESSAGING.HANDLER_FAILED',
    });
    expect(letter.errorMessage).toContain('transient failure 3');
  });

  it('dead-letters a permanent refusal at once', async () => {
    const id = `refused-${Date.now()}`;
    permanent.add(id);
    await send(id, { n: 4 });
    const letter = await deadLetterOf(id);
    expect(letter).toMatchObject({ attempts: 1, errorCode: 'TEST.REFUSED' });
    expect(seen.filter((s) => s.id === id)).toHaveLength(1);
  });

  it('dead-letters poison messages without calling the handler', async () => {
    const key = `poison-${Date.now()}`;
    await publisher.send([{ topic: TOPIC, key, value: '{not json' }]);
    const badData = `baddata-${Date.now()}`;
    await send(badData, { n: 'not a number' });
    const wrongType = `wrongtype-${Date.now()}`;
    await send(wrongType, { n: 5 }, 'ixr.other.event');

    expect(await deadLetterOf(key)).toMatchObject({
      errorCode: 'MESSAGING.INVALID_MESSAGE',
      errorMessage: 'message value is not JSON',
    });
    const data = await deadLetterOf(badData);
    expect(data.details).toEqual([expect.objectContaining({ path: 'data.n' })]);
    expect((await deadLetterOf(wrongType)).errorMessage).toContain('does not belong on');
    expect(seen.some((s) => [badData, wrongType].includes(s.id))).toBe(false);
  });

  it('drains in-flight work on close: the handler finishes before the consumer leaves', async () => {
    const id = `slow-${Date.now()}`;
    await send(id, { n: 6 });
    await waitFor(async () => slowStarted, 'the slow handler to start');
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    slow.get(id)!();
    await closing;
    expect(closed).toBe(true);
  });
});
