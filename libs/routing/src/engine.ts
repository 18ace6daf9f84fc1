import { CHANNELS, type Channel, type Route, type RoutingDecision } from '@ixr/domain';
import { holds } from './condition';
import { deadlineFromAction, NO_DEADLINE, type Deadline } from './deadline';
import { factSpec, type FactReader } from './facts';
import { renderReason } from './reason-template';
import { RoutingError } from './routing.error';
import type { DestinationSpec, Rule, RuleAction, RuleScope, Ruleset, Scalar } from './ruleset.schema';

/** Shared parts of the interpreter: rule order, fact access, destinations, request and deadline scopes. */

export type FactValues = Readonly<Record<string, Scalar | undefined>>;
export type TemplateValues = Readonly<Record<string, string | undefined>>;

/** The rules of one scope in evaluation order: priority, then document order (sort is stable). */
export function rulesInScope(ruleset: Ruleset, scope: RuleScope): Rule[] {
  return ruleset.rules.filter((r) => r.scope === scope).sort((a, b) => a.priority - b.priority);
}

export function invalidRuleset(message: string): RoutingError {
  return new RoutingError('ROUTING.INVALID_RULESET', message);
}

/** A reader that refuses facts the scope does not offer: a validated rule set never triggers it. */
export function factReader(scope: RuleScope, value: (name: string) => Scalar | undefined): FactReader {
  return (name) => {
    const spec = factSpec(name);
    if (spec === undefined || !spec.scopes.includes(scope)) {
      throw invalidRuleset(`fact ${name} is not available in scope ${scope}`);
    }
    return value(name);
  };
}

export function lookup(values: FactValues, name: string): Scalar | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

export function asChannel(name: string, ruleId: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(name))
    throw invalidRuleset(`rule ${ruleId}: unknown channel ${name}`);
  return name as Channel;
}

/** What destination kinds resolve to in the current context; an absent field means "not applicable here". */
export interface DestinationContext {
  country?: string;
  pcccCentre?: string;
  liaisonPost?: string;
  contactPoint?: string;
  originCountry?: string;
  spocUnit: string;
  spocDutyDesk: string;
}

export function resolveDestination(spec: DestinationSpec, ctx: DestinationContext): string | undefined {
  if (typeof spec !== 'string') return spec.literal;
  switch (spec) {
    case 'country':
      return ctx.country;
    case 'pccc_centre':
      return ctx.pcccCentre;
    case 'liaison_post':
      return ctx.liaisonPost;
    case 'spoc_unit':
      return ctx.spocUnit;
    case 'spoc_duty_desk':
      return ctx.spocDutyDesk;
    case 'contact_point':
      return ctx.contactPoint;
    case 'origin_country':
      return ctx.originCountry;
  }
}

/**
 * Runs rules in order with first-match groups. `apply` returns whether the action took effect;
 * only then is the rule's group closed — a rule whose destination does not exist here (say, a
 * centre for a country without one) lets the next rule of its group try.
 */
export function runRules(rules: readonly Rule[], read: FactReader, apply: (rule: Rule) => boolean): void {
  const closedGroups = new Set<string>();
  for (const rule of rules) {
    if (rule.group !== undefined && closedGroups.has(rule.group)) continue;
    if (!holds(rule.when, read)) continue;
    if (apply(rule) && rule.group !== undefined) closedGroups.add(rule.group);
  }
}

export function actionNotAllowed(rule: Rule, scope: RuleScope): RoutingError {
  return invalidRuleset(`rule ${rule.id}: action ${rule.then.type} is not allowed in scope ${scope}`);
}

export interface RequestScopeOutcome {
  routes: Route[];
  europolCopy: RoutingDecision['europolCopy'] | undefined;
}

/** The once-per-request scopes (`outbound.request`, `inbound.request`): routes and the Europol-copy decision. */
export function runRequestScope(
  rules: readonly Rule[],
  scope: RuleScope,
  read: FactReader,
  vars: TemplateValues,
  destinations: DestinationContext,
): RequestScopeOutcome {
  const routes: Route[] = [];
  let europolCopy: RoutingDecision['europolCopy'] | undefined;

  const addRoute = (
    rule: Rule,
    spec: Pick<Route, 'role'> & { channel: string; destination: DestinationSpec },
    reason: string,
  ) => {
    const channel = asChannel(spec.channel, rule.id);
    const destination = resolveDestination(spec.destination, destinations);
    if (destination === undefined) return false;
    const duplicate = routes.some(
      (r) => r.channel === channel && r.destination === destination && r.role === spec.role,
    );
    if (!duplicate) {
      routes.push({
        channel,
        destination,
        role: spec.role,
        ruleId: rule.id,
        reason: renderReason(reason, { ...vars, channel, destination }),
      });
    }
    return true;
  };

  runRules(rules, read, (rule) => {
    const action: RuleAction = rule.then;
    switch (action.type) {
      case 'route':
        return addRoute(rule, action, action.reason);
      case 'europol_copy': {
        if (europolCopy !== undefined) return false;
        if (action.copy && action.route !== undefined && !addRoute(rule, action.route, action.reason))
          return false;
        europolCopy = { copy: action.copy, reason: renderReason(action.reason, vars) };
        return true;
      }
      case 'fallback':
      case 'deadline':
        throw actionNotAllowed(rule, scope);
    }
  });
  return { routes, europolCopy };
}

/** The first deadline rule that holds sets the deadline; none → no deadline. */
export function runDeadlineScope(rules: readonly Rule[], read: FactReader, receivedAt: string): Deadline {
  for (const rule of rules) {
    if (rule.then.type !== 'deadline') throw actionNotAllowed(rule, 'deadline');
    if (holds(rule.when, read)) return deadlineFromAction(rule.then, receivedAt);
  }
  return { ...NO_DEADLINE };
}

export function defaultEuropolCopy(ruleset: Ruleset): RoutingDecision['europolCopy'] {
  return { copy: false, reason: `No Europol-copy rule of rule set ${ruleset.version} applied.` };
}
