import {
  isWithinEuropolMandate,
  messageKindOf,
  type Route,
  type RoutingDecision,
  type RoutingInput,
} from '@ixr/domain';
import { isCircuitOpen, type ChannelHealth } from './channel-health';
import { holds } from './condition';
import type { Directory } from './directory.schema';
import {
  countryEntry,
  euMemberStatesConcerned,
  isEuOrSchengenIn,
  liaisonPostFor,
  pcccCentreFor,
} from './directory.lookup';
import {
  actionNotAllowed,
  asChannel,
  defaultEuropolCopy,
  factReader,
  lookup,
  resolveDestination,
  rulesInScope,
  runDeadlineScope,
  runRequestScope,
  runRules,
  type DestinationContext,
  type FactValues,
  type TemplateValues,
} from './engine';
import type { Deadline } from './deadline';
import { renderReason } from './reason-template';
import { RoutingError } from './routing.error';
import type { Rule, Ruleset } from './ruleset.schema';
import { isoOf, toInstant } from './time';

/**
 * The routing decision for an outbound request (SPEC §3, §4.1, §4.2). Pure: everything it
 * depends on is an argument, so the same arguments give the same decision, byte for byte —
 * replay relies on it. The policy lives in `ruleset`; this function only interprets it.
 *
 * Routes come per target country in the request's order (the primary — or the fallback that
 * replaced it — first, then parallel routes), then the per-request routes in rule order.
 *
 * @throws RoutingError `ROUTING.INVALID_INPUT` for a bad instant or target list,
 *   `ROUTING.NO_ROUTE` when no rule gives a target country a primary route,
 *   `ROUTING.INVALID_RULESET` for a rule set `validateRuleset` would have refused.
 */
export function evaluate(
  input: RoutingInput,
  ruleset: Ruleset,
  directory: Directory,
  channelHealth: ChannelHealth,
  now: Date | string,
): RoutingDecision {
  const decidedAt = isoOf(toInstant(now, 'now'));
  toInstant(input.receivedAt, 'receivedAt');
  const targets = input.body.targetCountries;
  if (targets.length === 0 || new Set(targets).size !== targets.length) {
    throw new RoutingError(
      'ROUTING.INVALID_INPUT',
      'targetCountries must be non-empty and without duplicates',
    );
  }

  const facts = outboundRequestFacts(input, directory);
  const vars = outboundRequestVars(input, directory, ruleset);
  const base: DestinationContext = { spocUnit: directory.spocUnit, spocDutyDesk: directory.spocDutyDesk };

  const targetRules = rulesInScope(ruleset, 'outbound.target');
  const routes: Route[] = targets.flatMap((country) =>
    routeTargetCountry(country, targetRules, facts, vars, directory, channelHealth),
  );

  const perRequest = runRequestScope(
    rulesInScope(ruleset, 'outbound.request'),
    'outbound.request',
    factReader('outbound.request', (name) => lookup(facts, name)),
    vars,
    base,
  );
  routes.push(...perRequest.routes);

  const deadline = runDeadlineScope(
    rulesInScope(ruleset, 'deadline'),
    factReader('deadline', (name) => lookup(facts, name)),
    input.receivedAt,
  );

  return {
    requestId: input.requestId,
    rulesetVersion: ruleset.version,
    decidedAt,
    routes,
    europolCopy: perRequest.europolCopy ?? defaultEuropolCopy(ruleset),
    deadline,
  };
}

/**
 * Only the deadline part of `evaluate` — what the intake announces at receipt (SPEC §2) — without
 * choosing routes, so it cannot fail on routing. Always equal to `evaluate(...).deadline`.
 */
export function evaluateDeadline(input: RoutingInput, ruleset: Ruleset, directory: Directory): Deadline {
  toInstant(input.receivedAt, 'receivedAt');
  const facts = outboundRequestFacts(input, directory);
  return runDeadlineScope(
    rulesInScope(ruleset, 'deadline'),
    factReader('deadline', (name) => lookup(facts, name)),
    input.receivedAt,
  );
}

export function outboundRequestFacts(input: RoutingInput, directory: Directory): FactValues {
  const body = input.body;
  return {
    'request.direction': 'outbound',
    'request.kind': messageKindOf(body),
    'request.sisAlert': body.sisAlert?.reference,
    'request.sisAlert.article': body.sisAlert?.article,
    'request.lookup': body.lookup,
    'request.borderRegion': body.borderRegion,
    'request.urgent': body.urgency.urgent,
    'request.urgencyGround': body.urgency.urgent ? body.urgency.ground : undefined,
    'request.accessibility': body.accessibility,
    'request.handlingCode': body.handlingCode,
    'request.offenceCategory': body.offence.category,
    'request.offenceInEuropolMandate': isWithinEuropolMandate(body.offence.category),
    'request.language': body.language,
    'request.requestingUnit': input.requestingUnit,
    'request.fromSpocUnit': input.requestingUnit === directory.spocUnit,
    'request.targetCount': body.targetCountries.length,
    'request.euMemberStatesConcerned': euMemberStatesConcerned(directory, body.targetCountries).length,
    'request.euOrSchengenConcerned': body.targetCountries.some((c) => isEuOrSchengenIn(directory, c)),
  };
}

function outboundRequestVars(input: RoutingInput, directory: Directory, ruleset: Ruleset): TemplateValues {
  const body = input.body;
  const euStates = euMemberStatesConcerned(directory, body.targetCountries);
  return {
    offence: body.offence.category,
    requestingUnit: input.requestingUnit,
    spocUnit: directory.spocUnit,
    homeCountry: directory.homeCountry,
    targets: body.targetCountries.join(', '),
    euStates: euStates.join(', '),
    euStatesCount: String(euStates.length),
    lookup: body.lookup,
    sisArticle: body.sisAlert === undefined ? undefined : String(body.sisAlert.article),
    accessibility: body.accessibility,
    urgencyGround: body.urgency.urgent ? body.urgency.ground : undefined,
    rulesetVersion: ruleset.version,
  };
}

/** Scope `outbound.target`: exactly one primary (or fallback) route for the country, then parallels. */
function routeTargetCountry(
  country: string,
  rules: readonly Rule[],
  requestFacts: FactValues,
  requestVars: TemplateValues,
  directory: Directory,
  health: ChannelHealth,
): Route[] {
  const entry = countryEntry(directory, country);
  const centre = pcccCentreFor(directory, country);
  const post = liaisonPostFor(directory, country);
  // Mutated by the rule callbacks below; an object so the compiler does not narrow it away.
  const slot: { primary: Route | undefined; others: Route[] } = { primary: undefined, others: [] };

  const facts: FactValues = {
    ...requestFacts,
    'country.code': country,
    'country.isEuMember': entry.euMember,
    'country.isSchengenAssociated': entry.schengenAssociated,
    'country.isEuOrSchengen': entry.euMember || entry.schengenAssociated,
    'country.inPrum': entry.prum,
    'country.pcccCentre': centre?.id,
    'country.liaisonPost': post?.id,
  };
  const read = factReader('outbound.target', (name) => {
    switch (name) {
      case 'primary.channel':
        return slot.primary?.channel;
      case 'primary.destination':
        return slot.primary?.destination;
      case 'primary.ruleId':
        return slot.primary?.ruleId;
      case 'primary.circuitOpen':
        return (
          slot.primary !== undefined && isCircuitOpen(health, slot.primary.channel, slot.primary.destination)
        );
      default:
        return lookup(facts, name);
    }
  });
  const destinations: DestinationContext = {
    country,
    pcccCentre: centre?.id,
    liaisonPost: post?.id,
    spocUnit: directory.spocUnit,
    spocDutyDesk: directory.spocDutyDesk,
  };
  const varsFor = (channel: string, destination: string, replaced: Route | undefined): TemplateValues => ({
    ...requestVars,
    country,
    countryName: entry.name,
    centre: centre?.name,
    centreId: centre?.id,
    post: post?.city,
    postId: post?.id,
    channel,
    destination,
    primaryChannel: replaced?.channel,
    primaryDestination: replaced?.destination,
    primaryRuleId: replaced?.ruleId,
  });
  const covered = (channel: string, destination: string) =>
    [slot.primary, ...slot.others].some(
      (r) => r !== undefined && r.channel === channel && r.destination === destination,
    );

  runRules(rules, read, (rule) => {
    const action = rule.then;
    switch (action.type) {
      case 'route': {
        const channel = asChannel(action.channel, rule.id);
        const destination = resolveDestination(action.destination, destinations);
        if (destination === undefined) return false;
        const occupiesPrimary = action.role === 'primary' || action.role === 'fallback';
        // One primary per country (SPEC §4.1): a later primary-role rule never displaces it.
        if (occupiesPrimary && slot.primary !== undefined) return false;
        if (!occupiesPrimary && covered(channel, destination)) return true;
        const route: Route = {
          channel,
          destination,
          role: action.role,
          ruleId: rule.id,
          reason: renderReason(action.reason, varsFor(channel, destination, slot.primary)),
        };
        if (occupiesPrimary) slot.primary = route;
        else slot.others.push(route);
        return true;
      }
      case 'fallback': {
        const replaced = slot.primary;
        if (replaced === undefined) return false;
        const chain = Object.hasOwn(directory.channelFallbacks, replaced.channel)
          ? (directory.channelFallbacks[replaced.channel] ?? [])
          : [];
        const usable = chain
          .filter((c) => c.when === undefined || holds(c.when, read))
          .map((c) => ({
            channel: asChannel(c.channel, rule.id),
            destination: resolveDestination(c.destination, destinations),
          }))
          .filter(
            (c): c is { channel: Route['channel']; destination: string } =>
              c.destination !== undefined &&
              !(c.channel === replaced.channel && c.destination === replaced.destination),
          );
        // Prefer a fallback whose own circuit is closed; if all are open, the first still names the way.
        const chosen = usable.find((c) => !isCircuitOpen(health, c.channel, c.destination)) ?? usable[0];
        if (chosen === undefined) return false;
        slot.primary = {
          channel: chosen.channel,
          destination: chosen.destination,
          role: 'fallback',
          ruleId: rule.id,
          reason: renderReason(action.reason, varsFor(chosen.channel, chosen.destination, replaced)),
        };
        // The fallback now carries what a parallel route to the same place would carry.
        slot.others = slot.others.filter(
          (r) => !(r.channel === chosen.channel && r.destination === chosen.destination),
        );
        return true;
      }
      case 'europol_copy':
      case 'deadline':
        throw actionNotAllowed(rule, 'outbound.target');
    }
  });

  if (slot.primary === undefined) {
    throw new RoutingError('ROUTING.NO_ROUTE', `no rule gives ${country} a primary route`);
  }
  return [slot.primary, ...slot.others];
}
