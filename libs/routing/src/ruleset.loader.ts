import defaultDirectoryJson from '../directory/default.directory.json';
import defaultRulesetJson from '../rulesets/default.ruleset.json';
import { parseDirectory, type Directory } from './directory.schema';
import type { PathIssue } from './path';
import { RoutingError } from './routing.error';
import { rulesetHash } from './ruleset-hash';
import { parseRuleset, type Ruleset } from './ruleset.schema';
import { validateRuleset, type RulesetIssue } from './validate-ruleset';

/**
 * Loading is parse (shape) + validate (meaning) + hash. Reading files, databases or the
 * activation state is the caller's business: this library gets the JSON, not the file.
 */
export interface LoadedRuleset {
  ruleset: Ruleset;
  /** SHA-256 of the canonical JSON: record it beside the version to prove which rules decided. */
  hash: string;
  warnings: RulesetIssue[];
}

export type LoadRulesetResult =
  { ok: true; value: LoadedRuleset } | { ok: false; errors: Array<PathIssue | RulesetIssue> };

export function loadRuleset(json: unknown, directory: Directory): LoadRulesetResult {
  const parsed = parseRuleset(json);
  if (!parsed.ok) return parsed;
  const { issues } = validateRuleset(parsed.value, directory);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ruleset: parsed.value,
      hash: rulesetHash(parsed.value),
      warnings: issues.filter((i) => i.severity === 'warning'),
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function shipped<T>(what: string, result: { ok: true; value: T } | { ok: false; errors: PathIssue[] }): T {
  if (!result.ok) {
    const detail = result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new RoutingError('ROUTING.INVALID_RULESET', `the shipped ${what} is invalid: ${detail}`);
  }
  return deepFreeze(result.value);
}

let cachedDirectory: Directory | undefined;
let cachedRuleset: Ruleset | undefined;

/** The shipped seed directory (`libs/routing/directory/default.directory.json`), frozen. */
export function defaultDirectory(): Directory {
  cachedDirectory ??= shipped('directory', parseDirectory(structuredClone(defaultDirectoryJson)));
  return cachedDirectory;
}

/** The shipped default rule set (`libs/routing/rulesets/default.ruleset.json`, SPEC §4), frozen. */
export function defaultRuleset(): Ruleset {
  cachedRuleset ??= shipped('rule set', parseRuleset(structuredClone(defaultRulesetJson)));
  return cachedRuleset;
}
