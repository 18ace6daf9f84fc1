import { CHANNELS } from '@ixr/domain';
import { alwaysHolds, canHold } from './condition-analysis';
import type { Directory } from './directory.schema';
import { factSpec, PLACEHOLDERS, type FactSpec } from './facts';
import { placeholdersOf } from './reason-template';
import type {
  Condition,
  DestinationSpec,
  FactTest,
  Rule,
  RuleScope,
  Ruleset,
  Scalar,
} from './ruleset.schema';

/**
 * What a rule set means, checked against the fact catalogue, the channels and a directory:
 * everything `parseRuleset` (the shape) cannot see. Errors block activation; warnings are for
 * the reviewer. A rule set with no errors never makes `evaluate` throw `ROUTING.INVALID_RULESET`.
 */

export const RULESET_ISSUE_CODES = [
  'DUPLICATE_RULE_ID',
  'UNKNOWN_FACT',
  'FACT_NOT_IN_SCOPE',
  'FACT_VALUE_TYPE',
  'UNKNOWN_CHANNEL',
  'ACTION_NOT_IN_SCOPE',
  'DESTINATION_NOT_IN_SCOPE',
  'ROLE_NOT_IN_SCOPE',
  'UNKNOWN_PLACEHOLDER',
  'DEADLINE_SHAPE',
  'EUROPOL_COPY_SHAPE',
  'NEVER_FIRES',
  'SHADOWED',
  'PRIMARY_WITHOUT_GROUP',
  'PRIMARY_NOT_YET_CHOSEN',
  'NO_CATCH_ALL',
  'AMBIGUOUS_LIAISON',
] as const;
export type RulesetIssueCode = (typeof RULESET_ISSUE_CODES)[number];

export interface RulesetIssue {
  severity: 'error' | 'warning';
  code: RulesetIssueCode;
  path: string;
  ruleId?: string;
  message: string;
}

export interface RulesetValidation {
  /** No errors (warnings allowed). */
  valid: boolean;
  issues: RulesetIssue[];
}

const ACTIONS_BY_SCOPE: Record<RuleScope, readonly Rule['then']['type'][]> = {
  'outbound.target': ['route', 'fallback'],
  'outbound.request': ['route', 'europol_copy'],
  'inbound.request': ['route', 'europol_copy'],
  deadline: ['deadline'],
};

const DESTINATIONS_BY_SCOPE: Record<RuleScope, readonly string[]> = {
  'outbound.target': ['country', 'pccc_centre', 'liaison_post', 'spoc_unit', 'spoc_duty_desk'],
  'outbound.request': ['spoc_unit', 'spoc_duty_desk'],
  'inbound.request': ['contact_point', 'origin_country', 'spoc_unit', 'spoc_duty_desk'],
  deadline: [],
};

/** Destination kinds that resolve for every request of the scope (others may be missing: a centre, a post…). */
const ALWAYS_RESOLVED: Record<RuleScope, readonly string[]> = {
  'outbound.target': ['country', 'spoc_unit', 'spoc_duty_desk'],
  'outbound.request': ['spoc_unit', 'spoc_duty_desk'],
  'inbound.request': ['origin_country', 'spoc_unit', 'spoc_duty_desk'],
  deadline: [],
};

const isChannel = (name: string) => (CHANNELS as readonly string[]).includes(name);
const alwaysResolved = (scope: RuleScope, d: DestinationSpec) =>
  typeof d !== 'string' || ALWAYS_RESOLVED[scope].includes(d);
const occupiesPrimary = (rule: Rule) =>
  rule.then.type === 'fallback' ||
  (rule.then.type === 'route' && (rule.then.role === 'primary' || rule.then.role === 'fallback'));

function testsOf(condition: Condition, path: string): Array<{ test: FactTest; path: string }> {
  if ('always' in condition) return [];
  if ('all' in condition) return condition.all.flatMap((c, i) => testsOf(c, `${path}.all[${i}]`));
  if ('any' in condition) return condition.any.flatMap((c, i) => testsOf(c, `${path}.any[${i}]`));
  if ('not' in condition) return testsOf(condition.not, `${path}.not`);
  return [{ test: condition, path }];
}

function describeValue(spec: FactSpec, value: Scalar): string | undefined {
  if (typeof value !== spec.type) return `is a ${spec.type}; ${JSON.stringify(value)} is a ${typeof value}`;
  if (spec.values !== undefined && !spec.values.includes(value)) {
    return `takes one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}; not ${JSON.stringify(value)}`;
  }
  return undefined;
}

export function validateRuleset(ruleset: Ruleset, directory: Directory): RulesetValidation {
  const issues: RulesetIssue[] = [];
  const report = (
    severity: RulesetIssue['severity'],
    code: RulesetIssueCode,
    path: string,
    message: string,
    ruleId?: string,
  ) =>
    issues.push(
      ruleId === undefined ? { severity, code, path, message } : { severity, code, path, ruleId, message },
    );

  const checkCondition = (condition: Condition, scope: RuleScope, path: string, ruleId?: string) => {
    for (const { test, path: testPath } of testsOf(condition, path)) {
      const spec = factSpec(test.fact);
      if (spec === undefined) {
        const hint = /missionType/i.test(test.fact)
          ? ' — the decision never depends on the mission type (SPEC §4), so it is not a fact'
          : '';
        report('error', 'UNKNOWN_FACT', `${testPath}.fact`, `unknown fact ${test.fact}${hint}`, ruleId);
        continue;
      }
      if (!spec.scopes.includes(scope)) {
        report(
          'error',
          'FACT_NOT_IN_SCOPE',
          `${testPath}.fact`,
          `fact ${test.fact} is not available in scope ${scope}`,
          ruleId,
        );
      }
      const values: Array<[Scalar, string]> =
        'equals' in test
          ? [[test.equals, `${testPath}.equals`]]
          : 'in' in test
            ? test.in.map((v, i): [Scalar, string] => [v, `${testPath}.in[${i}]`])
            : 'atLeast' in test
              ? [[test.atLeast, `${testPath}.atLeast`]]
              : [];
      for (const [value, valuePath] of values) {
        const problem =
          'atLeast' in test && spec.type !== 'number'
            ? `is a ${spec.type}; atLeast needs a number`
            : describeValue(spec, value);
        if (problem !== undefined)
          report('error', 'FACT_VALUE_TYPE', valuePath, `fact ${test.fact} ${problem}`, ruleId);
      }
    }
  };

  const checkRoute = (
    scope: RuleScope,
    route: { channel: string; destination: DestinationSpec },
    path: string,
    ruleId?: string,
  ) => {
    if (!isChannel(route.channel)) {
      report(
        'error',
        'UNKNOWN_CHANNEL',
        `${path}.channel`,
        `unknown channel ${route.channel}; known: ${CHANNELS.join(', ')}`,
        ruleId,
      );
    }
    if (typeof route.destination === 'string' && !DESTINATIONS_BY_SCOPE[scope].includes(route.destination)) {
      report(
        'error',
        'DESTINATION_NOT_IN_SCOPE',
        `${path}.destination`,
        `destination ${route.destination} does not exist in scope ${scope}`,
        ruleId,
      );
    }
  };

  const checkReason = (scope: RuleScope, reason: string, path: string, ruleId: string) => {
    for (const name of placeholdersOf(reason)) {
      if (!PLACEHOLDERS[scope].includes(name)) {
        report(
          'error',
          'UNKNOWN_PLACEHOLDER',
          path,
          `placeholder {${name}} is not available in scope ${scope}`,
          ruleId,
        );
      }
    }
  };

  const seen = new Map<string, number>();
  ruleset.rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    const first = seen.get(rule.id);
    if (first !== undefined)
      report(
        'error',
        'DUPLICATE_RULE_ID',
        `${at}.id`,
        `rule id ${rule.id} is already used by rules[${first}]`,
        rule.id,
      );
    else seen.set(rule.id, i);

    checkCondition(rule.when, rule.scope, `${at}.when`, rule.id);
    if (!canHold(rule.when)) {
      report(
        'error',
        'NEVER_FIRES',
        `${at}.when`,
        `rule ${rule.id} can never fire: its condition contradicts itself`,
        rule.id,
      );
    }

    const action = rule.then;
    if (!ACTIONS_BY_SCOPE[rule.scope].includes(action.type)) {
      report(
        'error',
        'ACTION_NOT_IN_SCOPE',
        `${at}.then.type`,
        `action ${action.type} is not allowed in scope ${rule.scope}`,
        rule.id,
      );
      return;
    }
    switch (action.type) {
      case 'route':
        checkRoute(rule.scope, action, `${at}.then`, rule.id);
        checkReason(rule.scope, action.reason, `${at}.then.reason`, rule.id);
        if (rule.scope === 'outbound.request' && (action.role === 'primary' || action.role === 'fallback')) {
          report(
            'error',
            'ROLE_NOT_IN_SCOPE',
            `${at}.then.role`,
            'a per-request route cannot be primary or fallback: each target country has its own primary',
            rule.id,
          );
        }
        if (rule.scope === 'outbound.target' && occupiesPrimary(rule) && rule.group === undefined) {
          report(
            'warning',
            'PRIMARY_WITHOUT_GROUP',
            `${at}.group`,
            'a primary rule outside a first-match group is skipped whenever an earlier rule already chose the primary',
            rule.id,
          );
        }
        break;
      case 'fallback':
        checkReason(rule.scope, action.reason, `${at}.then.reason`, rule.id);
        break;
      case 'europol_copy':
        checkReason(rule.scope, action.reason, `${at}.then.reason`, rule.id);
        if (action.route !== undefined) checkRoute(rule.scope, action.route, `${at}.then.route`, rule.id);
        if (!action.copy && action.route !== undefined) {
          report(
            'error',
            'EUROPOL_COPY_SHAPE',
            `${at}.then.route`,
            'a route only goes with copy: true',
            rule.id,
          );
        }
        if (action.copy && action.route === undefined) {
          report(
            'warning',
            'EUROPOL_COPY_SHAPE',
            `${at}.then`,
            'copy: true without a route adds no europol route',
            rule.id,
          );
        }
        break;
      case 'deadline':
        if ((action.basis === 'none') !== (action.after === null)) {
          report(
            'error',
            'DEADLINE_SHAPE',
            `${at}.then.after`,
            'basis none goes with after: null, and only it',
            rule.id,
          );
        }
        break;
    }
  });

  checkShadowing(ruleset, report);
  checkCoverage(ruleset, report);
  checkDirectory(directory, report, checkCondition, checkRoute);
  return { valid: !issues.some((i) => i.severity === 'error'), issues };
}

type Report = (
  severity: RulesetIssue['severity'],
  code: RulesetIssueCode,
  path: string,
  message: string,
  ruleId?: string,
) => void;

function indexed(ruleset: Ruleset, scope: RuleScope): Array<{ rule: Rule; index: number }> {
  return ruleset.rules
    .map((rule, index) => ({ rule, index }))
    .filter((r) => r.rule.scope === scope)
    .sort((a, b) => a.rule.priority - b.rule.priority);
}

/**
 * A rule in a first-match group never fires when earlier rules of the group whose action always
 * takes effect already cover its condition (each alone, or together). In scope `deadline` the
 * first rule that holds wins, so the whole scope is one group.
 */
function checkShadowing(ruleset: Ruleset, report: Report): void {
  for (const scope of Object.keys(ACTIONS_BY_SCOPE) as RuleScope[]) {
    const ordered = indexed(ruleset, scope);
    const groupOf = (rule: Rule) => (scope === 'deadline' ? '(deadline)' : rule.group);
    ordered.forEach(({ rule, index }, position) => {
      const group = groupOf(rule);
      if (group === undefined) return;
      const earlier = ordered.slice(0, position).map((e) => e.rule);
      // An action that can be refused by state set outside the group (a primary, a Europol
      // decision) does not reliably close the group.
      const contested = (kind: (r: Rule) => boolean) => earlier.some((e) => groupOf(e) !== group && kind(e));
      const alwaysActs = (e: Rule): boolean => {
        const a = e.then;
        switch (a.type) {
          case 'deadline':
            return true;
          case 'fallback':
            return false;
          case 'route':
            return (
              alwaysResolved(scope, a.destination) &&
              !(scope === 'outbound.target' && occupiesPrimary(e) && contested(occupiesPrimary))
            );
          case 'europol_copy':
            return (
              (a.route === undefined || !a.copy || alwaysResolved(scope, a.route.destination)) &&
              !contested((r) => r.then.type === 'europol_copy')
            );
        }
      };
      const closers = earlier.filter((e) => groupOf(e) === group && alwaysActs(e));
      const covered = (by: Rule[]) =>
        !canHold({ all: [rule.when, ...by.map((e): Condition => ({ not: e.when }))] });
      const single = closers.find((e) => covered([e]));
      const by = single !== undefined ? [single] : closers.length > 1 && covered(closers) ? closers : [];
      if (by.length > 0) {
        report(
          'error',
          'SHADOWED',
          `rules[${index}]`,
          `rule ${rule.id} can never fire: ${by.map((e) => e.id).join(', ')} ${by.length > 1 ? 'act' : 'acts'} first in group ${group} whenever it would hold`,
          rule.id,
        );
      }
    });
  }
}

function checkCoverage(ruleset: Ruleset, report: Report): void {
  const target = indexed(ruleset, 'outbound.target').map((r) => r.rule);
  const catchAll = target.some(
    (r) =>
      r.then.type === 'route' &&
      occupiesPrimary(r) &&
      alwaysHolds(r.when) &&
      alwaysResolved('outbound.target', r.then.destination),
  );
  if (!catchAll) {
    report(
      'warning',
      'NO_CATCH_ALL',
      'rules',
      'no unconditional primary rule in scope outbound.target: a country no rule covers makes evaluate throw ROUTING.NO_ROUTE',
    );
  }
  if (!indexed(ruleset, 'deadline').some((r) => alwaysHolds(r.rule.when))) {
    report(
      'warning',
      'NO_CATCH_ALL',
      'rules',
      'no unconditional deadline rule: uncovered requests get basis none',
    );
  }
  const inbound = indexed(ruleset, 'inbound.request').map((r) => r.rule);
  if (
    !inbound.some(
      (r) =>
        r.then.type === 'route' &&
        alwaysHolds(r.when) &&
        alwaysResolved('inbound.request', r.then.destination),
    )
  ) {
    report(
      'warning',
      'NO_CATCH_ALL',
      'rules',
      'no unconditional inbound route rule: an uncovered inbound request makes routeInbound throw ROUTING.NO_ROUTE',
    );
  }
  let primaryChosen = false;
  for (const { rule, index } of indexed(ruleset, 'outbound.target')) {
    const readsPrimary = testsOf(rule.when, '').some((t) => t.test.fact.startsWith('primary.'));
    if (readsPrimary && !primaryChosen) {
      report(
        'warning',
        'PRIMARY_NOT_YET_CHOSEN',
        `rules[${index}].when`,
        `rule ${rule.id} reads primary.* before any rule can choose a primary route`,
        rule.id,
      );
    }
    if (occupiesPrimary(rule)) primaryChosen = true;
  }
}

function checkDirectory(
  directory: Directory,
  report: Report,
  checkCondition: (c: Condition, scope: RuleScope, path: string) => void,
  checkRoute: (
    scope: RuleScope,
    route: { channel: string; destination: DestinationSpec },
    path: string,
  ) => void,
): void {
  for (const [channel, chain] of Object.entries(directory.channelFallbacks)) {
    const at = `directory.channelFallbacks.${channel}`;
    if (!isChannel(channel)) report('error', 'UNKNOWN_CHANNEL', at, `unknown channel ${channel}`);
    chain.forEach((candidate, j) => {
      checkRoute('outbound.target', candidate, `${at}[${j}]`);
      if (candidate.when !== undefined) {
        checkCondition(candidate.when, 'outbound.target', `${at}[${j}].when`);
        if (!canHold(candidate.when)) {
          report('warning', 'NEVER_FIRES', `${at}[${j}].when`, 'this fallback can never be chosen');
        }
      }
    });
  }
  const accredited = new Map<string, string>();
  directory.liaisonPosts.forEach((post, i) => {
    for (const country of post.accreditedFor) {
      const firstPost = accredited.get(country);
      if (firstPost === undefined) accredited.set(country, post.id);
      else {
        report(
          'warning',
          'AMBIGUOUS_LIAISON',
          `directory.liaisonPosts[${i}].accreditedFor`,
          `${country} is also covered by ${firstPost}, which comes first and is the one used`,
        );
      }
    }
  });
}
