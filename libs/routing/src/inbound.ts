import { z } from 'zod';
import {
  ACCESSIBILITY,
  CHANNELS,
  HANDLING_CODES,
  isWithinEuropolMandate,
  OFFENCE_CATEGORIES,
  URGENCY_GROUNDS,
  type Accessibility,
  type Channel,
  type HandlingCode,
  type OffenceCategory,
  type RoutingDecision,
  type Urgency,
} from '@ixr/domain';
import type { Directory } from './directory.schema';
import {
  countryEntry,
  euMemberStatesConcerned,
  findContactPoint,
  isEuOrSchengenIn,
} from './directory.lookup';
import {
  defaultEuropolCopy,
  factReader,
  lookup,
  rulesInScope,
  runDeadlineScope,
  runRequestScope,
  type FactValues,
  type TemplateValues,
} from './engine';
import { inboundPartner, partnerDisplayName } from './inbound-partners';
import { RoutingError } from './routing.error';
import { defaultRuleset } from './ruleset.loader';
import type { Ruleset } from './ruleset.schema';
import { isoOf, toInstant } from './time';

/**
 * Inbound routing (SPEC §4.4), pure like `evaluate`: a foreign partner's new request goes to the
 * national contact point that covers it (scope `inbound.request` of the rule set), an answer is
 * handed back to the caller to attach to the request it answers.
 */

interface InboundCommon {
  /**
   * The state the message comes from. Absent only for a partner that is no state and speaks for
   * none here (Europol's own request).
   */
  originCountry?: string;
  /**
   * Who sent it, and where the reply goes: a country, a PCCC, a liaison post or EUROPOL (see
   * `inboundPartner`). Absent: the origin country itself.
   */
  partner?: string;
  /** The channel it came on; a reply goes back over it. */
  channel: Channel;
  receivedAt: string;
}

export interface InboundRequestMessage extends InboundCommon {
  /** The id IXR gives the new request (assigned by the caller: no id source in here). */
  requestId: string;
  offenceCategory: OffenceCategory;
  region?: string;
  urgency: Urgency;
  accessibility: Accessibility;
  handlingCode: HandlingCode;
  /** A request, or an own-initiative provision (Art 7); absent: a request. */
  kind?: 'request' | 'provision';
  inReplyTo?: undefined;
}

export interface InboundAnswerMessage extends InboundCommon {
  inReplyTo: string;
}

export type InboundMessage = InboundRequestMessage | InboundAnswerMessage;

const common = {
  originCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  partner: z
    .string()
    .regex(/^[A-Z0-9]+(-[A-Z0-9]+)*$/)
    .optional(),
  channel: z.enum(CHANNELS),
  receivedAt: z.iso.datetime({ offset: true }),
};

/** For adapters: validate a message before handing it to `routeInbound`. */
export const inboundMessageSchema = z.union([
  z.object({ ...common, inReplyTo: z.string().min(1) }).strict(),
  z
    .object({
      ...common,
      requestId: z.string().min(1),
      offenceCategory: z.enum(OFFENCE_CATEGORIES),
      region: z.string().min(1).optional(),
      urgency: z.union([
        z.object({ urgent: z.literal(false) }).strict(),
        z
          .object({ urgent: z.literal(true), ground: z.enum(URGENCY_GROUNDS), reason: z.string().min(1) })
          .strict(),
      ]),
      accessibility: z.enum(ACCESSIBILITY),
      handlingCode: z.enum(HANDLING_CODES),
    })
    .strict(),
]);

export interface InboundRequestDecision {
  kind: 'request';
  /** Same shape as an outbound decision; its deadline runs on the same clock (SPEC §4.2). */
  decision: RoutingDecision;
  /** The reply goes back over the channel the request came on, to its origin (SPEC §4.4). */
  replyVia: { channel: Channel; destination: string };
}

export interface InboundAnswerDecision {
  kind: 'answer';
  inReplyTo: string;
}

export type InboundDecision = InboundRequestDecision | InboundAnswerDecision;

function isAnswer(message: InboundMessage): message is InboundAnswerMessage {
  return typeof message.inReplyTo === 'string';
}

/**
 * Routes an inbound message. Without `ruleset`, the shipped default rule set is used.
 * @throws RoutingError `ROUTING.INVALID_INPUT` for a bad instant, `ROUTING.NO_ROUTE` when the
 *   rule set yields no route for a new request.
 */
export function routeInbound(
  message: InboundMessage,
  directory: Directory,
  ruleset: Ruleset | undefined,
  now: Date | string,
): InboundDecision {
  const decidedAt = isoOf(toInstant(now, 'now'));
  if (isAnswer(message)) return { kind: 'answer', inReplyTo: message.inReplyTo };
  toInstant(message.receivedAt, 'receivedAt');
  const rules = ruleset ?? defaultRuleset();

  const partner = message.partner ?? message.originCountry;
  if (partner === undefined) {
    throw new RoutingError('ROUTING.INVALID_INPUT', `inbound request ${message.requestId} names no partner`);
  }
  const { originCountry } = message;
  const kind = inboundPartner(directory, message.channel, partner);
  const found = findContactPoint(directory, message.offenceCategory, message.region);
  const euStates = euMemberStatesConcerned(directory, originCountry === undefined ? [] : [originCountry]);
  // Europol is the Union's agency: its own requests run on the Union's clock like a member state's.
  const euOrSchengen =
    originCountry === undefined
      ? kind.ok && kind.partner.kind === 'europol'
      : isEuOrSchengenIn(directory, originCountry);
  // Reasons name the sender: a country by its name, another partner by its name and the state behind it.
  const sender =
    partner === originCountry
      ? { id: partner, name: countryEntry(directory, partner).name }
      : {
          id: partner,
          name: [
            partnerDisplayName(directory, message.channel, partner),
            originCountry && `for ${countryEntry(directory, originCountry).name}`,
          ]
            .filter(Boolean)
            .join(', '),
        };
  const facts: FactValues = {
    'request.direction': 'inbound',
    'request.kind': message.kind ?? 'request',
    'request.urgent': message.urgency.urgent,
    'request.urgencyGround': message.urgency.urgent ? message.urgency.ground : undefined,
    'request.accessibility': message.accessibility,
    'request.handlingCode': message.handlingCode,
    'request.offenceCategory': message.offenceCategory,
    'request.offenceInEuropolMandate': isWithinEuropolMandate(message.offenceCategory),
    'request.fromSpocUnit': false,
    'request.targetCount': 1,
    'request.euMemberStatesConcerned': euStates.length,
    'request.euOrSchengenConcerned': euOrSchengen,
    'request.originCountry': originCountry,
    'request.originPartner': partner,
    'request.originPartnerKind': kind.ok ? kind.partner.kind : undefined,
    'request.inboundChannel': message.channel,
    'request.region': message.region,
    'request.contactPoint': found?.contactPoint.id,
    'request.contactPointMatch': found?.match,
  };
  const vars: TemplateValues = {
    offence: message.offenceCategory,
    spocUnit: directory.spocUnit,
    homeCountry: directory.homeCountry,
    euStates: euStates.join(', '),
    euStatesCount: String(euStates.length),
    accessibility: message.accessibility,
    urgencyGround: message.urgency.urgent ? message.urgency.ground : undefined,
    rulesetVersion: rules.version,
    // For a partner that is no country, the sender: its id and "PCCC Heerlen, for Netherlands".
    originCountry: sender.id,
    originCountryName: sender.name,
    partner: sender.id,
    partnerName: sender.name,
    inboundChannel: message.channel,
    region: message.region,
    unit: found?.contactPoint.id,
    unitName: found?.contactPoint.name,
    match: found?.match,
    dutyDesk: directory.spocDutyDesk,
  };

  const outcome = runRequestScope(
    rulesInScope(rules, 'inbound.request'),
    'inbound.request',
    factReader('inbound.request', (name) => lookup(facts, name)),
    vars,
    {
      contactPoint: found?.contactPoint.id,
      originCountry: partner,
      spocUnit: directory.spocUnit,
      spocDutyDesk: directory.spocDutyDesk,
    },
  );
  if (outcome.routes.length === 0) {
    throw new RoutingError('ROUTING.NO_ROUTE', `no inbound rule routes request ${message.requestId}`);
  }
  const deadline = runDeadlineScope(
    rulesInScope(rules, 'deadline'),
    factReader('deadline', (name) => lookup(facts, name)),
    message.receivedAt,
  );
  return {
    kind: 'request',
    decision: {
      requestId: message.requestId,
      rulesetVersion: rules.version,
      decidedAt,
      routes: outcome.routes,
      europolCopy: outcome.europolCopy ?? defaultEuropolCopy(rules),
      deadline,
    },
    replyVia: { channel: message.channel, destination: partner },
  };
}

export type AnswerDisposition =
  { action: 'attach'; requestId: string } | { action: 'spoc_queue'; destination: string; reason: string };

/**
 * What to do with an answer once the caller knows whether `inReplyTo` names a request it holds:
 * attach it (and notify the requesting unit), or queue it for the SPOC — never drop it (SPEC §4.4).
 */
export function resolveInboundAnswer(
  answer: Pick<InboundAnswerDecision, 'inReplyTo'>,
  known: boolean,
  directory: Directory,
): AnswerDisposition {
  if (known) return { action: 'attach', requestId: answer.inReplyTo };
  return {
    action: 'spoc_queue',
    destination: directory.spocUnit,
    reason: `Answer refers to unknown request ${answer.inReplyTo}: queued for the SPOC (${directory.spocUnit}) to match by hand.`,
  };
}
