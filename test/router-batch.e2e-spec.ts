import { sampleRequestBody } from '@ixr/domain';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import {
  BatchItemErrors,
  createEnvelope,
  EVENT_TYPES,
  PermanentHandlerError,
  TOPICS,
  type EventEnvelope,
  type OutboxRelay,
  type RequestReceived,
} from '@ixr/messaging';
import {
  configureDataKeys,
  createDataSource,
  DataKeyVault,
  DEVELOPMENT_DATA_KEY_MASTER,
} from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { ALL_CIRCUITS_CLOSED, defaultDirectory, defaultRuleset, evaluate } from '@ixr/routing';
import { RouteRequestUseCase, type RoutingPolicy } from '../apps/router/src/route-request.usecase';
import { RoutedRequestStore } from '../apps/router/src/routed-requests.store';
import { testEnvironment } from './support/test-env';

/**
 * The router's batch against the real PostgreSQL, without the rest of the stack: the set-based
 * statements keep the rules the unit tests fake (an event handled once, a request routed once, an
 * unknown request refused with nothing of it kept), also when two routers race for one request.
 */
const CONSUMER = 'router';
const BODY: RequestReceived['body'] = sampleRequestBody({ targetCountries: ['NL', 'US'] });

const policy: RoutingPolicy = {
  decide: (input, now) =>
    Promise.resolve({
      decision: evaluate(
        input,
        defaultRuleset(),
        { ...defaultDirectory(), spocUnit: 'CGI-SPOC' },
        ALL_CIRCUITS_CLOSED,
        now,
      ),
      rulesetHash: 'hash-test',
      directoryVersion: 'dir-test',
      channelHealth: ALL_CIRCUITS_CLOSED,
    }),
};

let dataSource: DataSource;
let nudges = 0;

function router(): RouteRequestUseCase {
  const relay = { nudge: () => void nudges++ } as unknown as OutboxRelay;
  return new RouteRequestUseCase(
    dataSource,
    relay,
    new RoutedRequestStore(CONSUMER),
    new Clock(),
    new IdGenerator(),
    policy,
    pino({ level: 'silent' }),
  );
}

/** Every request this file stores, removed again at the end with all that routing made of it. */
const storedIds: string[] = [];

async function storedRequest(): Promise<string> {
  const id = randomUUID();
  storedIds.push(id);
  await dataSource.query(
    `INSERT INTO requests (id, requesting_unit, requested_by, mission_type, body, body_hash, status, received_at)
     VALUES ($1, 'PZ-5339', 'officer-1', 'judicial', $2, 'hash', 'received', '2026-01-05T10:00:00Z')`,
    [id, JSON.stringify(BODY)],
  );
  return id;
}

function received(requestId: string, eventId: string = randomUUID()): EventEnvelope<RequestReceived> {
  return createEnvelope<RequestReceived>({
    id: eventId,
    type: EVENT_TYPES[TOPICS.requestReceived],
    source: 'test/router-batch',
    time: '2026-01-05T10:00:00.000Z',
    subject: requestId,
    data: {
      requestId,
      actor: { person: 'officer-1', unit: 'PZ-5339', role: 'officer' },
      receivedAt: '2026-01-05T10:00:00.000Z',
      body: BODY,
    },
  });
}

async function failures(run: Promise<void>): Promise<Map<number, unknown>> {
  try {
    await run;
    return new Map();
  } catch (error) {
    if (!(error instanceof BatchItemErrors)) throw error;
    return new Map(error.errors);
  }
}

/** What the database holds of these requests, counted per request. */
async function stored(requestIds: string[]) {
  const count = async (sql: string) => {
    const rows: { id: string; n: string }[] = await dataSource.query(sql, [requestIds]);
    return Object.fromEntries(rows.map((r) => [r.id, Number(r.n)]));
  };
  return {
    routed: await count(
      // The router's own record (the intake stores the decision in requests from the routed event).
      `SELECT request_id AS id, count(*) AS n FROM routed_requests WHERE request_id = ANY($1)
         AND routed_at IS NOT NULL AND deadline_basis IS NOT NULL GROUP BY request_id`,
    ),
    deliveries: await count(
      `SELECT request_id AS id, count(*) AS n FROM deliveries WHERE request_id = ANY($1) AND status = 'pending'
         GROUP BY request_id`,
    ),
    milestones: await count(
      `SELECT request_id AS id, count(*) AS n FROM deadline_milestones WHERE request_id = ANY($1) GROUP BY request_id`,
    ),
    routedEvents: await count(
      `SELECT key AS id, count(*) AS n FROM outbox WHERE topic = '${TOPICS.requestRouted}' AND key = ANY($1::text[])
         GROUP BY key`,
    ),
  };
}

async function processed(eventIds: string[]): Promise<string[]> {
  const rows: { event_id: string }[] = await dataSource.query(
    `SELECT event_id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2) ORDER BY event_id`,
    [CONSUMER, eventIds],
  );
  return rows.map((r) => r.event_id);
}

describe('the router batch on PostgreSQL', () => {
  beforeAll(async () => {
    dataSource = createDataSource({ url: testEnvironment().databaseUrl, poolSize: 4 });
    await dataSource.initialize();
    // The routed events carry the body sealed (SPEC §10); this test's requests get their keys here.
    configureDataKeys(new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, true));
  });
  afterAll(async () => {
    // Its routed events must not reach the stacks of later suites (their rule-set hash is a fake
    // one that the audit replay would rightly call unreplayable), nor its deliveries stay pending.
    if (dataSource?.isInitialized && storedIds.length > 0) {
      await dataSource.transaction(async (m) => {
        await m.query(`DELETE FROM outbox WHERE key = ANY($1::text[])`, [storedIds]);
        await m.query(`DELETE FROM deadline_milestones WHERE request_id = ANY($1::uuid[])`, [storedIds]);
        await m.query(`DELETE FROM deliveries WHERE request_id = ANY($1::uuid[])`, [storedIds]);
        await m.query(`DELETE FROM routed_requests WHERE request_id = ANY($1::uuid[])`, [storedIds]);
        await m.query(`DELETE FROM requests WHERE id = ANY($1::uuid[])`, [storedIds]);
      });
    }
    await dataSource?.destroy();
  });

  it('routes what it may in one go and refuses an unknown request alone, keeping nothing of it', async () => {
    const [r1, r2, r3] = [await storedRequest(), await storedRequest(), await storedRequest()];
    const unknown = randomUUID();
    const earlier = received(r3);
    await router().execute([earlier]);
    const batch = [
      received(r1), // 0
      received(r2), // 1
      received(r3), // 2: a new event for a request routed earlier
      received(unknown), // 3
      received('not-a-uuid'), // 4
      received(r2), // 5: a second event for r2 in the batch
    ];
    batch.push({ ...batch[0] }); // 6: event 0 again
    const routes = (
      await policy.decide(
        {
          requestId: r1,
          direction: 'outbound',
          requestingUnit: 'PZ-5339',
          receivedAt: '2026-01-05T10:00:00.000Z',
          body: BODY,
        },
        new Date(),
      )
    ).decision.routes.length;

    nudges = 0;
    const failed = await failures(router().execute(batch));
    expect([...failed.keys()].sort()).toEqual([3, 4]);
    for (const error of failed.values()) {
      expect(error).toBeInstanceOf(PermanentHandlerError);
      expect((error as PermanentHandlerError).code).toBe('ROUTING.UNKNOWN_REQUEST');
    }
    expect(nudges).toBe(1);
    const ids = [r1, r2, r3, unknown];
    const once = { [r1]: 1, [r2]: 1, [r3]: 1 };
    expect(await stored(ids)).toEqual({
      routed: once,
      deliveries: { [r1]: routes, [r2]: routes, [r3]: routes },
      milestones: { [r1]: 4, [r2]: 4, [r3]: 4 },
      routedEvents: once,
    });
    const eventIds = [earlier, ...batch].map((e) => e.id);
    expect(await processed(eventIds)).toEqual(
      [earlier.id, batch[0].id, batch[1].id, batch[2].id, batch[5].id].sort(),
    );

    // Redelivered, the batch changes nothing; the unknown request is refused again.
    const again = await failures(router().execute(batch));
    expect([...again.keys()].sort()).toEqual([3, 4]);
    expect((await stored(ids)).routedEvents).toEqual(once);
    expect((await stored(ids)).deliveries).toEqual({ [r1]: routes, [r2]: routes, [r3]: routes });
  });

  it('routes a request once when two routers handle two of its events at the same time', async () => {
    const requests = await Promise.all(Array.from({ length: 20 }, () => storedRequest()));
    const [a, b] = [router(), router()];
    await Promise.all([
      a.execute(requests.map((id) => received(id))),
      b.execute([...requests].reverse().map((id) => received(id))),
    ]);
    const result = await stored(requests);
    const once = Object.fromEntries(requests.map((id) => [id, 1]));
    expect(result.routed).toEqual(once);
    expect(result.routedEvents).toEqual(once);
    const deliveries = Object.values(result.deliveries);
    expect(deliveries).toHaveLength(requests.length);
    expect(new Set(deliveries).size).toBe(1);
  });
});
