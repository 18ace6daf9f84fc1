import { QueryFailedError } from 'typeorm';
import { isUniqueViolation } from '../http/idempotency';
import { toDependencyError } from '../http/dependency-errors';
import { DependencyUnavailableError } from '@ixr/platform';
import { RequestWriter, type NewRequest, type RequestRowsStore } from './request-writer';

function request(id: string, idempotencyKey: string | null = null): NewRequest {
  return {
    id,
    requestingUnit: 'PZ-5339',
    requestedBy: 'officer-1',
    level: 'local',
    missionType: 'judicial',
    bodyJson: '{}',
    bodyHash: `hash-${id}`,
    idempotencyKey,
    receivedAt: new Date('2026-01-05T10:00:00Z'),
    deadlineAt: null,
    deadlineBasis: 'none',
    event: { topic: 'ixr.requests.received', key: id, value: `event-${id}` },
  };
}

function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    constraint: 'requests_idempotency',
  });
  return new QueryFailedError('INSERT INTO requests ...', [], driverError);
}

function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/**
 * A fake of the table pair with its all-or-nothing rule and the unique (unit, key) constraint:
 * each insert call is one transaction. Calls can be held open to have callers arrive meanwhile.
 */
class FakeRows implements RequestRowsStore {
  readonly calls: string[][] = [];
  readonly committed: string[] = [];
  readonly events: string[] = [];
  down = false;
  private readonly keys = new Set<string>();
  private gate?: Promise<void>;
  private open?: () => void;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.open?.();
  }

  async insert(requests: readonly NewRequest[]): Promise<void> {
    this.calls.push(requests.map((r) => r.id));
    await this.gate;
    if (this.down) throw connectionRefused();
    const keys = new Set(this.keys);
    for (const r of requests) {
      if (r.idempotencyKey === null) continue;
      const key = `${r.requestingUnit}/${r.idempotencyKey}`;
      if (keys.has(key)) throw uniqueViolation();
      keys.add(key);
    }
    for (const key of keys) this.keys.add(key);
    for (const r of requests) {
      this.committed.push(r.id);
      this.events.push(r.event.value);
    }
  }
}

async function outcomes(writes: Promise<void>[]): Promise<unknown[]> {
  return Promise.all(
    writes.map((w) =>
      w.then(
        () => true as const,
        (error: unknown) => error,
      ),
    ),
  );
}

describe('RequestWriter', () => {
  let nudges: number;
  const relay = { nudge: () => void nudges++ };
  beforeEach(() => (nudges = 0));

  it('writes a lone request at once, in a group of one', async () => {
    const rows = new FakeRows();
    await new RequestWriter(rows, relay).write(request('a'));
    expect(rows.calls).toEqual([['a']]);
    expect(rows.committed).toEqual(['a']);
    expect(nudges).toBe(1);
  });

  it('writes requests arriving during a write together in the next one, with one nudge per group', async () => {
    const rows = new FakeRows();
    const writer = new RequestWriter(rows, relay);
    rows.hold();
    const first = writer.write(request('a'));
    const rest = ['b', 'c', 'd'].map((id) => writer.write(request(id)));
    expect(rows.calls).toEqual([['a']]);
    rows.release();
    expect(await outcomes([first, ...rest])).toEqual([true, true, true, true]);
    expect(rows.calls).toEqual([['a'], ['b', 'c', 'd']]);
    expect(rows.committed).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.events).toEqual(['event-a', 'event-b', 'event-c', 'event-d']);
    expect(nudges).toBe(2);
  });

  it('bounds a group to its size; the rest goes into the following groups', async () => {
    const rows = new FakeRows();
    const writer = new RequestWriter(rows, relay, 3);
    rows.hold();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const writes = ids.map((id) => writer.write(request(id)));
    rows.release();
    expect(await outcomes(writes)).toEqual(ids.map(() => true));
    expect(rows.calls).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g'], ['h']]);
  });

  it('refuses a group size that is not a positive integer', () => {
    expect(() => new RequestWriter(new FakeRows(), relay, 0)).toThrow(
      /group size must be a positive integer, got 0/,
    );
  });

  it('stores the other rows of a group when one row violates its Idempotency-Key, and fails only that one', async () => {
    const rows = new FakeRows();
    const writer = new RequestWriter(rows, relay);
    rows.hold();
    const first = writer.write(request('a'));
    const group = [
      writer.write(request('b', 'key-1')),
      writer.write(request('c')),
      writer.write(request('d', 'key-1')), // the same key as b: the second one loses
      writer.write(request('e')),
    ];
    rows.release();
    const [a, b, c, d, e] = await outcomes([first, ...group]);
    expect([a, b, c, e]).toEqual([true, true, true, true]);
    expect(isUniqueViolation(d, 'requests_idempotency')).toBe(true);
    // The group failed as a whole, then each row went alone, in order.
    expect(rows.calls).toEqual([['a'], ['b', 'c', 'd', 'e'], ['b'], ['c'], ['d'], ['e']]);
    expect(rows.committed).toEqual(['a', 'b', 'c', 'e']);
    expect(rows.events).toEqual(['event-a', 'event-b', 'event-c', 'event-e']);
    expect(nudges).toBe(2);
  });

  it('fails every caller of a group with the database error when PostgreSQL is down, storing nothing', async () => {
    const rows = new FakeRows();
    const writer = new RequestWriter(rows, relay);
    rows.hold();
    rows.down = true;
    const writes = ['a', 'b', 'c'].map((id) => writer.write(request(id)));
    rows.release();
    const results = await outcomes(writes);
    for (const result of results) {
      expect(toDependencyError(result)).toBeInstanceOf(DependencyUnavailableError);
    }
    // No row-by-row retry against a database that cannot be reached.
    expect(rows.calls).toEqual([['a'], ['b', 'c']]);
    expect(rows.committed).toEqual([]);
    expect(nudges).toBe(0);

    rows.down = false;
    await writer.write(request('f'));
    expect(rows.committed).toEqual(['f']);
    expect(nudges).toBe(1);
  });
});
