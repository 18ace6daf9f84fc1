import type { DataSource } from 'typeorm';
import { defaultDirectory, defaultRuleset, rulesetHash } from '@ixr/routing';
import { RoutingConfigStore } from './routing-config.store';

/** A database holding one rule set and a directory whose version the test changes. */
function fakeDatabase() {
  const ruleset = defaultRuleset();
  const state = { version: 'd-1', versionReads: 0, documentReads: 0, pending: [] as (() => void)[] };
  const query = (sql: string): Promise<unknown[]> => {
    if (sql.includes('FROM rulesets'))
      return Promise.resolve([{ version: ruleset.version, hash: rulesetHash(ruleset), document: ruleset }]);
    if (sql.includes('SELECT version, document')) {
      state.documentReads++;
      return Promise.resolve([
        { version: state.version, document: { ...defaultDirectory(), version: state.version } },
      ]);
    }
    // The version check: held until the test lets it answer, so calls can overlap.
    state.versionReads++;
    const answer = state.version;
    return new Promise((resolve) => state.pending.push(() => resolve([{ version: answer }])));
  };
  const release = async () => {
    while (state.pending.length > 0) {
      state.pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { dataSource: { query } as unknown as DataSource, state, release };
}

describe('RoutingConfigStore.latestDirectory', () => {
  it('reloads the directory only when its version changed', async () => {
    const db = fakeDatabase();
    const store = new RoutingConfigStore(db.dataSource);
    await store.refresh();
    const same = store.latestDirectory();
    await db.release();
    expect((await same).directoryVersion).toBe('d-1');
    expect(db.state.documentReads).toBe(1);
    db.state.version = 'd-2';
    const changed = store.latestDirectory();
    await db.release();
    expect((await changed).directoryVersion).toBe('d-2');
    expect(db.state.documentReads).toBe(2);
  });

  it('never answers a call with a check that started before it, and shares checks between callers', async () => {
    const db = fakeDatabase();
    const store = new RoutingConfigStore(db.dataSource);
    await store.refresh();
    const early = store.latestDirectory();
    // An edit commits while the first check is in flight; later callers must see it.
    db.state.version = 'd-2';
    const late = [store.latestDirectory(), store.latestDirectory(), store.latestDirectory()];
    await db.release();
    expect((await early).directoryVersion).toBe('d-1');
    expect((await Promise.all(late)).map((c) => c.directoryVersion)).toEqual(['d-2', 'd-2', 'd-2']);
    expect(db.state.versionReads).toBe(2);
  });

  it('with a max age, reuses a check that started within it, and checks again once it is older', async () => {
    const db = fakeDatabase();
    const store = new RoutingConfigStore(db.dataSource);
    await store.refresh();
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const first = store.latestDirectory(500);
      await db.release();
      await first;
      db.state.version = 'd-2';
      now += 499;
      expect((await store.latestDirectory(500)).directoryVersion).toBe('d-1');
      expect(db.state.versionReads).toBe(1);
      now += 2;
      const later = store.latestDirectory(500);
      await db.release();
      expect((await later).directoryVersion).toBe('d-2');
      expect(db.state.versionReads).toBe(2);
    } finally {
      clock.mockRestore();
    }
  });
});
