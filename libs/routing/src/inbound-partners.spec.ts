import { routeInbound, type InboundRequestDecision, type InboundRequestMessage } from './inbound';
import { inboundPartner, originStateOf, type InboundPartner } from './inbound-partners';
import { defaultDirectory } from './ruleset.loader';
import { NOW, RECEIVED_AT } from './testing/routing.fixtures';

const directory = defaultDirectory();

function partner(channel: string, id: string): InboundPartner {
  const found = inboundPartner(directory, channel, id);
  if (!found.ok) throw new Error(found.reason);
  return found.partner;
}

describe('inboundPartner — who may write to us over which channel', () => {
  it('knows countries, the directory’s centres and posts, and Europol, each on its own channel', () => {
    expect(partner('siena', 'NL')).toMatchObject({
      kind: 'country',
      name: 'Netherlands',
      defaultState: 'NL',
    });
    expect(partner('pccc', 'PCCC-HEERLEN')).toMatchObject({ kind: 'pccc_centre', states: ['DE', 'NL'] });
    expect(partner('pccc', 'PCCC-TOURNAI')).toMatchObject({ states: ['FR'], defaultState: 'FR' });
    expect(partner('liaison_officer', 'LO-WASHINGTON')).toMatchObject({
      kind: 'liaison_post',
      states: ['US', 'CA'],
      defaultState: 'US',
    });
    expect(partner('europol', 'EUROPOL')).toEqual({
      channel: 'europol',
      id: 'EUROPOL',
      kind: 'europol',
      name: 'Europol',
      states: [],
    });
  });

  it.each([
    ['pccc', 'PCCC-VIENNA', /no police and customs cooperation centre PCCC-VIENNA/],
    ['pccc', 'FR', /no police and customs cooperation centre FR/],
    ['liaison_officer', 'US', /no liaison post US/],
    ['europol', 'NL', /partner is EUROPOL/],
    ['siena', 'EUROPOL', /foreign countries/],
    ['interpol', 'BE', /foreign countries/],
    ['national_unit', 'FGP-ANTWERPEN', /not a channel foreign partners use/],
  ])('refuses %s/%s', (channel, id, why) => {
    const found = inboundPartner(directory, channel, id);
    expect(found.ok ? 'accepted' : found.reason).toMatch(why);
  });

  it('takes the state a request names only from those the partner speaks for', () => {
    const heerlen = partner('pccc', 'PCCC-HEERLEN');
    expect(originStateOf(directory, heerlen, 'DE')).toEqual({ ok: true, state: 'DE' });
    expect(originStateOf(directory, heerlen, undefined)).toEqual({
      ok: false,
      reason: expect.stringMatching(/speaks for DE, NL: the request must name one/),
    });
    expect(originStateOf(directory, heerlen, 'FR')).toMatchObject({ ok: false });
    const europol = partner('europol', 'EUROPOL');
    expect(originStateOf(directory, europol, undefined)).toEqual({ ok: true, state: undefined });
    expect(originStateOf(directory, europol, 'AT')).toEqual({ ok: true, state: 'AT' });
    expect(originStateOf(directory, europol, 'US')).toMatchObject({ ok: false });
    expect(originStateOf(directory, partner('siena', 'NL'), 'DE')).toMatchObject({ ok: false });
  });
});

describe('routeInbound — requests from partners that are not countries', () => {
  function route(overrides: Partial<InboundRequestMessage>): InboundRequestDecision {
    const decision = routeInbound(
      {
        requestId: 'in-0001',
        channel: 'siena',
        receivedAt: RECEIVED_AT,
        offenceCategory: 'drug_trafficking',
        urgency: { urgent: false },
        accessibility: 'indirect',
        handlingCode: 'H1',
        ...overrides,
      },
      directory,
      undefined,
      NOW,
    );
    if (decision.kind !== 'request') throw new Error('expected a request');
    return decision;
  }

  it('routes a PCCC’s request like its state’s, names the centre, and replies to the centre', () => {
    const decision = route({
      channel: 'pccc',
      partner: 'PCCC-HEERLEN',
      originCountry: 'NL',
      region: 'liege',
    });
    expect(decision.decision.routes).toEqual([
      expect.objectContaining({ destination: 'PJF-LIEGE', ruleId: 'IN-CONTACT-POINT' }),
    ]);
    expect(decision.decision.routes[0].reason).toMatch(
      /^Request from PCCC Heerlen, for Netherlands \(PCCC-HEERLEN\)/,
    );
    expect(decision.decision.deadline.basis).toBe('standard_7d');
    expect(decision.replyVia).toEqual({ channel: 'pccc', destination: 'PCCC-HEERLEN' });
  });

  it('gives a liaison post’s request the clock of the state behind it', () => {
    const decision = route({ channel: 'liaison_officer', partner: 'LO-WASHINGTON', originCountry: 'US' });
    expect(decision.decision.deadline.basis).toBe('none');
    expect(decision.replyVia).toEqual({ channel: 'liaison_officer', destination: 'LO-WASHINGTON' });
  });

  it('runs Europol’s own request on the Union’s clock, with no state behind it', () => {
    const decision = route({ channel: 'europol', partner: 'EUROPOL', offenceCategory: 'terrorism' });
    expect(decision.decision.routes[0]).toMatchObject({ destination: 'DJSOC-TERRO' });
    expect(decision.decision.routes[0].reason).toMatch(/^Request from Europol \(EUROPOL\) about terrorism/);
    expect(decision.decision.deadline.basis).toBe('standard_7d');
    expect(decision.replyVia).toEqual({ channel: 'europol', destination: 'EUROPOL' });
  });

  it('refuses a request that names no partner at all', () => {
    expect(() => route({})).toThrow(/names no partner/);
  });
});
