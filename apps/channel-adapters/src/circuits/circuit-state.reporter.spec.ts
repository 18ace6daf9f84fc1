import pino from 'pino';
import type { DataSource } from 'typeorm';
import { TOPICS, type EventEnvelope, type CircuitChanged } from '@ixr/messaging';
import { IdGenerator } from '@ixr/platform';
import { CircuitStateReporter } from './circuit-state.reporter';

describe('CircuitStateReporter', () => {
  function reporter() {
    const published: { topic: string; data: CircuitChanged }[] = [];
    const statements: string[] = [];
    const dataSource = {
      query: (sql: string) => {
        statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
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
    return { instance, published, statements };
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
});
