import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { rulesetHash } from './ruleset-hash';
import { defaultRuleset } from './ruleset.loader';
import type { Ruleset } from './ruleset.schema';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units, recursively, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2 }], '€': 0, '\u0080': 1, A: 3 })).toBe(
      '{"A":3,"a":[true,null,{"c":2,"d":"x"}],"b":1,"\u0080":1,"€":0}',
    );
  });

  it('follows the RFC 8785 number and string examples', () => {
    // RFC 8785 §3.2.2.3 / appendix B samples.
    expect(canonicalJson([1e30, 4.5, 0.002, 1e-27, -0, 333333333.3333333])).toBe(
      '[1e+30,4.5,0.002,1e-27,0,333333333.3333333]',
    );
    expect(canonicalJson('\u20ac$\u000f\nA\'B"\\\\"/')).toBe('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], ['\uD800'], [() => 1], [10n]])('refuses %p', (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

describe('rulesetHash', () => {
  const ruleset = defaultRuleset();

  it('is the SHA-256 hex of the canonical JSON', () => {
    const expected = createHash('sha256').update(canonicalJson(ruleset)).digest('hex');
    expect(rulesetHash(ruleset)).toBe(expected);
    expect(rulesetHash(ruleset)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores key order and changes with any rule', () => {
    const reordered = JSON.parse(
      JSON.stringify({ rules: ruleset.rules, description: ruleset.description, version: ruleset.version }),
    ) as Ruleset;
    expect(rulesetHash(reordered)).toBe(rulesetHash(ruleset));
    const changed: Ruleset = {
      ...ruleset,
      rules: ruleset.rules.map((r, i) => (i === 0 ? { ...r, priority: r.priority + 1 } : r)),
    };
    expect(rulesetHash(changed)).not.toBe(rulesetHash(ruleset));
  });

  it('accepts another hash function', () => {
    expect(rulesetHash(ruleset, (s) => `len:${s.length}`)).toBe(`len:${canonicalJson(ruleset).length}`);
  });
});
