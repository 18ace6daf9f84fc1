import { alwaysHolds, canHold } from './condition-analysis';
import { loadRuleset } from './ruleset.loader';
import { defaultDirectory, defaultRuleset } from './ruleset.loader';
import { parseRuleset, parseRulesetText, type Condition, type Rule, type Ruleset } from './ruleset.schema';
import { validateRuleset, type RulesetIssue } from './validate-ruleset';

const directory = defaultDirectory();
const base = defaultRuleset();

const siena: Rule['then'] = {
  type: 'route',
  channel: 'siena',
  role: 'primary',
  destination: 'country',
  reason: 'r',
};
function rule(id: string, when: Condition, overrides: Partial<Rule> = {}): Rule {
  return { id, scope: 'outbound.target', group: 'primary', priority: 100, when, then: siena, ...overrides };
}
function withRules(...rules: Rule[]): Ruleset {
  return { version: 't', description: 't', rules: [...base.rules, ...rules] };
}
const issuesOf = (ruleset: Ruleset, code?: RulesetIssue['code']) =>
  validateRuleset(ruleset, directory).issues.filter((i) => code === undefined || i.code === code);

describe('parseRuleset — the shape, with paths', () => {
  it('accepts the shipped rule set', () => {
    expect(parseRuleset(JSON.parse(JSON.stringify(base))).ok).toBe(true);
  });

  it('names every bad field by its path', () => {
    const result = parseRuleset({
      version: '',
      description: 'x',
      rules: [
        { id: 'bad id', scope: 'outbound.target', priority: 1.5, when: { always: true }, then: siena },
        {
          id: 'OK-1',
          scope: 'outbound.sideways',
          priority: 1,
          when: {
            all: [
              { fact: 'request.urgent', equals: true, present: true },
              { fact: 'x' },
              { sometimes: true },
            ],
          },
          then: { type: 'route', channel: 'siena', role: 'boss', destination: 'moon', reason: '' },
        },
        {
          id: 'OK-2',
          scope: 'deadline',
          priority: 1,
          when: {},
          then: { type: 'deadline', basis: 'soon', after: { weeks: 1 } },
        },
        { id: 'OK-3', scope: 'deadline', priority: 1, when: { always: true }, then: { type: 'teleport' } },
      ],
      extra: 1,
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'version',
        'rules[0].id',
        'rules[0].priority',
        'rules[1].scope',
        'rules[1].when.all[0]',
        'rules[1].when.all[1]',
        'rules[1].when.all[2]',
        'rules[1].then.role',
        'rules[1].then.destination',
        'rules[1].then.reason',
        'rules[2].when',
        'rules[2].then.basis',
        'rules[2].then.after',
        'rules[3].then.type',
        '',
      ]),
    );
  });

  it('reports text that is not JSON at the root', () => {
    expect(parseRulesetText('{ nope')).toMatchObject({ ok: false, errors: [{ path: '' }] });
  });
});

describe('validateRuleset — meaning', () => {
  it('finds nothing wrong with the shipped rule set and directory', () => {
    expect(validateRuleset(base, directory)).toEqual({ valid: true, issues: [] });
  });

  it('reports an unknown channel with its path', () => {
    const bad = withRules(
      rule(
        'OUT-TELEX',
        { fact: 'country.code', equals: 'NL' },
        { then: { ...siena, channel: 'telex' }, priority: 50 },
      ),
    );
    const [issue] = issuesOf(bad, 'UNKNOWN_CHANNEL');
    expect(issue).toMatchObject({
      severity: 'error',
      path: `rules[${base.rules.length}].then.channel`,
      ruleId: 'OUT-TELEX',
    });
    expect(validateRuleset(bad, directory).valid).toBe(false);
  });

  it('reports an unknown channel in the directory fallbacks', () => {
    const dir = {
      ...directory,
      channelFallbacks: {
        ...directory.channelFallbacks,
        siena: [{ channel: 'fax', destination: 'country' as const }],
      },
    };
    expect(validateRuleset(base, dir).issues).toEqual([
      expect.objectContaining({
        code: 'UNKNOWN_CHANNEL',
        path: 'directory.channelFallbacks.siena[0].channel',
      }),
    ]);
  });

  it('refuses missionType as a fact, saying why', () => {
    const bad = withRules(
      rule('OUT-ADMIN', { fact: 'request.missionType', equals: 'administrative' }, { priority: 50 }),
    );
    const [issue] = issuesOf(bad, 'UNKNOWN_FACT');
    expect(issue?.path).toBe(`rules[${base.rules.length}].when.fact`);
    expect(issue?.message).toContain('never depends on the mission type');
  });

  it('reports facts outside their scope, ill-typed values and unknown placeholders', () => {
    const bad = withRules(
      rule(
        'REQ-X',
        { fact: 'country.isEuMember', equals: true },
        {
          scope: 'outbound.request',
          group: undefined,
          then: {
            type: 'route',
            channel: 'national_spoc',
            role: 'copy',
            destination: 'spoc_unit',
            reason: 'to {country}',
          },
        },
      ),
      rule(
        'OUT-Y',
        {
          all: [
            { fact: 'request.urgent', equals: 'yes' },
            { fact: 'request.accessibility', in: ['direct', 'sideways'] },
          ],
        },
        { priority: 50 },
      ),
    );
    const codes = issuesOf(bad).map((i) => [i.code, i.path]);
    const n = base.rules.length;
    expect(codes).toEqual(
      expect.arrayContaining([
        ['FACT_NOT_IN_SCOPE', `rules[${n}].when.fact`],
        ['UNKNOWN_PLACEHOLDER', `rules[${n}].then.reason`],
        ['FACT_VALUE_TYPE', `rules[${n + 1}].when.all[0].equals`],
        ['FACT_VALUE_TYPE', `rules[${n + 1}].when.all[1].in[1]`],
      ]),
    );
  });

  it.each<[string, Condition]>([
    [
      'equals true and equals false of the same fact',
      {
        all: [
          { fact: 'request.urgent', equals: true },
          { fact: 'request.urgent', equals: false },
        ],
      },
    ],
    [
      'present and absent',
      {
        all: [
          { fact: 'request.lookup', present: true },
          { fact: 'request.lookup', present: false },
        ],
      },
    ],
    ['absent for a fact that is always there', { fact: 'country.isEuMember', present: false }],
    ['a value outside the fact’s closed set', { fact: 'request.accessibility', equals: 'sideways' }],
    [
      'disjoint in-lists',
      {
        all: [
          { fact: 'request.handlingCode', in: ['H0', 'H1'] },
          { fact: 'request.handlingCode', in: ['H2'] },
        ],
      },
    ],
    [
      'equals and not equals',
      { all: [{ fact: 'country.code', equals: 'NL' }, { not: { fact: 'country.code', equals: 'NL' } }] },
    ],
    ['not always', { not: { always: true } }],
    ['an empty any', { any: [] }],
    [
      'a value below atLeast',
      {
        all: [
          { fact: 'request.targetCount', equals: 1 },
          { fact: 'request.targetCount', atLeast: 2 },
        ],
      },
    ],
    [
      'nested: not (a or b) with a',
      {
        all: [
          {
            not: {
              any: [
                { fact: 'request.urgent', equals: true },
                { fact: 'request.urgent', equals: false },
              ],
            },
          },
        ],
      },
    ],
  ])('detects a rule that never fires: %s', (_name, when) => {
    expect(canHold(when)).toBe(false);
    const issues = issuesOf(withRules(rule('OUT-DEAD', when, { priority: 50 })), 'NEVER_FIRES');
    expect(issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        ruleId: 'OUT-DEAD',
        path: `rules[${base.rules.length}].when`,
      }),
    ]);
  });

  it.each<[string, Condition]>([
    [
      'an optional fact may be absent while not equal',
      {
        all: [
          { fact: 'request.borderRegion', present: false },
          { not: { fact: 'request.borderRegion', equals: true } },
        ],
      },
    ],
    [
      'an any with one live branch',
      { any: [{ not: { always: true } }, { fact: 'request.urgent', equals: true }] },
    ],
    [
      'an open string domain',
      { all: [{ fact: 'country.code', equals: 'NL' }, { not: { fact: 'country.code', equals: 'DE' } }] },
    ],
  ])('does not flag a live condition: %s', (_name, when) => {
    expect(canHold(when)).toBe(true);
  });

  it('knows unconditional conditions', () => {
    expect(alwaysHolds({ always: true })).toBe(true);
    expect(alwaysHolds({ all: [] })).toBe(true);
    expect(alwaysHolds({ fact: 'request.urgent', in: [true, false] })).toBe(true);
    expect(alwaysHolds({ fact: 'request.borderRegion', in: [true, false] })).toBe(false);
    expect(alwaysHolds({ fact: 'request.urgent', equals: true })).toBe(false);
  });

  it('detects a rule shadowed by an earlier unconditional rule of its first-match group', () => {
    const late = rule('OUT-NEVER', { fact: 'country.code', equals: 'NL' }, { priority: 550 });
    const [issue] = issuesOf(withRules(late), 'SHADOWED');
    expect(issue).toMatchObject({
      severity: 'error',
      ruleId: 'OUT-NEVER',
      path: `rules[${base.rules.length}]`,
    });
    expect(issue?.message).toContain('OUT-THIRD-INTERPOL');
  });

  it('detects a rule shadowed by earlier rules together', () => {
    const yes = rule('OUT-A', { fact: 'request.urgent', equals: true }, { priority: 10 });
    const no = rule('OUT-B', { fact: 'request.urgent', equals: false }, { priority: 20 });
    const dead = rule('OUT-C', { fact: 'request.handlingCode', equals: 'H2' }, { priority: 30 });
    const [issue] = issuesOf(withRules(yes, no, dead), 'SHADOWED');
    expect(issue).toMatchObject({ ruleId: 'OUT-C' });
    expect(issue?.message).toContain('OUT-A, OUT-B');
  });

  it('does not count a rule whose destination may be missing as closing the group', () => {
    const pccc = rule(
      'OUT-ALL-PCCC',
      { always: true },
      { priority: 10, then: { ...siena, channel: 'pccc', destination: 'pccc_centre' } },
    );
    expect(issuesOf(withRules(pccc), 'SHADOWED')).toEqual([]);
  });

  it('does not report rules of other groups or without group', () => {
    const parallel = rule(
      'OUT-P',
      { fact: 'country.code', equals: 'NL' },
      {
        priority: 999,
        group: undefined,
        then: { ...siena, role: 'parallel' },
      },
    );
    expect(issuesOf(withRules(parallel), 'SHADOWED')).toEqual([]);
  });

  it('treats the deadline scope as one first-match list', () => {
    const late = rule(
      'DL-LATE',
      { fact: 'request.urgent', equals: true },
      {
        scope: 'deadline',
        group: undefined,
        priority: 500,
        then: { type: 'deadline', basis: 'urgent_direct_8h', after: { hours: 8 } },
      },
    );
    expect(issuesOf(withRules(late), 'SHADOWED')).toEqual([expect.objectContaining({ ruleId: 'DL-LATE' })]);
  });

  it('reports duplicate ids, actions out of scope and malformed deadlines', () => {
    const bad = withRules(
      { ...base.rules[0] },
      rule(
        'OUT-DL',
        { always: true },
        { priority: 1, group: 'other', then: { type: 'deadline', basis: 'none', after: { hours: 1 } } },
      ),
      rule(
        'DL-BAD',
        { always: true },
        {
          scope: 'deadline',
          group: undefined,
          priority: 1,
          then: { type: 'deadline', basis: 'standard_7d', after: null },
        },
      ),
    );
    const codes = issuesOf(bad).map((i) => i.code);
    expect(codes).toEqual(
      expect.arrayContaining(['DUPLICATE_RULE_ID', 'ACTION_NOT_IN_SCOPE', 'DEADLINE_SHAPE']),
    );
  });

  it('warns when a country could be left without a primary route', () => {
    const partial: Ruleset = { ...base, rules: base.rules.filter((r) => r.id !== 'OUT-THIRD-INTERPOL') };
    const result = validateRuleset(partial, directory);
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'NO_CATCH_ALL' })]);
  });

  it('warns about a country two liaison posts are accredited for', () => {
    const dir = {
      ...directory,
      liaisonPosts: [
        ...directory.liaisonPosts,
        { id: 'LO-OTTAWA', city: 'Ottawa', hostCountry: 'CA', accreditedFor: ['CA'], seed: true },
      ],
    };
    expect(validateRuleset(base, dir).issues).toEqual([
      expect.objectContaining({ code: 'AMBIGUOUS_LIAISON' }),
    ]);
  });
});

describe('loadRuleset — parse, validate, hash', () => {
  it('loads the shipped rule set with its hash', () => {
    const result = loadRuleset(JSON.parse(JSON.stringify(base)), directory);
    expect(result.ok && result.value.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns shape errors, then meaning errors', () => {
    expect(loadRuleset({ version: 1 }, directory).ok).toBe(false);
    const dead = withRules(rule('OUT-DEAD', { not: { always: true } }, { priority: 1 }));
    const result = loadRuleset(JSON.parse(JSON.stringify(dead)), directory);
    expect(result.ok ? [] : result.errors).toEqual([expect.objectContaining({ code: 'NEVER_FIRES' })]);
  });
});
