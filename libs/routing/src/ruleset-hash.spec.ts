import { createHash } from 'node:crypto';
import { canonicalJson } from '@ixr/exchange-log';
import { rulesetHash, canonicalDocument } from './ruleset-hash';
import { defaultRuleset } from './ruleset.loader';
import type { Ruleset } from './ruleset.schema';

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

  it('drops members left undefined, as JSON.stringify does, so a parsed rule set hashes as its file', () => {
    const withUndefined = { ...ruleset, description: undefined } as unknown as Ruleset;
    const { description: _dropped, ...without } = ruleset;
    expect(canonicalDocument(withUndefined)).toBe(canonicalJson(without));
  });

  it('accepts another hash function', () => {
    expect(rulesetHash(ruleset, (s) => `len:${s.length}`)).toBe(`len:${canonicalJson(ruleset).length}`);
  });
});
