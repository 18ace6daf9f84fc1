import type { RoutingDecision } from '@ixr/domain';
import { guardDissemination, type DisseminationConsent, type InformationOrigin } from './dissemination.guard';

const decision: RoutingDecision = {
  requestId: 'req-1',
  rulesetVersion: '2026.1',
  decidedAt: '2026-01-01T10:00:00Z',
  routes: [
    {
      channel: 'national_unit',
      destination: 'DJSOC-CYBER',
      role: 'primary',
      ruleId: 'r1',
      reason: 'contact point',
    },
    { channel: 'national_spoc', destination: 'CGI-SPOC', role: 'copy', ruleId: 'r2', reason: 'SPOC copy' },
    { channel: 'europol', destination: 'EUROPOL', role: 'copy', ruleId: 'r3', reason: 'Europol mandate.' },
    { channel: 'siena', destination: 'FR', role: 'parallel', ruleId: 'r4', reason: 'also FR' },
    { channel: 'siena', destination: 'NL', role: 'parallel', ruleId: 'r5', reason: 'answer NL' },
  ],
  europolCopy: { copy: true, reason: 'Europol mandate.' },
  deadline: { at: null, basis: 'none' },
};
const origin = (handlingCode: InformationOrigin['handlingCode']): InformationOrigin => ({
  partner: 'NL',
  channel: 'siena',
  handlingCode,
  requestId: 'req-1',
});
const consent = (over: Partial<DisseminationConsent>): DisseminationConsent => ({
  partner: 'NL',
  channel: '*',
  destination: '*',
  reference: 'SIENA NL-2026-77',
  grantedAt: '2026-01-01T09:00:00Z',
  ...over,
});
const channels = (d: RoutingDecision) => d.routes.map((r) => `${r.channel}:${r.destination}`);

describe('guardDissemination (handling codes H2/H3)', () => {
  it.each(['H0', 'H1'] as const)('leaves %s information as it is', (code) => {
    expect(guardDissemination(decision, origin(code), []).decision).toBe(decision);
  });

  it.each(['H2', 'H3'] as const)(
    'keeps %s information at home and with its originator without consent, Europol copy included',
    (code) => {
      const { decision: guarded, withheld } = guardDissemination(decision, origin(code), []);
      expect(channels(guarded)).toEqual(['national_unit:DJSOC-CYBER', 'national_spoc:CGI-SPOC', 'siena:NL']);
      expect(withheld.map((w) => `${w.route.channel}:${w.route.destination}`)).toEqual([
        'europol:EUROPOL',
        'siena:FR',
      ]);
      expect(withheld[0].reason).toContain(`handling code ${code}`);
      expect(withheld[0].reason).toContain("without NL's recorded consent");
      expect(guarded.europolCopy.copy).toBe(false);
      expect(guarded.europolCopy.reason).toMatch(/^Europol mandate\. Withheld: information from NL/);
    },
  );

  it('passes what the partner consented to, and names the consent', () => {
    const {
      decision: guarded,
      withheld,
      applied,
    } = guardDissemination(decision, origin('H2'), [consent({ channel: 'europol', destination: 'EUROPOL' })]);
    expect(channels(guarded)).toContain('europol:EUROPOL');
    expect(guarded.europolCopy.copy).toBe(true);
    expect(withheld.map((w) => w.route.destination)).toEqual(['FR']);
    expect(applied).toEqual([expect.objectContaining({ reference: 'SIENA NL-2026-77' })]);
  });

  it('ignores consents of another partner or another exchange', () => {
    const { withheld } = guardDissemination(decision, origin('H2'), [
      consent({ partner: 'DE' }),
      consent({ requestId: 'req-other' }),
    ]);
    expect(withheld).toHaveLength(2);
    const standing = guardDissemination(decision, origin('H3'), [consent({ requestId: 'req-1' })]);
    expect(standing.withheld).toHaveLength(0);
  });

  it('turns off a Europol copy flag even without a europol route', () => {
    const flagOnly = { ...decision, routes: decision.routes.slice(0, 2) };
    expect(guardDissemination(flagOnly, origin('H2'), []).decision.europolCopy.copy).toBe(false);
    expect(
      guardDissemination(flagOnly, origin('H2'), [consent({ channel: 'europol' })]).decision.europolCopy.copy,
    ).toBe(true);
  });
});
