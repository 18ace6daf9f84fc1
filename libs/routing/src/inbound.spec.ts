import type { OffenceCategory } from '@ixr/domain';
import { findContactPoint } from './directory.lookup';
import {
  inboundMessageSchema,
  resolveInboundAnswer,
  routeInbound,
  type InboundRequestDecision,
  type InboundRequestMessage,
} from './inbound';
import { defaultDirectory, defaultRuleset } from './ruleset.loader';
import { NOW, RECEIVED_AT, URGENT } from './testing/routing.fixtures';

const directory = defaultDirectory();

function message(overrides: Partial<InboundRequestMessage> = {}): InboundRequestMessage {
  return {
    requestId: 'in-0001',
    originCountry: 'NL',
    channel: 'siena',
    receivedAt: RECEIVED_AT,
    offenceCategory: 'drug_trafficking',
    urgency: { urgent: false },
    accessibility: 'indirect',
    handlingCode: 'H1',
    ...overrides,
  };
}

function routeRequest(overrides: Partial<InboundRequestMessage> = {}): InboundRequestDecision {
  const decision = routeInbound(message(overrides), directory, undefined, NOW);
  if (decision.kind !== 'request') throw new Error('expected a request decision');
  return decision;
}

const hours = (h: number) => new Date(Date.parse(RECEIVED_AT) + h * 3_600_000).toISOString();

describe('routeInbound — new requests (SPEC §4.4)', () => {
  const rows: Array<[string, OffenceCategory, string | undefined, string, string]> = [
    [
      'cybercrime, no region → national DJSOC-CYBER',
      'cybercrime',
      undefined,
      'DJSOC-CYBER',
      'IN-CONTACT-POINT',
    ],
    [
      'drugs, region antwerpen → regional FGP-ANTWERPEN',
      'drug_trafficking',
      'antwerpen',
      'FGP-ANTWERPEN',
      'IN-CONTACT-POINT',
    ],
    [
      'drugs, region in other case and spacing → still the region',
      'drug_trafficking',
      ' Antwerpen ',
      'FGP-ANTWERPEN',
      'IN-CONTACT-POINT',
    ],
    [
      'drugs, no region → national DJSOC-DRUGS',
      'drug_trafficking',
      undefined,
      'DJSOC-DRUGS',
      'IN-CONTACT-POINT',
    ],
    [
      'drugs, a region without a drugs contact point → national',
      'drug_trafficking',
      'west-vlaanderen',
      'DJSOC-DRUGS',
      'IN-CONTACT-POINT',
    ],
    [
      'cybercrime in liege (regional unit has no cyber theme) → national',
      'cybercrime',
      'liege',
      'DJSOC-CYBER',
      'IN-CONTACT-POINT',
    ],
    ['other → SPOC duty desk', 'other', undefined, 'CGI-SPOC', 'IN-SPOC-DUTY-DESK'],
    ['other with a region → SPOC duty desk', 'other', 'antwerpen', 'CGI-SPOC', 'IN-SPOC-DUTY-DESK'],
  ];
  it.each(rows)('%s', (_name, category, region, destination, ruleId) => {
    const { decision } = routeRequest({
      offenceCategory: category,
      ...(region === undefined ? {} : { region }),
    });
    expect(decision.routes).toHaveLength(1);
    expect(decision.routes[0]).toMatchObject({
      channel: 'national_unit',
      destination,
      role: 'primary',
      ruleId,
    });
  });

  it('names the contact point and how it was found', () => {
    const { decision } = routeRequest({ region: 'antwerpen' });
    expect(decision.routes[0]?.reason).toContain('Federal Judicial Police Antwerpen');
    expect(decision.routes[0]?.reason).toContain('region match');
  });

  it('the reply goes back over the channel the request came on', () => {
    expect(routeRequest({ channel: 'interpol', originCountry: 'US' }).replyVia).toEqual({
      channel: 'interpol',
      destination: 'US',
    });
  });

  it('falls back to a regional match only for that region, never to another region', () => {
    const onlyRegional = {
      ...directory,
      contactPoints: directory.contactPoints.filter((c) => c.id === 'FGP-ANTWERPEN'),
    };
    expect(findContactPoint(onlyRegional, 'drug_trafficking', 'liege')).toBeUndefined();
    expect(findContactPoint(onlyRegional, 'drug_trafficking', undefined)).toBeUndefined();
    expect(findContactPoint(onlyRegional, 'drug_trafficking', 'antwerpen')?.match).toBe('region');
  });

  const deadlines: Array<[string, Partial<InboundRequestMessage>, { at: string | null; basis: string }]> = [
    [
      'urgent + direct from NL → 8 h',
      { urgency: URGENT, accessibility: 'direct' },
      { at: hours(8), basis: 'urgent_direct_8h' },
    ],
    [
      'urgent + indirect from NL → 3 days',
      { urgency: URGENT, accessibility: 'indirect' },
      { at: hours(72), basis: 'urgent_indirect_3d' },
    ],
    ['not urgent from NO → 7 days', { originCountry: 'NO' }, { at: hours(168), basis: 'standard_7d' }],
    [
      'from a third country → none',
      { originCountry: 'US', channel: 'interpol', urgency: URGENT },
      { at: null, basis: 'none' },
    ],
  ];
  it.each(deadlines)('same clock as outbound: %s', (_name, overrides, deadline) => {
    expect(routeRequest(overrides).decision.deadline).toEqual(deadline);
  });

  it('records the rule-set version and the decision time; Europol is not copied at routing time', () => {
    const { decision } = routeRequest();
    expect(decision).toMatchObject({
      requestId: 'in-0001',
      rulesetVersion: defaultRuleset().version,
      decidedAt: NOW,
    });
    expect(decision.europolCopy.copy).toBe(false);
    expect(decision.europolCopy.reason).toContain('Art 12');
  });

  it('uses a given rule set instead of the default', () => {
    const custom = { ...defaultRuleset(), version: 'custom-1' };
    const decision = routeInbound(message(), directory, custom, NOW);
    expect(decision.kind === 'request' && decision.decision.rulesetVersion).toBe('custom-1');
  });
});

describe('routeInbound — answers', () => {
  it('an answer with inReplyTo is handed back for the caller to attach', () => {
    const answer = {
      inReplyTo: 'req-0001',
      originCountry: 'NL',
      channel: 'siena' as const,
      receivedAt: RECEIVED_AT,
    };
    expect(routeInbound(answer, directory, undefined, NOW)).toEqual({
      kind: 'answer',
      inReplyTo: 'req-0001',
    });
  });

  it('a known request: attach', () => {
    expect(resolveInboundAnswer({ inReplyTo: 'req-0001' }, true, directory)).toEqual({
      action: 'attach',
      requestId: 'req-0001',
    });
  });

  it('an unknown request: the SPOC queue, never lost', () => {
    const disposition = resolveInboundAnswer({ inReplyTo: 'req-9999' }, false, directory);
    expect(disposition).toMatchObject({ action: 'spoc_queue', destination: 'CGI-SPOC' });
    expect(disposition.action === 'spoc_queue' && disposition.reason).toContain('req-9999');
  });
});

describe('inboundMessageSchema', () => {
  it('accepts a request and an answer', () => {
    expect(inboundMessageSchema.safeParse(message({ region: 'liege', urgency: URGENT })).success).toBe(true);
    expect(
      inboundMessageSchema.safeParse({
        inReplyTo: 'r',
        originCountry: 'NL',
        channel: 'siena',
        receivedAt: RECEIVED_AT,
      }).success,
    ).toBe(true);
  });

  it('refuses an unknown channel, a bad country and a zone-less time', () => {
    expect(inboundMessageSchema.safeParse(message({ channel: 'telex' as never })).success).toBe(false);
    expect(inboundMessageSchema.safeParse(message({ originCountry: 'nl' })).success).toBe(false);
    expect(inboundMessageSchema.safeParse(message({ receivedAt: '2025-03-14T10:00:00' })).success).toBe(
      false,
    );
  });
});
