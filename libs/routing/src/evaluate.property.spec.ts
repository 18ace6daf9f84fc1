import fc from 'fast-check';
import {
  CHANNELS,
  isEuMemberState,
  isEuOrSchengen,
  type RoutingDecision,
  type RoutingInput,
} from '@ixr/domain';
import type { ChannelHealth } from './channel-health';
import { evaluate, evaluateDeadline } from './evaluate';
import { MISSING_VALUE } from './reason-template';
import { defaultDirectory, defaultRuleset } from './ruleset.loader';
import { instant, routingInput, TARGET_POOL } from './testing/routing.fixtures';

const ruleset = defaultRuleset();
const directory = defaultDirectory();
const RUNS = { numRuns: 300 };

const channelHealth: fc.Arbitrary<ChannelHealth> = fc.record({
  open: fc.array(
    fc.record(
      {
        channel: fc.constantFrom('siena', 'sirene', 'prum', 'pccc', 'interpol', 'liaison_officer'),
        destination: fc.constantFrom(
          ...TARGET_POOL,
          'PCCC-TOURNAI',
          'PCCC-HEERLEN',
          'LO-WASHINGTON',
          'LO-BUCHAREST',
        ),
      },
      { requiredKeys: ['channel'] },
    ),
    { maxLength: 4 },
  ),
});

const run = (input: RoutingInput, health: ChannelHealth, now: string): RoutingDecision =>
  evaluate(input, ruleset, directory, health, now);

/** Where a primary or fallback route for `country` may point: the country, its centre, its liaison post. */
function destinationServes(destination: string, country: string): boolean {
  if (destination === country) return true;
  if (directory.countries[country]?.pcccCentre === destination) return true;
  return directory.liaisonPosts.some((p) => p.id === destination && p.accreditedFor.includes(country));
}

describe('evaluate — properties over generated valid requests', () => {
  it('the decision never depends on missionType', () => {
    fc.assert(
      fc.property(routingInput, channelHealth, instant, (input, health, now) => {
        const flipped: RoutingInput = {
          ...input,
          body: {
            ...input.body,
            missionType: input.body.missionType === 'judicial' ? 'administrative' : 'judicial',
          },
        };
        expect(JSON.stringify(run(flipped, health, now))).toBe(JSON.stringify(run(input, health, now)));
      }),
      RUNS,
    );
  });

  it('is deterministic: the same input gives byte-identical JSON', () => {
    fc.assert(
      fc.property(routingInput, channelHealth, instant, (input, health, now) => {
        const first = JSON.stringify(run(input, health, now));
        const second = JSON.stringify(run(structuredClone(input), structuredClone(health), now));
        expect(second).toBe(first);
      }),
      RUNS,
    );
  });

  it('gives each target country exactly one primary-or-fallback route, in request order', () => {
    fc.assert(
      fc.property(routingInput, channelHealth, (input, health) => {
        const { routes } = run(input, health, input.receivedAt);
        const heads = routes.filter((r) => r.role === 'primary' || r.role === 'fallback');
        expect(heads).toHaveLength(input.body.targetCountries.length);
        heads.forEach((route, i) => {
          expect(destinationServes(route.destination, input.body.targetCountries[i])).toBe(true);
        });
        // The first route of all is a head: per-country blocks start with their primary.
        expect(['primary', 'fallback']).toContain(routes[0]?.role);
        const blocks = routes.flatMap((r, i) => (r.role === 'primary' || r.role === 'fallback' ? [i] : []));
        expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
      }),
      RUNS,
    );
  });

  it('a fallback appears exactly where the chosen primary channel had an open circuit, and says so', () => {
    fc.assert(
      fc.property(routingInput, channelHealth, (input, health) => {
        for (const route of run(input, health, input.receivedAt).routes.filter(
          (r) => r.role === 'fallback',
        )) {
          expect(route.ruleId).toBe('OUT-FALLBACK-INCIDENT');
          expect(route.reason).toContain('technical incident');
          expect(route.reason).toContain('Directive 2023/977 Art 13(2)(c)');
        }
      }),
      RUNS,
    );
  });

  it('sets deadlines as SPEC §4.2 says', () => {
    fc.assert(
      fc.property(routingInput, (input) => {
        const { deadline } = run(input, { open: [] }, input.receivedAt);
        const body = input.body;
        const hoursAfter = (h: number) =>
          new Date(Date.parse(input.receivedAt) + h * 3_600_000).toISOString();
        if (!body.targetCountries.some(isEuOrSchengen)) expect(deadline).toEqual({ at: null, basis: 'none' });
        else if (body.urgency.urgent && body.accessibility === 'direct') {
          expect(deadline).toEqual({ at: hoursAfter(8), basis: 'urgent_direct_8h' });
        } else if (body.urgency.urgent)
          expect(deadline).toEqual({ at: hoursAfter(72), basis: 'urgent_indirect_3d' });
        else expect(deadline).toEqual({ at: hoursAfter(168), basis: 'standard_7d' });
        expect(evaluateDeadline(input, ruleset, directory)).toEqual(deadline);
      }),
      RUNS,
    );
  });

  it('copies Europol iff the offence is in the mandate and BE plus the EU targets make two or more states', () => {
    fc.assert(
      fc.property(routingInput, channelHealth, (input, health) => {
        const decision = run(input, health, input.receivedAt);
        const states = new Set(['BE', ...input.body.targetCountries.filter(isEuMemberState)]);
        const expected = input.body.offence.category !== 'other' && states.size >= 2;
        expect(decision.europolCopy.copy).toBe(expected);
        expect(decision.routes.filter((r) => r.channel === 'europol')).toHaveLength(expected ? 1 : 0);
        expect(decision.europolCopy.reason).toMatch(/Europol/);
      }),
      RUNS,
    );
  });

  it('copies the SPOC iff the requester is not the SPOC unit', () => {
    fc.assert(
      fc.property(routingInput, (input) => {
        const spocCopies = run(input, { open: [] }, input.receivedAt).routes.filter(
          (r) => r.channel === 'national_spoc',
        );
        expect(spocCopies).toHaveLength(input.requestingUnit === 'CGI-SPOC' ? 0 : 1);
      }),
      RUNS,
    );
  });

  it('only uses SPEC channels, names a rule, and fills every placeholder', () => {
    const ruleIds = new Set(ruleset.rules.map((r) => r.id));
    fc.assert(
      fc.property(routingInput, channelHealth, (input, health) => {
        for (const route of run(input, health, input.receivedAt).routes) {
          expect(CHANNELS).toContain(route.channel);
          expect(ruleIds.has(route.ruleId)).toBe(true);
          expect(route.reason).not.toContain(MISSING_VALUE);
          expect(route.reason).not.toMatch(/\{[A-Za-z]+\}/);
        }
      }),
      RUNS,
    );
  });
});
