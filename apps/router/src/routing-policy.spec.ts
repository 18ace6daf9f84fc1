import { Writable } from 'node:stream';
import pino from 'pino';
import { sampleRequestBody, type RoutingInput } from '@ixr/domain';
import type { RoutingConfigStore } from '@ixr/persistence';
import {
  ALL_CIRCUITS_CLOSED,
  defaultDirectory,
  defaultRuleset,
  rulesetHash,
  type ChannelHealth,
} from '@ixr/routing';
import { databaseRoutingPolicy } from './routing-policy';

const input: RoutingInput = {
  requestId: 'req-1',
  direction: 'outbound',
  requestingUnit: 'PZ-5339',
  receivedAt: '2026-01-05T10:00:00.000Z',
  body: sampleRequestBody({ targetCountries: ['NL', 'US'] }),
};

function policyWith(health: ChannelHealth) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const ruleset = defaultRuleset();
  const store = {
    active: () =>
      Promise.resolve({
        ruleset,
        rulesetHash: rulesetHash(ruleset),
        directory: defaultDirectory(),
        directoryVersion: 'v-test',
      }),
  } as unknown as RoutingConfigStore;
  return {
    policy: databaseRoutingPolicy(store, { current: () => health }, logger, { spocUnit: 'CGI-SPOC' }),
    lines,
  };
}

describe('databaseRoutingPolicy and the circuit states', () => {
  it('routes to the primary while every circuit is closed', async () => {
    const { policy, lines } = policyWith(ALL_CIRCUITS_CLOSED);
    const { decision, channelHealth } = await policy.decide(input, new Date('2026-01-05T10:00:01Z'));
    expect(decision.routes.find((r) => r.destination === 'NL')).toMatchObject({
      channel: 'siena',
      role: 'primary',
    });
    expect(channelHealth).toEqual({ open: [] });
    expect(lines).toEqual([]);
  });

  it('takes the fallback for a technical incident when the partner’s circuit is open, and says so', async () => {
    const open: ChannelHealth = { open: [{ channel: 'siena', destination: 'NL' }] };
    const { policy, lines } = policyWith(open);
    const { decision, channelHealth } = await policy.decide(input, new Date('2026-01-05T10:00:01Z'));
    const nl = decision.routes.filter((r) => r.destination === 'NL');
    expect(nl).toEqual([
      expect.objectContaining({ channel: 'interpol', role: 'fallback', ruleId: 'OUT-FALLBACK-INCIDENT' }),
    ]);
    expect(nl[0].reason).toMatch(/technical incident.*Art 13\(2\)\(c\)/);
    // Other destinations keep their routes; the snapshot travels with the decision for replay.
    expect(decision.routes.find((r) => r.destination === 'US')).toMatchObject({
      channel: 'interpol',
      role: 'primary',
    });
    expect(channelHealth).toBe(open);
    expect(lines.join('')).toMatch(/technical incident: circuit open, fallback route taken/);
  });
});
