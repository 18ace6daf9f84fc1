import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { sampleRequestBody } from '@ixr/domain';
import { createEnvelope } from './envelope';
import type { EventPublisher } from './event-publisher';
import { BatchItemErrors, MessagingError, PermanentHandlerError } from './errors';
import { KafkaTransport, type KafkaTransportOptions } from './kafka.transport';
import { sealPersonalData } from './personal-data';
import { EVENT_TYPES, TOPICS } from './topics';

/** A stand-in for a kafkajs consumer: records its life and lets the test crash it. */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'group_join', CRASH: 'crash' };
  readonly log: string[] = [];
  eachBatch?: (payload: unknown) => Promise<void>;
  connect = () => this.step('connect');
  subscribe = () => this.step('subscribe');
  run = (options: { eachBatch: (payload: unknown) => Promise<void> }) => {
    this.eachBatch = options.eachBatch;
    return this.step('run');
  };
  stop = () => this.step('stop');
  disconnect = () => this.step('disconnect');

  private step(name: string): Promise<void> {
    this.log.push(name);
    return Promise.resolve();
  }

  crash(restart: boolean): void {
    this.emit(this.events.CRASH, {
      payload: { error: new Error('Failed to find group coordinator'), restart },
    });
  }

  join(): void {
    this.emit(this.events.GROUP_JOIN, {});
  }
}

function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** The longest wait before a crashed consumer is replaced (KafkaTransport.replaceConsumer). */
const REPLACEMENT_DELAY_MAX_MS = 10_000;

describe('KafkaTransport consumers', () => {
  let created: FakeConsumer[];
  let transport: KafkaTransport;

  beforeEach(async () => {
    created = [];
    const kafka = {
      consumer: () => {
        const consumer = new FakeConsumer();
        created.push(consumer);
        return consumer;
      },
    } as unknown as Kafka;
    transport = new KafkaTransport({
      kafka,
      groupId: 'ixr-test',
      publisher: {} as EventPublisher,
      logger: pino({ level: 'silent' }),
      source: 'test',
    });
    transport.addHandler(TOPICS.requestReceived, () => Promise.resolve(), true);
    await new Promise<void>((resolve, reject) =>
      transport.listen((error?: unknown) =>
        error ? reject(new Error('listen failed', { cause: error })) : resolve(),
      ),
    );
  });
  afterEach(async () => {
    jest.useRealTimers();
    await transport.close();
  });

  it('is ready once its consumer joined the group', () => {
    expect(transport.isReady()).toBe(false);
    created[0].join();
    expect(transport.isReady()).toBe(true);
  });

  it('replaces a consumer that crashed for good, and is ready again once the new one joins', async () => {
    created[0].join();
    created[0].crash(false);
    expect(transport.isReady()).toBe(false);
    await until(() => created.length === 2 && created[1].log.includes('run'));
    expect(created[0].log).toContain('disconnect');
    created[1].join();
    expect(transport.isReady()).toBe(true);
  });

  // The replacement waits on a timer (0.5 s to 10 s): fake timers let the whole longest delay pass
  // at once, so "nothing was replaced" is shown without sleeping.
  it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
    jest.useFakeTimers();
    created[0].crash(true);
    await jest.advanceTimersByTimeAsync(REPLACEMENT_DELAY_MAX_MS);
    expect(created).toHaveLength(1);
  });

  it('replaces a consumer once the delay has passed, not before', async () => {
    jest.useFakeTimers();
    created[0].crash(false);
    await jest.advanceTimersByTimeAsync(400);
    expect(created).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(REPLACEMENT_DELAY_MAX_MS);
    expect(created).toHaveLength(2);
  });

  it('replaces nothing once closing', async () => {
    jest.useFakeTimers();
    created[0].crash(false);
    await transport.close();
    await jest.advanceTimersByTimeAsync(REPLACEMENT_DELAY_MAX_MS);
    expect(created).toHaveLength(1);
  });
});

describe('KafkaTransport retries', () => {
  const envelope = (id: string) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      type: 'ixr.test',
      source: 'test',
      time: '2026-01-01T00:00:00Z',
      subject: 'r-1',
      correlationid: 'r-1',
      datacontenttype: 'application/json',
      data: {},
    });

  async function deliver(failures: Error[]) {
    const published: unknown[] = [];
    let consumer: FakeConsumer | undefined;
    const transport = new KafkaTransport({
      kafka: { consumer: () => (consumer = new FakeConsumer()) } as unknown as Kafka,
      groupId: 'ixr-test',
      publisher: {
        publishEnvelopes: (_topic: string, list: unknown[]) => {
          published.push(...list);
          return Promise.resolve();
        },
      } as unknown as EventPublisher,
      logger: pino({ level: 'silent' }),
      source: 'test',
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
      topics: {
        'ixr.test': {
          eventType: 'ixr.test',
          schema: { safeParse: (d: unknown) => ({ success: true, data: d }) } as never,
        },
      },
    });
    const attempts: number[] = [];
    transport.addHandler(
      'ixr.test',
      (_event: unknown, ctx: { attempt: number }) => {
        attempts.push(ctx.attempt);
        const failure = failures.shift();
        return failure ? Promise.reject(failure) : Promise.resolve();
      },
      true,
    );
    await new Promise<void>((resolve) => transport.listen(() => resolve()));
    const resolved: string[] = [];
    await consumer!.eachBatch!({
      batch: {
        topic: 'ixr.test',
        partition: 0,
        messages: [{ offset: '7', key: Buffer.from('r-1'), value: Buffer.from(envelope('e-1')) }],
        lastOffset: () => '7',
      },
      resolveOffset: (o: string) => resolved.push(o),
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => false,
      commitOffsetsIfNecessary: () => Promise.resolve(),
    });
    await transport.close();
    return { attempts, published, resolved };
  }

  it('dead-letters a message that keeps failing, after the bounded attempts', async () => {
    const { attempts, published, resolved } = await deliver([
      new Error('boom'),
      new Error('boom'),
      new Error('boom'),
    ]);
    expect(attempts).toEqual([1, 2]);
    expect(published).toHaveLength(1);
    expect(resolved).toEqual(['7']);
  });

  it('waits out a database outage without spending attempts or dead-lettering', async () => {
    const outage = () => Object.assign(new Error('Connection terminated unexpectedly'), {});
    const { attempts, published, resolved } = await deliver([
      outage(),
      outage(),
      outage(),
      outage(),
      new Error('once'),
    ]);
    // Four outage errors at attempt 1, then one real failure (attempt 1 → 2), then success.
    expect(attempts).toEqual([1, 1, 1, 1, 1, 2]);
    expect(published).toHaveLength(0);
    expect(resolved).toEqual(['7']);
  });
});

describe('KafkaTransport batch handlers', () => {
  const envelope = (id: string) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      type: 'ixr.test',
      source: 'test',
      time: '2026-01-01T00:00:00Z',
      subject: 'r-1',
      correlationid: 'r-1',
      datacontenttype: 'application/json',
      data: {},
    });

  /** A batch of three events to a batch handler that answers each call with the next reply. */
  async function deliverBatch(
    replies: ((ids: string[]) => Error | undefined)[],
    group: { heartbeat?: () => Promise<void>; handlerHeartbeats?: boolean } = {},
  ) {
    const published: { data: { errorCode: string; offset: string } }[] = [];
    let consumer: FakeConsumer | undefined;
    const transport = new KafkaTransport({
      kafka: { consumer: () => (consumer = new FakeConsumer()) } as unknown as Kafka,
      groupId: 'ixr-test',
      publisher: {
        publishEnvelopes: (_topic: string, list: never[]) => {
          published.push(...list);
          return Promise.resolve();
        },
      } as unknown as EventPublisher,
      logger: pino({ level: 'silent' }),
      source: 'test',
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      topics: {
        'ixr.test': {
          eventType: 'ixr.test',
          schema: { safeParse: (d: unknown) => ({ success: true, data: d }) } as never,
        },
      },
    });
    const calls: string[] = [];
    const handler = async (
      events: { id: string }[],
      ctx: { attempt: number; heartbeat?: () => Promise<void> },
    ) => {
      const ids = events.map((e) => e.id);
      calls.push(`${ids.join('+')}@${ctx.attempt}`);
      if (group.handlerHeartbeats) await ctx.heartbeat?.();
      const failure = replies.shift()?.(ids);
      if (failure) throw failure;
    };
    transport.addHandler('ixr.test', handler as never, true, { batch: true });
    await new Promise<void>((resolve) => transport.listen(() => resolve()));
    const resolved: string[] = [];
    await consumer!.eachBatch!({
      batch: {
        topic: 'ixr.test',
        partition: 0,
        messages: ['e-1', 'e-2', 'e-3'].map((id, i) => ({
          offset: String(i + 10),
          key: Buffer.from('k'),
          value: Buffer.from(envelope(id)),
        })),
        lastOffset: () => '12',
      },
      resolveOffset: (o: string) => resolved.push(o),
      heartbeat: group.heartbeat ?? (() => Promise.resolve()),
      isRunning: () => true,
      isStale: () => false,
      commitOffsetsIfNecessary: () => Promise.resolve(),
    });
    await transport.close();
    return { calls, published, resolved };
  }

  it('takes on again only the events the handler reports failed, from attempt 2', async () => {
    const { calls, published, resolved } = await deliverBatch([
      () =>
        new BatchItemErrors(
          new Map<number, unknown>([
            [2, new Error('partner busy')],
            [0, new PermanentHandlerError('TEST.UNKNOWN', 'no such thing')],
          ]),
        ),
      // e-3 alone fails once more, reported the same way, then succeeds.
      () => new BatchItemErrors(new Map([[0, new Error('still busy')]])),
    ]);
    expect(calls).toEqual(['e-1+e-2+e-3@1', 'e-3@2', 'e-3@3']);
    expect(published.map((p) => [p.data.offset, p.data.errorCode])).toEqual([['10', 'TEST.UNKNOWN']]);
    expect(resolved).toEqual(['12']);
  });

  it('dead-letters a reported event that keeps failing with the error it reported', async () => {
    const busy = () => new BatchItemErrors(new Map([[0, new SendLikeRetry('partner busy')]]));
    const { calls, published } = await deliverBatch([
      () => new BatchItemErrors(new Map([[1, new SendLikeRetry('partner busy')]])),
      busy,
      busy,
    ]);
    expect(calls).toEqual(['e-1+e-2+e-3@1', 'e-2@2', 'e-2@3']);
    expect(published.map((p) => [p.data.offset, p.data.errorCode])).toEqual([['11', 'TEST.RETRY']]);
  });

  it('stops, uncommitted, when a heartbeat inside the batch handler fails (the group rebalances)', async () => {
    const { calls, resolved, published } = await deliverBatch([], {
      heartbeat: () => Promise.reject(new Error('The group is rebalancing')),
      handlerHeartbeats: true,
    });
    // Not taken on again one by one on a partition that may belong to another member now.
    expect(calls).toEqual(['e-1+e-2+e-3@1']);
    expect(resolved).toEqual([]);
    expect(published).toEqual([]);
  });

  it('heartbeats between the events it takes on alone, and stops when the group moved on', async () => {
    let beats = 0;
    const { calls, resolved } = await deliverBatch([() => new Error('boom')], {
      heartbeat: () => (++beats <= 2 ? Promise.resolve() : Promise.reject(new Error('rebalancing'))),
    });
    // beat 1 after the batch failed, beat 2 after e-1 alone; beat 3 fails after e-2: stop there.
    expect(calls).toEqual(['e-1+e-2+e-3@1', 'e-1@1', 'e-2@1']);
    expect(resolved).toEqual([]);
  });

  it('falls back to one event at a time when the whole batch fails', async () => {
    const { calls, published } = await deliverBatch([() => new Error('boom')]);
    expect(calls).toEqual(['e-1+e-2+e-3@1', 'e-1@1', 'e-2@1', 'e-3@1']);
    expect(published).toHaveLength(0);
  });
});

class SendLikeRetry extends MessagingError {
  constructor(message: string) {
    super('TEST.RETRY', message, true);
  }
}

describe('KafkaTransport opening personal data', () => {
  const requestIds = [1, 2, 3].map((n) => `7d1f2c3a-1b2c-4d5e-8f90-12345678900${n}`);
  const keys = new Map(requestIds.map((id) => [id, randomBytes(32)]));
  const subjects = [{ type: 'person' as const, name: 'Ottoline Vandermeer', dateOfBirth: '1968-02-29' }];

  /** A request's `received` event, its subjects and free text sealed under the request's key. */
  async function sealedMessage(requestId: string, offset: number) {
    const data = await sealPersonalData(
      TOPICS.requestReceived,
      {
        requestId,
        actor: { person: 'p', unit: 'PZ-5339', role: 'requester' },
        receivedAt: '2026-03-01T10:00:00.000Z',
        body: { ...sampleRequestBody(), subjects },
      },
      (keyId) => Promise.resolve(keys.get(keyId)!),
    );
    const envelope = createEnvelope({
      id: `e-${offset}`,
      type: EVENT_TYPES[TOPICS.requestReceived],
      source: 'test',
      time: '2026-03-01T10:00:00.000Z',
      subject: requestId,
      data,
    });
    return {
      offset: String(offset),
      key: Buffer.from(requestId),
      value: Buffer.from(JSON.stringify(envelope)),
    };
  }

  /** The three requests' events as one batch to a transport that opens personal data. */
  async function deliverSealed(personalData: KafkaTransportOptions['personalData']) {
    const published: { data: { offset: string; errorMessage: string } }[] = [];
    let consumer: FakeConsumer | undefined;
    const transport = new KafkaTransport({
      kafka: { consumer: () => (consumer = new FakeConsumer()) } as unknown as Kafka,
      groupId: 'ixr-test',
      publisher: {
        publishEnvelopes: (_topic: string, list: never[]) => {
          published.push(...list);
          return Promise.resolve();
        },
      } as unknown as EventPublisher,
      logger: pino({ level: 'silent' }),
      source: 'test',
      personalData,
    });
    const handled: { requestId: string; subjects: unknown }[] = [];
    transport.addHandler(
      TOPICS.requestReceived,
      (event: { data: { requestId: string; body: { subjects: unknown } } }) => {
        handled.push({ requestId: event.data.requestId, subjects: event.data.body.subjects });
        return Promise.resolve();
      },
      true,
    );
    await new Promise<void>((resolve) => transport.listen(() => resolve()));
    const messages = await Promise.all(requestIds.map((id, i) => sealedMessage(id, i + 20)));
    const resolved: string[] = [];
    await consumer!.eachBatch!({
      batch: { topic: TOPICS.requestReceived, partition: 0, messages, lastOffset: () => '22' },
      resolveOffset: (o: string) => resolved.push(o),
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => false,
      commitOffsetsIfNecessary: () => Promise.resolve(),
    });
    await transport.close();
    return { handled, published, resolved };
  }

  const present = (ids: string[], except?: string) =>
    new Map(ids.filter((id) => id !== except).map((id) => [id, keys.get(id)!]));
  const noKeyFor = () => jest.fn(() => Promise.reject(new Error('keyFor read a key of the batch alone')));

  it('reads the keys of a whole batch in one call, never one per event', async () => {
    const keyFor = noKeyFor();
    const keysFor = jest.fn((ids: string[]) => Promise.resolve(present(ids)));
    const { handled, published, resolved } = await deliverSealed({ mode: 'open', keyFor, keysFor });
    expect(keysFor).toHaveBeenCalledTimes(1);
    expect([...keysFor.mock.calls[0][0]].sort()).toEqual(requestIds);
    expect(keyFor).not.toHaveBeenCalled();
    expect(handled).toEqual(requestIds.map((requestId) => ({ requestId, subjects })));
    expect(published).toEqual([]);
    expect(resolved).toEqual(['20', '21', '22']);
  });

  it('dead-letters only the event whose key is gone (erased), as without keysFor', async () => {
    const erased = requestIds[1];
    const { handled, published, resolved } = await deliverSealed({
      mode: 'open',
      keyFor: noKeyFor(),
      keysFor: (ids) => Promise.resolve(present(ids, erased)),
    });
    expect(handled.map((h) => h.requestId)).toEqual([requestIds[0], requestIds[2]]);
    expect(published.map((p) => [p.data.offset, p.data.errorMessage])).toEqual([
      ['21', `the personal data of ${erased} was erased: its key is gone`],
    ]);
    expect(resolved).toEqual(['20', '21', '22']);
  });

  it('waits out a database away while the keys are read, dead-lettering nothing', async () => {
    const keysFor = jest
      .fn((ids: string[]) => Promise.resolve(present(ids)))
      .mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    const { handled, published } = await deliverSealed({ mode: 'open', keyFor: noKeyFor(), keysFor });
    expect(keysFor).toHaveBeenCalledTimes(2);
    expect(handled.map((h) => h.requestId)).toEqual(requestIds);
    expect(published).toEqual([]);
  });

  it('reads key by key when the batch read fails for another reason, or without keysFor', async () => {
    const erased = requestIds[2];
    const keyFor = jest.fn((id: string) => Promise.resolve(id === erased ? null : keys.get(id)!));
    const failing = await deliverSealed({
      mode: 'open',
      keyFor,
      keysFor: () => Promise.reject(new Error('a key does not open with DATA_KEY_MASTER')),
    });
    expect(keyFor).toHaveBeenCalledTimes(3);
    expect(failing.handled.map((h) => h.requestId)).toEqual(requestIds.slice(0, 2));
    expect(failing.published.map((p) => p.data.offset)).toEqual(['22']);
    keyFor.mockClear();
    const alone = await deliverSealed({ mode: 'open', keyFor });
    expect(keyFor).toHaveBeenCalledTimes(3);
    expect(alone.published.map((p) => p.data.offset)).toEqual(['22']);
  });
});
