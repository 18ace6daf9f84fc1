import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { createEnvelope, EVENT_TYPES, TOPICS, type CircuitChanged } from '@ixr/messaging';
import { ALL_CIRCUITS_CLOSED } from '@ixr/routing';
import { CircuitEventsConsumer, CircuitHealth } from './circuit-health';

const logger = pino({ level: 'silent' });

function event(fields: Partial<CircuitChanged>): CircuitChanged {
  return {
    channel: 'siena',
    destination: 'NL',
    instance: 'a1',
    state: 'open',
    since: '2026-12-03T10:00:00.000Z',
    reportedAt: '2026-12-03T10:00:00.000Z',
    reason: 'partner timed out',
    ...fields,
  };
}

describe('CircuitHealth', () => {
  let now = Date.parse('2026-12-03T10:00:01.000Z');
  const health = () => new CircuitHealth(logger, 10_000, () => now);

  it('serves the circuits announced open or half-open, once each, until announced closed', () => {
    const circuits = health();
    expect(circuits.current()).toBe(ALL_CIRCUITS_CLOSED);
    circuits.apply(event({}));
    circuits.apply(event({ instance: 'a2' }));
    circuits.apply(event({ channel: 'interpol', destination: 'DE', state: 'half_open' }));
    expect(circuits.current()).toEqual({
      open: [
        { channel: 'interpol', destination: 'DE' },
        { channel: 'siena', destination: 'NL' },
      ],
    });
    circuits.apply(event({ state: 'closed', reportedAt: '2026-12-03T10:00:00.500Z' }));
    // The other instance's breaker for siena/NL is still open.
    expect(circuits.current().open).toContainEqual({ channel: 'siena', destination: 'NL' });
    circuits.apply(event({ instance: 'a2', state: 'closed', reportedAt: '2026-12-03T10:00:00.500Z' }));
    expect(circuits.current()).toEqual({ open: [{ channel: 'interpol', destination: 'DE' }] });
  });

  it('ignores a state not re-announced within the bound, and an announcement older than the one held', () => {
    const circuits = health();
    circuits.apply(event({ reportedAt: '2026-12-03T10:00:00.000Z' }));
    now = Date.parse('2026-12-03T10:00:10.500Z');
    expect(circuits.current()).toBe(ALL_CIRCUITS_CLOSED);
    circuits.apply(event({ reportedAt: '2026-12-03T10:00:10.000Z' }));
    expect(circuits.current().open).toHaveLength(1);
    circuits.apply(event({ state: 'closed', reportedAt: '2026-12-03T10:00:09.000Z' }));
    expect(circuits.current().open).toHaveLength(1);
  });
});

describe('CircuitEventsConsumer.handle', () => {
  it('applies a valid event, and skips a malformed one with a warning naming the field', () => {
    const circuits = new CircuitHealth(logger, 10_000, () => Date.parse('2026-12-03T10:00:01.000Z'));
    const warnings: unknown[] = [];
    const warn = { warn: (fields: unknown) => warnings.push(fields) } as unknown as typeof logger;
    const consumer = new CircuitEventsConsumer({} as Kafka, circuits, warn);
    const envelope = (data: unknown) =>
      JSON.stringify(
        createEnvelope({
          id: 'e1',
          type: EVENT_TYPES[TOPICS.circuitChanged],
          source: 'ixr/channel-adapters',
          time: '2026-12-03T10:00:00.000Z',
          subject: 'siena/NL',
          data,
        }),
      );
    consumer.handle('not json');
    consumer.handle(envelope({ ...event({}), state: 'ajar' }));
    expect(circuits.current()).toBe(ALL_CIRCUITS_CLOSED);
    expect(warnings).toEqual([
      { topic: TOPICS.circuitChanged },
      { topic: TOPICS.circuitChanged, issues: [expect.stringMatching(/^state: /)] },
    ]);
    consumer.handle(envelope(event({})));
    expect(circuits.current()).toEqual({ open: [{ channel: 'siena', destination: 'NL' }] });
  });
});
