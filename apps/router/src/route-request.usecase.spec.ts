import { configureDataKeys, InMemoryDataKeys } from '@ixr/persistence';
import { sampleRequestBody } from '@ixr/domain';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import {
  BatchItemErrors,
  createEnvelope,
  EVENT_TYPES,
  PermanentHandlerError,
  TOPICS,
  type EventEnvelope,
  type OutboxRelay,
  type RequestReceived,
  type RequestRouted,
} from '@ixr/messaging';
import { ALL_CIRCUITS_CLOSED, defaultDirectory, defaultRuleset, evaluate } from '@ixr/routing';
import { MAX_ROUTING_GROUP, RouteRequestUseCase, type RoutingPolicy } from './route-request.usecase';
import type { RouteMark, RoutedRequest, RoutedRequestStore } from './routed-requests.store';

const NOW = new Date('2026-01-05T10:00:01.000Z');

/**
 * A strict fake of the store that keeps the database's rules: a processed-event record is made
 * once, a request is routed once, an unknown request is refused. Writes land only at commit, so
 * a failed transaction leaves nothing.
 */
function setup(options: {
  requests: string[];
  routed?: string[];
  processed?: string[];
  undecidable?: string[];
}) {
  const calls: string[] = [];
  const db = {
    processed: new Set(options.processed ?? []),
    requests: new Map(options.requests.map((id) => [id, { routed: options.routed?.includes(id) ?? false }])),
    deliveries: [] as { requestId: string; deliveryId: string }[],
    milestones: [] as { requestId: string; milestone: string }[],
    outbox: [] as EventEnvelope<RequestRouted>[],
  };
  let pending: (() => void)[] = [];
  const manager = {
    query: (sql: string, params: unknown[]) => {
      if (!sql.startsWith('INSERT INTO outbox')) throw new Error(`unexpected statement: ${sql}`);
      const rows: EventEnvelope<RequestRouted>[] = [];
      for (let i = 0; i < params.length; i += 3)
        rows.push(JSON.parse(params[i + 2] as string) as EventEnvelope<RequestRouted>);
      calls.push(`outbox ${rows.map((r) => r.data.requestId).join(',')}`);
      pending.push(() => db.outbox.push(...rows));
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  const dataSource = {
    transaction: async (run: (m: EntityManager) => unknown) => {
      pending = [];
      calls.push('begin');
      const result = await run(manager);
      for (const write of pending) write();
      calls.push('commit');
      return result;
    },
  } as unknown as DataSource;
  const store = {
    claimEvents: (_m: EntityManager, ids: string[]) => {
      calls.push(`claim ${ids.join(',')}`);
      const fresh = ids.filter((id) => !db.processed.has(id));
      pending.push(() => fresh.forEach((id) => db.processed.add(id)));
      return Promise.resolve(new Set(fresh));
    },
    releaseEvents: (_m: EntityManager, ids: string[]) => {
      if (ids.length > 0) calls.push(`release ${ids.join(',')}`);
      pending.push(() => ids.forEach((id) => db.processed.delete(id)));
      return Promise.resolve();
    },
    markRouted: (_m: EntityManager, requests: RoutedRequest[]) => {
      calls.push(`route ${requests.map((r) => r.requestId).join(',')}`);
      const marks = new Map<string, RouteMark>();
      for (const { requestId } of requests) {
        const row = db.requests.get(requestId);
        marks.set(requestId, !row ? 'unknown' : row.routed ? 'routed-already' : 'routed');
        if (row && !row.routed) pending.push(() => (row.routed = true));
      }
      return Promise.resolve(marks);
    },
    insertDeliveries: (_m: EntityManager, requests: RoutedRequest[]) => {
      const rows = requests.flatMap((r) => r.deliveries.map((d) => ({ requestId: r.requestId, ...d })));
      calls.push(`deliveries ${requests.map((r) => r.requestId).join(',')}`);
      pending.push(() => db.deliveries.push(...rows));
      return Promise.resolve();
    },
    insertMilestones: (_m: EntityManager, requests: RoutedRequest[]) => {
      const rows = requests.flatMap((r) => r.milestones.map((m) => ({ requestId: r.requestId, ...m })));
      calls.push(`milestones ${requests.map((r) => r.requestId).join(',')}`);
      pending.push(() => db.milestones.push(...rows));
      return Promise.resolve();
    },
  } as unknown as RoutedRequestStore;
  const relay = { nudge: () => calls.push('nudge') } as unknown as OutboxRelay;
  const policy: RoutingPolicy = {
    decide: (input, now) => {
      if (options.undecidable?.includes(input.requestId)) {
        return Promise.reject(new Error(`no decision for ${input.requestId}`));
      }
      const decision = evaluate(
        input,
        defaultRuleset(),
        { ...defaultDirectory(), spocUnit: 'CGI-SPOC' },
        ALL_CIRCUITS_CLOSED,
        now,
      );
      return Promise.resolve({
        decision,
        rulesetHash: 'hash-1',
        directoryVersion: 'dir-1',
        channelHealth: ALL_CIRCUITS_CLOSED,
      });
    },
  };
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        warnings.push(chunk.toString());
        done();
      },
    }),
  );
  let n = 0;
  const ids = { uuid: () => `id-${++n}` };
  const usecase = new RouteRequestUseCase(dataSource, relay, store, { now: () => NOW }, ids, policy, logger);
  return { usecase, calls, db, warnings };
}

function received(requestId: string, eventId = `ev-${requestId}`): EventEnvelope<RequestReceived> {
  return createEnvelope({
    id: eventId,
    type: EVENT_TYPES[TOPICS.requestReceived],
    source: 'ixr/intake-api',
    time: '2026-01-05T10:00:00.000Z',
    subject: requestId,
    correlationId: `corr-${requestId}`,
    data: {
      requestId,
      actor: { person: 'officer-1', unit: 'PZ-5339', role: 'officer' },
      receivedAt: '2026-01-05T10:00:00.000Z',
      body: sampleRequestBody(),
    },
  });
}

/** The errors a batch reported, by index, or none. */
async function failures(run: Promise<void>): Promise<Map<number, unknown>> {
  try {
    await run;
    return new Map();
  } catch (error) {
    if (!(error instanceof BatchItemErrors)) throw error;
    return new Map(error.errors);
  }
}

describe('RouteRequestUseCase in batches', () => {
  // Personal data in the events is sealed (SPEC §10): under keys kept in memory here.
  const dataKeys = new InMemoryDataKeys();
  beforeAll(() => configureDataKeys(dataKeys));

  it('routes a batch in one transaction: decisions, deliveries, milestones, one routed event each', async () => {
    const { usecase, calls, db } = setup({ requests: ['r1', 'r2', 'r3'] });
    await usecase.execute([received('r1'), received('r2'), received('r3')]);
    expect(calls).toEqual([
      'begin',
      'claim ev-r1,ev-r2,ev-r3',
      'route r1,r2,r3',
      'deliveries r1,r2,r3',
      'milestones r1,r2,r3',
      'outbox r1,r2,r3',
      'commit',
      'nudge',
    ]);
    expect(db.outbox.map((e) => e.data.requestId)).toEqual(['r1', 'r2', 'r3']);
    const routed = db.outbox[0];
    // What the exchange log records and replay re-runs: the received input and the decision time.
    expect(routed).toMatchObject({
      type: EVENT_TYPES[TOPICS.requestRouted],
      time: NOW.toISOString(),
      correlationid: 'corr-r1',
      data: {
        requestId: 'r1',
        rulesetHash: 'hash-1',
        directoryVersion: 'dir-1',
        input: { receivedEventId: 'ev-r1', receivedAt: '2026-01-05T10:00:00.000Z' },
      },
    });
    expect(routed.data.decision.decidedAt).toBe(NOW.toISOString());
    // The planned deliveries in the event are the rows stored.
    for (const event of db.outbox) {
      expect(event.data.deliveries.length).toBeGreaterThan(0);
      expect(
        db.deliveries.filter((d) => d.requestId === event.data.requestId).map((d) => d.deliveryId),
      ).toEqual(event.data.deliveries.map((d) => d.deliveryId));
    }
    expect(db.milestones.filter((m) => m.requestId === 'r1').length).toBeGreaterThan(0);
  });

  it('skips the events handled already: redelivered, they change nothing', async () => {
    const { usecase, calls, db } = setup({ requests: ['r1', 'r2', 'r3'], processed: ['ev-r1', 'ev-r3'] });
    await usecase.execute([received('r1'), received('r2'), received('r3')]);
    expect(calls).toContain('route r2');
    expect(db.outbox.map((e) => e.data.requestId)).toEqual(['r2']);
    expect(new Set(db.deliveries.map((d) => d.requestId))).toEqual(new Set(['r2']));

    // The whole batch again: nothing more is written, nothing announced.
    const before = { outbox: db.outbox.length, deliveries: db.deliveries.length };
    calls.length = 0;
    await usecase.execute([received('r1'), received('r2'), received('r3')]);
    expect(db.outbox.length).toBe(before.outbox);
    expect(db.deliveries.length).toBe(before.deliveries);
    expect(calls).not.toContain('nudge');
  });

  it('handles an event that appears twice in the batch once', async () => {
    const { usecase, calls, db } = setup({ requests: ['r1', 'r2'] });
    await usecase.execute([received('r1'), received('r2'), received('r1')]);
    expect(calls).toContain('claim ev-r1,ev-r2');
    expect(db.outbox.map((e) => e.data.requestId)).toEqual(['r1', 'r2']);
  });

  it('routes a request once: a second received event for it, alone or in the same batch, changes nothing', async () => {
    const { usecase, db, warnings } = setup({ requests: ['r1', 'r2'], routed: ['r1'] });
    await usecase.execute([received('r1', 'ev-again'), received('r2', 'ev-a'), received('r2', 'ev-b')]);
    expect(db.outbox.map((e) => e.data.input.receivedEventId)).toEqual(['ev-a']);
    expect(new Set(db.deliveries.map((d) => d.requestId))).toEqual(new Set(['r2']));
    // Their events are done (no retry), and an operator can see why nothing came of them.
    expect([...db.processed].sort()).toEqual(['ev-a', 'ev-again', 'ev-b']);
    expect(warnings.join('')).toMatch(/"requestId":"r1".*request already routed/);
    expect(warnings.join('')).toMatch(/"eventId":"ev-b".*request already routed/);
  });

  it('reports an unknown request alone, with nothing of it kept, while the others commit', async () => {
    const { usecase, calls, db } = setup({ requests: ['r1', 'r3'] });
    const failed = await failures(usecase.execute([received('r1'), received('r2'), received('r3')]));
    expect([...failed.keys()]).toEqual([1]);
    expect(failed.get(1)).toBeInstanceOf(PermanentHandlerError);
    expect((failed.get(1) as PermanentHandlerError).code).toBe('ROUTING.UNKNOWN_REQUEST');
    expect(calls).toEqual([
      'begin',
      'claim ev-r1,ev-r2,ev-r3',
      'route r1,r2,r3',
      'release ev-r2',
      'deliveries r1,r3',
      'milestones r1,r3',
      'outbox r1,r3',
      'commit',
      'nudge',
    ]);
    expect(db.outbox.map((e) => e.data.requestId)).toEqual(['r1', 'r3']);
    // Its record is taken back: a re-drive, once the request exists, is handled.
    expect(db.processed.has('ev-r2')).toBe(false);
  });

  it('reports an event whose decision cannot be made alone; the others commit', async () => {
    const { usecase, db } = setup({ requests: ['r1', 'r2', 'r3'], undecidable: ['r1'] });
    const failed = await failures(usecase.execute([received('r1'), received('r2'), received('r3')]));
    expect([...failed.keys()]).toEqual([0]);
    expect((failed.get(0) as Error).message).toBe('no decision for r1');
    expect(db.outbox.map((e) => e.data.requestId)).toEqual(['r2', 'r3']);
    expect(db.processed.has('ev-r1')).toBe(false);
    expect(db.requests.get('r1')?.routed).toBe(false);
  });

  it('writes nothing and nudges nobody when every event fails', async () => {
    const { usecase, calls } = setup({ requests: [], undecidable: ['r1'] });
    const failed = await failures(usecase.execute([received('r1'), received('r2')]));
    expect([...failed.keys()]).toEqual([0, 1]);
    expect(calls).not.toContain('nudge');
  });

  it('splits a very large batch into transactions and stays in the consumer group between them', async () => {
    const count = MAX_ROUTING_GROUP + 2;
    const requests = Array.from({ length: count }, (_, i) => `r${i}`);
    const { usecase, calls, db } = setup({ requests: requests.filter((r) => r !== 'r1') });
    let heartbeats = 0;
    const failed = await failures(
      usecase.execute(
        requests.map((r) => received(r)),
        {
          topic: TOPICS.requestReceived,
          partition: 0,
          offset: '0',
          attempt: 1,
          heartbeat: () => Promise.resolve(void heartbeats++),
        },
      ),
    );
    expect(calls.filter((c) => c === 'begin')).toHaveLength(2);
    expect(heartbeats).toBe(1);
    expect([...failed.keys()]).toEqual([1]);
    expect(db.outbox).toHaveLength(count - 1);
  });
});
