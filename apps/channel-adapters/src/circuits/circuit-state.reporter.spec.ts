import pino from 'pino';
import type { DataSource } from 'typeorm';
import { TOPICS, type EventEnvelope, type CircuitChanged } from '@ixr/messaging';
import { IdGenerator } from '@ixr/platform';
import { CircuitStateReporter } from './circuit-state.reporter';

describe('CircuitStateReporter', () => {
  function reporter() {
    const published: { topic: string; data: CircuitChanged }[] = [];
    const statements: string[] = [];
    const failures = { writes: 0 };
    const dataSource = {
      query: (sql: string) => {
        statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
        if (failures.writes > 0) {
          failures.writes -= 1;
          return Promise.reject(new Error('database away'));
        }
        return Promise.resolve([]);
      },
    } as unknown as DataSource;
    const publisher = {
      publishEnvelopes: (topic: string, envelopes: readonly EventEnvelope[]) => {
        for (const e of envelopes) published.push({ topic, data: e.data as CircuitChanged });
        return Promise.resolve();
      },
    };
    const instance = new CircuitStateReporter(
      dataSource,
      publisher,
      new IdGenerator(),
      'adapters-1',
      pino({ level: 'silent' }),
      60_000,
    );
    return { instance, published, statements, failures };
  }
  const change = (state: 'open' | 'closed' | 'half_open') => ({
    channel: 'siena',
    destination: 'NL',
    state,
    at: new Date('2026-12-03T10:00:00.000Z'),
    reason: 'partner timed out',
  });

  it('announces each change as an event and records it in its own table', async () => {
    const { instance, published, statements } = reporter();
    instance.onChange(change('open'));
    await instance.flush();
    expect(published).toEqual([
      {
        topic: TOPICS.circuitChanged,
        data: expect.objectContaining({
          channel: 'siena',
          destination: 'NL',
          instance: 'adapters-1',
          state: 'open',
        }),
      },
    ]);
    expect(statements).toContain('INSERT INTO circuit_states');
  });

  it('re-announces every state but closed on a tick, and announces its circuits closed when it stops', async () => {
    const { instance, published } = reporter();
    instance.onChange(change('open'));
    await instance.flush();
    await instance.flush(true);
    expect(published.map((p) => p.data.state)).toEqual(['open', 'open']);
    await instance.stop();
    expect(published.map((p) => p.data.state)).toEqual(['open', 'open', 'closed']);
    instance.onChange(change('closed'));
    await instance.flush(true);
    expect(published).toHaveLength(3);
  });

  describe('ticks', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('do nothing while every circuit is closed', async () => {
      const { instance, published, statements } = reporter();
      instance.start();
      await jest.advanceTimersByTimeAsync(5 * 60_000);
      expect(statements).toEqual([]);
      // A circuit that opened and closed again: shared once each, then nothing more.
      instance.onChange(change('open'));
      await instance.flush();
      instance.onChange(change('closed'));
      await instance.flush();
      const shared = statements.length;
      expect(published.map((p) => p.data.state)).toEqual(['open', 'closed']);
      await jest.advanceTimersByTimeAsync(5 * 60_000);
      expect(statements).toHaveLength(shared);
      expect(published).toHaveLength(2);
      await instance.flush(true);
      expect(statements).toHaveLength(shared);
      await instance.stop();
    });

    it('re-announce a circuit not closed on every tick, until it closes', async () => {
      const { instance, published } = reporter();
      instance.start();
      instance.onChange(change('open'));
      await instance.flush();
      await jest.advanceTimersByTimeAsync(2 * 60_000);
      expect(published.map((p) => p.data.state)).toEqual(['open', 'open', 'open']);
      instance.onChange(change('closed'));
      await instance.flush();
      await jest.advanceTimersByTimeAsync(3 * 60_000);
      expect(published.map((p) => p.data.state)).toEqual(['open', 'open', 'open', 'closed']);
      await instance.stop();
    });

    it('go on while a closing could not be written, and stop once it is', async () => {
      const { instance, statements, failures } = reporter();
      instance.start();
      instance.onChange(change('open'));
      await instance.flush();
      failures.writes = 1;
      instance.onChange(change('closed'));
      await instance.flush();
      const failed = statements.length;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(statements.slice(failed)).toEqual(['INSERT INTO circuit_states', 'UPDATE circuit_states SET']);
      await jest.advanceTimersByTimeAsync(3 * 60_000);
      expect(statements).toHaveLength(failed + 2);
      await instance.stop();
    });
  });
});
