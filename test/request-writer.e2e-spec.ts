import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TOPICS } from '@ixr/messaging';
import { isUniqueViolation } from '../apps/intake-api/src/http/idempotency';
import { createDataSource, DataKeyVault, DEVELOPMENT_DATA_KEY_MASTER } from '@ixr/persistence';
import { PostgresRequestRows } from '../apps/intake-api/src/requests/request-rows.store';
import { RequestWriter, type NewRequest } from '../apps/intake-api/src/requests/request-writer';
import { testEnvironment } from './support/test-env';

/**
 * The intake's group commit against the real PostgreSQL: a group's requests and their events are
 * stored by one statement, all or nothing, and a row refused by a constraint fails alone.
 */
const UNIT = `PZ-${randomUUID().slice(0, 8)}`;
let dataSource: DataSource;
let nudges = 0;
const written: string[] = [];

function request(overrides: Partial<NewRequest> = {}): NewRequest {
  const id = randomUUID();
  written.push(id);
  return {
    id,
    requestingUnit: UNIT,
    requestedBy: 'officer-1',
    level: 'local',
    missionType: 'judicial',
    bodyJson: JSON.stringify({ missionType: 'judicial', note: `it's "quoted" \\ and ünïcode`, id }),
    bodyHash: `hash-${id}`,
    idempotencyKey: null,
    receivedAt: new Date('2026-01-05T10:00:00.123Z'),
    deadlineAt: new Date('2026-01-12T10:00:00Z'),
    deadlineBasis: 'ruleset',
    event: { topic: TOPICS.requestReceived, key: id, value: JSON.stringify({ requestId: id }) },
    ...overrides,
  };
}

/** What the database holds of these requests: the request rows and their outbox rows. */
async function stored(ids: string[]) {
  const requests: {
    id: string;
    body: unknown;
    idempotency_key: string | null;
    status: string;
    received_at: Date;
    deadline_at: Date | null;
    deadline_basis: string;
  }[] = await dataSource.query(
    `SELECT id, body, idempotency_key, status, received_at, deadline_at, deadline_basis
       FROM requests WHERE id = ANY($1) ORDER BY id`,
    [ids],
  );
  const events: { key: string; topic: string; value: string }[] = await dataSource.query(
    `SELECT key, topic, value FROM outbox WHERE key = ANY($1::text[]) ORDER BY id`,
    [ids],
  );
  return { requests, events };
}

describe('the intake group commit on PostgreSQL', () => {
  beforeAll(async () => {
    dataSource = createDataSource({ url: testEnvironment().databaseUrl, poolSize: 4 });
    await dataSource.initialize();
  });
  afterAll(async () => {
    // No relay runs here: the test's events are not for the stacks of the other files to publish.
    await dataSource?.query(`DELETE FROM outbox WHERE key = ANY($1::text[])`, [written]);
    await dataSource?.destroy();
  });

  /** A writer whose store records the size of each statement's group. */
  function writer(groups: number[] = []): RequestWriter {
    const rows = new PostgresRequestRows(dataSource, new DataKeyVault(DEVELOPMENT_DATA_KEY_MASTER, true));
    const store = {
      insert: (requests: readonly NewRequest[]) => {
        groups.push(requests.length);
        return rows.insert(requests);
      },
    };
    return new RequestWriter(store, { nudge: () => void nudges++ });
  }

  it('stores a group of requests with their events, columns as the entity reads them', async () => {
    const group = [
      request(),
      request({ idempotencyKey: `k-${randomUUID()}` }),
      request({ deadlineAt: null }),
    ];
    nudges = 0;
    const w = writer();
    await Promise.all(group.map((r) => w.write(r)));
    const ids = group.map((r) => r.id);
    const { requests, events } = await stored(ids);
    expect(requests.map((r) => r.id)).toEqual([...ids].sort());
    for (const r of group) {
      const row = requests.find((s) => s.id === r.id)!;
      expect(row.body).toEqual(JSON.parse(r.bodyJson));
      expect(row.idempotency_key).toBe(r.idempotencyKey);
      expect(row.status).toBe('received');
      expect(row.received_at.toISOString()).toBe('2026-01-05T10:00:00.123Z');
      expect(row.deadline_at?.toISOString() ?? null).toBe(r.deadlineAt?.toISOString() ?? null);
      expect(row.deadline_basis).toBe('ruleset');
    }
    // The events in the order of the requests: the relay publishes in outbox id order.
    expect(events).toEqual(group.map((r) => ({ key: r.id, topic: r.event.topic, value: r.event.value })));
    expect(nudges).toBeGreaterThanOrEqual(1);
  });

  it('fails only the rows a constraint refuses, and keeps nothing of them', async () => {
    const key = `k-${randomUUID()}`;
    const groups: number[] = [];
    const w = writer(groups);
    const first = request();
    const group = [
      request({ idempotencyKey: key }),
      request(),
      request({ idempotencyKey: key }), // the same unit and key: refused by requests_idempotency
      request({ missionType: 'not-a-mission' }), // refused by the column's CHECK
      request(),
    ];
    // The first write is under way when the others arrive, so they form one group.
    const writes = [first, ...group].map((r) =>
      w.write(r).then(
        () => 'stored',
        (error: unknown) => error,
      ),
    );
    const outcomes = await Promise.all(writes);
    expect(outcomes[0]).toBe('stored');
    expect(outcomes[1]).toBe('stored');
    expect(outcomes[2]).toBe('stored');
    expect(isUniqueViolation(outcomes[3], 'requests_idempotency')).toBe(true);
    expect(String((outcomes[4] as Error).message)).toMatch(/check constraint/);
    expect(outcomes[5]).toBe('stored');
    // The group of five failed as a whole, then each of its rows was written alone.
    expect(groups).toEqual([1, 5, 1, 1, 1, 1, 1]);

    const storedIds = [first, group[0], group[1], group[4]].map((r) => r.id);
    const all = [first, ...group].map((r) => r.id);
    const { requests, events } = await stored(all);
    expect(requests.map((r) => r.id).sort()).toEqual([...storedIds].sort());
    expect(events.map((e) => e.key).sort()).toEqual([...storedIds].sort());
  });
});
