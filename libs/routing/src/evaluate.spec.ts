import type { OutboundRequestBody, Route, RoutingDecision } from '@ixr/domain';
import { ALL_CIRCUITS_CLOSED, type ChannelHealth } from './channel-health';
import { evaluate } from './evaluate';
import { RoutingError } from './routing.error';
import { defaultDirectory, defaultRuleset } from './ruleset.loader';
import type { Ruleset } from './ruleset.schema';
import { input, NOW, RECEIVED_AT, URGENT } from './testing/routing.fixtures';

const ruleset = defaultRuleset();
const directory = defaultDirectory();

function decide(
  bodyOverrides: Partial<OutboundRequestBody> = {},
  opts: { unit?: string; health?: ChannelHealth; receivedAt?: string } = {},
): RoutingDecision {
  return evaluate(
    input(bodyOverrides, {
      requestingUnit: opts.unit ?? 'PZ-5339',
      receivedAt: opts.receivedAt ?? RECEIVED_AT,
    }),
    ruleset,
    directory,
    opts.health ?? ALL_CIRCUITS_CLOSED,
    NOW,
  );
}

/** The code of the RoutingError `run` throws (undefined if it throws nothing or something else). */
function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error: unknown) {
    return error instanceof RoutingError ? error.code : undefined;
  }
  return undefined;
}

const pick = (r: Route) => ({
  channel: r.channel,
  destination: r.destination,
  role: r.role,
  ruleId: r.ruleId,
});
const hours = (h: number) => new Date(Date.parse(RECEIVED_AT) + h * 3_600_000).toISOString();

describe('evaluate — the named scenarios', () => {
  it('urgent direct request to NL about drug trafficking from PZ-5339: siena, europol copy, SPOC copy, 8 h', () => {
    const decision = decide({ targetCountries: ['NL'], urgency: URGENT, accessibility: 'direct' });
    expect(decision.routes.map(pick)).toEqual([
      { channel: 'siena', destination: 'NL', role: 'primary', ruleId: 'OUT-EU-SIENA' },
      { channel: 'national_spoc', destination: 'CGI-SPOC', role: 'copy', ruleId: 'REQ-SPOC-COPY' },
      { channel: 'europol', destination: 'EUROPOL', role: 'copy', ruleId: 'REQ-EUROPOL-COPY' },
    ]);
    expect(decision.europolCopy.copy).toBe(true);
    expect(decision.deadline).toEqual({ at: hours(8), basis: 'urgent_direct_8h' });
    expect(decision).toMatchObject({
      requestId: 'req-0001',
      rulesetVersion: ruleset.version,
      decidedAt: NOW,
    });
  });

  it('the same request with missionType administrative gives the identical decision', () => {
    const judicial = decide({ urgency: URGENT, missionType: 'judicial' });
    const administrative = decide({ urgency: URGENT, missionType: 'administrative' });
    expect(JSON.stringify(administrative)).toBe(JSON.stringify(judicial));
  });

  it('US: interpol primary plus the Washington liaison officer in parallel', () => {
    const { routes } = decide({ targetCountries: ['US'] });
    expect(routes.slice(0, 2).map(pick)).toEqual([
      { channel: 'interpol', destination: 'US', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' },
      {
        channel: 'liaison_officer',
        destination: 'LO-WASHINGTON',
        role: 'parallel',
        ruleId: 'OUT-THIRD-LIAISON',
      },
    ]);
    expect(routes[1]?.reason).toContain('Washington');
  });

  it('a SIS alert goes to sirene', () => {
    const { routes } = decide({ targetCountries: ['FR'], sisAlert: { reference: 'FR1234567', article: 26 } });
    expect(pick(routes[0])).toEqual({
      channel: 'sirene',
      destination: 'FR',
      role: 'primary',
      ruleId: 'OUT-SIS-SIRENE',
    });
    expect(routes[0]?.reason).toContain('Art 26');
  });

  it('a DNA lookup in DE goes through prum', () => {
    const { routes } = decide({ targetCountries: ['DE'], lookup: 'dna' });
    expect(pick(routes[0])).toEqual({
      channel: 'prum',
      destination: 'DE',
      role: 'primary',
      ruleId: 'OUT-PRUM-LOOKUP',
    });
  });

  it('a border-region matter with FR goes to the PCCC of Tournai', () => {
    const { routes } = decide({ targetCountries: ['FR'], borderRegion: true });
    expect(pick(routes[0])).toEqual({
      channel: 'pccc',
      destination: 'PCCC-TOURNAI',
      role: 'primary',
      ruleId: 'OUT-BORDER-PCCC',
    });
    expect(routes[0]?.reason).toContain('Tournai');
  });

  it('an open siena circuit to NL: the directory fallback (interpol) with the technical-incident reason', () => {
    const { routes } = decide(
      { targetCountries: ['NL'] },
      { health: { open: [{ channel: 'siena', destination: 'NL' }] } },
    );
    const first = routes[0];
    expect(pick(first)).toEqual({
      channel: 'interpol',
      destination: 'NL',
      role: 'fallback',
      ruleId: 'OUT-FALLBACK-INCIDENT',
    });
    expect(first.reason).toContain('technical incident');
    expect(first.reason).toContain('Directive 2023/977 Art 13(2)(c)');
    expect(routes.filter((r) => r.role === 'primary')).toEqual([]);
  });
});

describe('evaluate — one table row per point of SPEC §4.1', () => {
  type Row = [
    string,
    Partial<OutboundRequestBody>,
    { unit?: string; health?: ChannelHealth },
    Array<ReturnType<typeof pick>>,
  ];
  const rows: Row[] = [
    [
      '1 sisAlert → sirene, even for a third country',
      { targetCountries: ['US'], sisAlert: { reference: 'X1', article: 36 } },
      {},
      [{ channel: 'sirene', destination: 'US', role: 'primary', ruleId: 'OUT-SIS-SIRENE' }],
    ],
    [
      '1 sisAlert beats lookup and borderRegion',
      {
        targetCountries: ['FR'],
        sisAlert: { reference: 'X1', article: 26 },
        lookup: 'dna',
        borderRegion: true,
      },
      {},
      [{ channel: 'sirene', destination: 'FR', role: 'primary', ruleId: 'OUT-SIS-SIRENE' }],
    ],
    [
      '2 lookup in a Prüm country → prum',
      { targetCountries: ['PL'], lookup: 'vehicle_registration' },
      {},
      [{ channel: 'prum', destination: 'PL', role: 'primary', ruleId: 'OUT-PRUM-LOOKUP' }],
    ],
    [
      '2 lookup beats borderRegion',
      { targetCountries: ['NL'], lookup: 'fingerprints', borderRegion: true },
      {},
      [{ channel: 'prum', destination: 'NL', role: 'primary', ruleId: 'OUT-PRUM-LOOKUP' }],
    ],
    [
      '2 lookup in a Schengen-associated country (not Prüm here) → siena',
      { targetCountries: ['NO'], lookup: 'dna' },
      {},
      [{ channel: 'siena', destination: 'NO', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '2 lookup in a third country → interpol',
      { targetCountries: ['CN'], lookup: 'dna' },
      {},
      [{ channel: 'interpol', destination: 'CN', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' }],
    ],
    [
      '3 EU member state → siena',
      { targetCountries: ['IT'] },
      {},
      [{ channel: 'siena', destination: 'IT', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '3 Schengen-associated → siena',
      { targetCountries: ['CH'] },
      {},
      [{ channel: 'siena', destination: 'CH', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '3 borderRegion with LU → PCCC Luxembourg',
      { targetCountries: ['LU'], borderRegion: true },
      {},
      [{ channel: 'pccc', destination: 'PCCC-LUXEMBOURG', role: 'primary', ruleId: 'OUT-BORDER-PCCC' }],
    ],
    [
      '3 borderRegion with DE → PCCC Heerlen (directory choice)',
      { targetCountries: ['DE'], borderRegion: true },
      {},
      [{ channel: 'pccc', destination: 'PCCC-HEERLEN', role: 'primary', ruleId: 'OUT-BORDER-PCCC' }],
    ],
    [
      '3 borderRegion with NL → PCCC Heerlen',
      { targetCountries: ['NL'], borderRegion: true },
      {},
      [{ channel: 'pccc', destination: 'PCCC-HEERLEN', role: 'primary', ruleId: 'OUT-BORDER-PCCC' }],
    ],
    [
      '3 borderRegion with a country without centre → siena',
      { targetCountries: ['AT'], borderRegion: true },
      {},
      [{ channel: 'siena', destination: 'AT', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '3 borderRegion false with FR → siena',
      { targetCountries: ['FR'], borderRegion: false },
      {},
      [{ channel: 'siena', destination: 'FR', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '4 third country without liaison officer → interpol only',
      { targetCountries: ['CN'] },
      {},
      [{ channel: 'interpol', destination: 'CN', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' }],
    ],
    [
      '4 country unknown to the directory → interpol',
      { targetCountries: ['JP'] },
      {},
      [{ channel: 'interpol', destination: 'JP', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' }],
    ],
    [
      '4 MD (Bucharest accredited) → interpol + liaison officer',
      { targetCountries: ['MD'] },
      {},
      [
        { channel: 'interpol', destination: 'MD', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' },
        {
          channel: 'liaison_officer',
          destination: 'LO-BUCHAREST',
          role: 'parallel',
          ruleId: 'OUT-THIRD-LIAISON',
        },
      ],
    ],
    [
      '4 no liaison parallel when the primary is not interpol (RO is EU, Bucharest accredited)',
      { targetCountries: ['RO'] },
      {},
      [{ channel: 'siena', destination: 'RO', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '5 siena open for RO → liaison officer (accredited)',
      { targetCountries: ['RO'] },
      { health: { open: [{ channel: 'siena', destination: 'RO' }] } },
      [
        {
          channel: 'liaison_officer',
          destination: 'LO-BUCHAREST',
          role: 'fallback',
          ruleId: 'OUT-FALLBACK-INCIDENT',
        },
      ],
    ],
    [
      '5 siena open everywhere → interpol for NL',
      { targetCountries: ['NL'] },
      { health: { open: [{ channel: 'siena' }] } },
      [{ channel: 'interpol', destination: 'NL', role: 'fallback', ruleId: 'OUT-FALLBACK-INCIDENT' }],
    ],
    [
      '5 siena open for NL only: DE keeps siena',
      { targetCountries: ['DE'] },
      { health: { open: [{ channel: 'siena', destination: 'NL' }] } },
      [{ channel: 'siena', destination: 'DE', role: 'primary', ruleId: 'OUT-EU-SIENA' }],
    ],
    [
      '5 sirene open → siena, whose circuit is closed',
      { targetCountries: ['ES'], sisAlert: { reference: 'X1', article: 32 } },
      { health: { open: [{ channel: 'sirene' }] } },
      [{ channel: 'siena', destination: 'ES', role: 'fallback', ruleId: 'OUT-FALLBACK-INCIDENT' }],
    ],
    [
      '5 sirene and siena open → interpol (the first fallback with a closed circuit)',
      { targetCountries: ['ES'], sisAlert: { reference: 'X1', article: 32 } },
      { health: { open: [{ channel: 'sirene' }, { channel: 'siena' }] } },
      [{ channel: 'interpol', destination: 'ES', role: 'fallback', ruleId: 'OUT-FALLBACK-INCIDENT' }],
    ],
    [
      '5 pccc centre open → siena',
      { targetCountries: ['FR'], borderRegion: true },
      { health: { open: [{ channel: 'pccc', destination: 'PCCC-TOURNAI' }] } },
      [{ channel: 'siena', destination: 'FR', role: 'fallback', ruleId: 'OUT-FALLBACK-INCIDENT' }],
    ],
    [
      '5 interpol open for US → the liaison officer replaces it, no duplicate parallel',
      { targetCountries: ['US'] },
      { health: { open: [{ channel: 'interpol', destination: 'US' }] } },
      [
        {
          channel: 'liaison_officer',
          destination: 'LO-WASHINGTON',
          role: 'fallback',
          ruleId: 'OUT-FALLBACK-INCIDENT',
        },
      ],
    ],
    [
      '5 interpol open for CN, no fallback available → the primary stays',
      { targetCountries: ['CN'] },
      { health: { open: [{ channel: 'interpol', destination: 'CN' }] } },
      [{ channel: 'interpol', destination: 'CN', role: 'primary', ruleId: 'OUT-THIRD-INTERPOL' }],
    ],
  ];

  it.each(rows)('%s', (_name, overrides, opts, expected) => {
    const decision = decide(
      { offence: { category: 'other', description: 'x' }, ...overrides },
      { unit: 'CGI-SPOC', ...opts },
    );
    expect(decision.routes.map(pick)).toEqual(expected);
  });

  it('6 a unit other than the SPOC: national_spoc copy to the SPOC unit', () => {
    const { routes } = decide({ offence: { category: 'other', description: 'x' } }, { unit: 'PZ-5339' });
    const copy = routes.find((r) => r.channel === 'national_spoc');
    expect(copy).toMatchObject({ destination: 'CGI-SPOC', role: 'copy', ruleId: 'REQ-SPOC-COPY' });
    expect(copy?.reason).toContain('PZ-5339');
  });

  it('6 the SPOC itself: no national_spoc copy', () => {
    const { routes } = decide({}, { unit: 'CGI-SPOC' });
    expect(routes.some((r) => r.channel === 'national_spoc')).toBe(false);
  });

  it('6 the SPOC unit id comes from the directory', () => {
    const other = { ...directory, spocUnit: 'CGI-SPOC-2' };
    const decision = evaluate(
      input({}, { requestingUnit: 'CGI-SPOC' }),
      ruleset,
      other,
      ALL_CIRCUITS_CLOSED,
      NOW,
    );
    expect(decision.routes.find((r) => r.channel === 'national_spoc')?.destination).toBe('CGI-SPOC-2');
  });

  const europolRows: Array<[string, Partial<OutboundRequestBody>, boolean, string]> = [
    ['mandate and BE + NL', { targetCountries: ['NL'] }, true, 'REQ-EUROPOL-COPY'],
    ['mandate, BE + DE + US', { targetCountries: ['US', 'DE'] }, true, 'REQ-EUROPOL-COPY'],
    ['mandate, BE only (US)', { targetCountries: ['US'] }, false, 'REQ-EUROPOL-NO-COPY-SINGLE-STATE'],
    [
      'mandate, BE + Schengen-associated NO only',
      { targetCountries: ['NO'] },
      false,
      'REQ-EUROPOL-NO-COPY-SINGLE-STATE',
    ],
    [
      'outside mandate (other), BE + NL + DE',
      { targetCountries: ['NL', 'DE'], offence: { category: 'other', description: 'x' } },
      false,
      'REQ-EUROPOL-NO-COPY-MANDATE',
    ],
    [
      'cybercrime to FR',
      { targetCountries: ['FR'], offence: { category: 'cybercrime', description: 'x' } },
      true,
      'REQ-EUROPOL-COPY',
    ],
  ];
  it.each(europolRows)('7 europol copy: %s', (_name, overrides, copy, basisRule) => {
    const decision = decide(overrides);
    expect(decision.europolCopy.copy).toBe(copy);
    expect(decision.routes.some((r) => r.channel === 'europol')).toBe(copy);
    const reasons = {
      'REQ-EUROPOL-COPY': /within Europol's mandate .* EU member states are concerned/,
      'REQ-EUROPOL-NO-COPY-MANDATE': /outside Europol's mandate/,
      'REQ-EUROPOL-NO-COPY-SINGLE-STATE': /fewer than two EU member states/,
    } as Record<string, RegExp>;
    expect(decision.europolCopy.reason).toMatch(reasons[basisRule]);
    if (copy) {
      expect(decision.routes.find((r) => r.channel === 'europol')).toMatchObject({
        destination: 'EUROPOL',
        role: 'copy',
        ruleId: basisRule,
        reason: decision.europolCopy.reason,
      });
    }
  });
});

describe('evaluate — deadlines (SPEC §4.2)', () => {
  const rows: Array<[string, Partial<OutboundRequestBody>, RoutingDecision['deadline']]> = [
    [
      'urgent + direct → 8 h',
      { urgency: URGENT, accessibility: 'direct' },
      { at: hours(8), basis: 'urgent_direct_8h' },
    ],
    [
      'urgent + indirect → 3 calendar days',
      { urgency: URGENT, accessibility: 'indirect' },
      { at: hours(72), basis: 'urgent_indirect_3d' },
    ],
    [
      'not urgent + direct → 7 calendar days',
      { accessibility: 'direct' },
      { at: hours(168), basis: 'standard_7d' },
    ],
    [
      'not urgent + indirect → 7 calendar days',
      { accessibility: 'indirect' },
      { at: hours(168), basis: 'standard_7d' },
    ],
    [
      'only third countries → none',
      { targetCountries: ['US', 'CN'], urgency: URGENT },
      { at: null, basis: 'none' },
    ],
    [
      'a third country and an EU state → the clock runs',
      { targetCountries: ['US', 'NL'], urgency: URGENT },
      { at: hours(8), basis: 'urgent_direct_8h' },
    ],
    [
      'Schengen-associated only → the clock runs',
      { targetCountries: ['IS'] },
      { at: hours(168), basis: 'standard_7d' },
    ],
  ];
  it.each(rows)('%s', (_name, overrides, deadline) => {
    expect(decide(overrides).deadline).toEqual(deadline);
  });

  it('nights and weekends count: Friday 22:30 + 8 h is Saturday 06:30 UTC', () => {
    expect(decide({ urgency: URGENT }).deadline.at).toBe('2025-03-15T06:30:00.000Z');
  });

  it('counts from receipt given with an offset', () => {
    const d = decide({ urgency: URGENT }, { receivedAt: '2025-03-15T00:30:00+02:00' });
    expect(d.deadline.at).toBe('2025-03-15T06:30:00.000Z');
  });
});

describe('evaluate — shape and failures', () => {
  it('routes come per target country in request order, then per request', () => {
    const { routes } = decide({ targetCountries: ['US', 'NL', 'MA'] });
    expect(routes.map((r) => `${r.channel}:${r.destination}`)).toEqual([
      'interpol:US',
      'liaison_officer:LO-WASHINGTON',
      'siena:NL',
      'interpol:MA',
      'liaison_officer:LO-RABAT',
      'national_spoc:CGI-SPOC',
      'europol:EUROPOL',
    ]);
  });

  it('US and CA share the Washington post: one parallel route per country', () => {
    const { routes } = decide({ targetCountries: ['US', 'CA'] });
    const parallels = routes.filter((r) => r.role === 'parallel');
    expect(parallels.map((r) => r.destination)).toEqual(['LO-WASHINGTON', 'LO-WASHINGTON']);
    expect(parallels[1]?.reason).toContain('Canada (CA)');
  });

  it('keys come in SPEC §3 order', () => {
    const d = decide();
    expect(Object.keys(d)).toEqual([
      'requestId',
      'rulesetVersion',
      'decidedAt',
      'routes',
      'europolCopy',
      'deadline',
    ]);
    expect(Object.keys(d.routes[0])).toEqual(['channel', 'destination', 'role', 'ruleId', 'reason']);
  });

  it('accepts now as a Date', () => {
    const d = evaluate(input(), ruleset, directory, ALL_CIRCUITS_CLOSED, new Date(NOW));
    expect(d.decidedAt).toBe(NOW);
  });

  it.each([
    [
      'a receivedAt without a zone',
      () =>
        evaluate(
          input({}, { receivedAt: '2025-03-14T10:00:00' }),
          ruleset,
          directory,
          ALL_CIRCUITS_CLOSED,
          NOW,
        ),
    ],
    ['an invalid now', () => evaluate(input(), ruleset, directory, ALL_CIRCUITS_CLOSED, 'yesterday')],
    [
      'duplicate targets',
      () => evaluate(input({ targetCountries: ['NL', 'NL'] }), ruleset, directory, ALL_CIRCUITS_CLOSED, NOW),
    ],
    [
      'no target',
      () => evaluate(input({ targetCountries: [] }), ruleset, directory, ALL_CIRCUITS_CLOSED, NOW),
    ],
  ])('refuses %s with ROUTING.INVALID_INPUT', (_name, run) => {
    expect(errorCode(run)).toBe('ROUTING.INVALID_INPUT');
  });

  it('throws ROUTING.NO_ROUTE when the rule set leaves a country without a primary', () => {
    const partial: Ruleset = {
      ...ruleset,
      rules: ruleset.rules.filter((r) => r.id !== 'OUT-THIRD-INTERPOL'),
    };
    expect(() =>
      evaluate(input({ targetCountries: ['CN'] }), partial, directory, ALL_CIRCUITS_CLOSED, NOW),
    ).toThrow(/CN/);
    expect(
      errorCode(() =>
        evaluate(input({ targetCountries: ['CN'] }), partial, directory, ALL_CIRCUITS_CLOSED, NOW),
      ),
    ).toBe('ROUTING.NO_ROUTE');
  });

  it('throws ROUTING.INVALID_RULESET for an unknown channel or fact rather than guessing', () => {
    const badChannel: Ruleset = {
      ...ruleset,
      rules: ruleset.rules.map((r) =>
        r.id === 'OUT-EU-SIENA' && r.then.type === 'route'
          ? { ...r, then: { ...r.then, channel: 'telex' } }
          : r,
      ),
    };
    expect(errorCode(() => evaluate(input(), badChannel, directory, ALL_CIRCUITS_CLOSED, NOW))).toBe(
      'ROUTING.INVALID_RULESET',
    );
    const badFact: Ruleset = {
      ...ruleset,
      rules: [
        {
          ...ruleset.rules[0],
          when: { fact: 'request.missionType', equals: 'judicial' },
        },
        ...ruleset.rules,
      ],
    };
    expect(() => evaluate(input(), badFact, directory, ALL_CIRCUITS_CLOSED, NOW)).toThrow(
      /request.missionType/,
    );
  });
});

describe('evaluate — the policy is data', () => {
  it('a rule-set edit narrows SIS alerts to EU/Schengen countries without touching the engine', () => {
    const narrowed: Ruleset = {
      ...ruleset,
      version: 'narrowed-sis',
      rules: ruleset.rules.map((r) =>
        r.id === 'OUT-SIS-SIRENE'
          ? { ...r, when: { all: [r.when, { fact: 'country.isEuOrSchengen', equals: true }] } }
          : r,
      ),
    };
    const sis = { targetCountries: ['US', 'FR'], sisAlert: { reference: 'X1', article: 26 as const } };
    const routes = evaluate(input(sis), narrowed, directory, ALL_CIRCUITS_CLOSED, NOW).routes.filter(
      (r) => r.role === 'primary',
    );
    expect(routes.map((r) => `${r.channel}:${r.destination}`)).toEqual(['interpol:US', 'sirene:FR']);
  });

  it('a directory edit sends DE border matters to the Luxembourg centre', () => {
    const edited = {
      ...directory,
      countries: {
        ...directory.countries,
        DE: { ...directory.countries.DE, pcccCentre: 'PCCC-LUXEMBOURG' },
      },
    };
    const decision = evaluate(
      input({ targetCountries: ['DE'], borderRegion: true }),
      ruleset,
      edited,
      ALL_CIRCUITS_CLOSED,
      NOW,
    );
    expect(decision.routes[0]?.destination).toBe('PCCC-LUXEMBOURG');
  });
});
