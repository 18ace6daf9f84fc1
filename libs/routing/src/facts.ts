import {
  ACCESSIBILITY,
  CHANNELS,
  HANDLING_CODES,
  LOOKUPS,
  OFFENCE_CATEGORIES,
  SIS_ARTICLES,
  URGENCY_GROUNDS,
} from '@ixr/domain';
import type { RuleScope, Scalar } from './ruleset.schema';

/**
 * The facts a rule may test. Each comes from the request, the target country, the directory
 * or the route chosen so far. `missionType` is deliberately absent: the decision never
 * depends on it (SPEC §4), and a rule that names it is rejected as an unknown fact.
 */
export type FactType = 'boolean' | 'string' | 'number';

export interface FactSpec {
  type: FactType;
  /** May be absent (then only `present: false` holds). */
  optional: boolean;
  /** The closed set of values, when there is one. */
  values?: readonly Scalar[];
  scopes: readonly RuleScope[];
  description: string;
}

const OUT_T = 'outbound.target';
const OUT_R = 'outbound.request';
const IN_R = 'inbound.request';
const DL = 'deadline';
const OUTBOUND = [OUT_T, OUT_R] as const;
const ALL = [OUT_T, OUT_R, IN_R, DL] as const;

export const FACTS = {
  'request.direction': {
    type: 'string',
    optional: false,
    values: ['outbound', 'inbound'],
    scopes: ALL,
    description: 'outbound (a unit asks abroad) or inbound (a foreign partner asks)',
  },
  'request.kind': {
    type: 'string',
    optional: false,
    values: ['request', 'provision'],
    scopes: ALL,
    description: 'request, or provision: information provided on own initiative (Directive 2023/977 Art 7)',
  },
  'request.sisAlert': {
    type: 'string',
    optional: true,
    scopes: [...OUTBOUND, DL],
    description: 'reference of the SIS alert the request is about',
  },
  'request.sisAlert.article': {
    type: 'number',
    optional: true,
    values: SIS_ARTICLES,
    scopes: [...OUTBOUND, DL],
    description: 'article of Regulation 2018/1862 under which the SIS alert was issued',
  },
  'request.lookup': {
    type: 'string',
    optional: true,
    values: LOOKUPS,
    scopes: [...OUTBOUND, DL],
    description: 'kind of automated lookup asked for',
  },
  'request.borderRegion': {
    type: 'boolean',
    optional: true,
    scopes: [...OUTBOUND, DL],
    description: 'a local matter of a border region (absent when the requester did not say)',
  },
  'request.urgent': {
    type: 'boolean',
    optional: false,
    scopes: ALL,
    description: 'urgent on one of the four grounds',
  },
  'request.urgencyGround': {
    type: 'string',
    optional: true,
    values: URGENCY_GROUNDS,
    scopes: ALL,
    description: 'ground of urgency (Directive 2023/977 Art 4(4))',
  },
  'request.accessibility': {
    type: 'string',
    optional: false,
    values: ACCESSIBILITY,
    scopes: ALL,
    description: 'directly or indirectly accessible information',
  },
  'request.handlingCode': {
    type: 'string',
    optional: false,
    values: HANDLING_CODES,
    scopes: ALL,
    description: 'SIENA handling code',
  },
  'request.offenceCategory': {
    type: 'string',
    optional: false,
    values: OFFENCE_CATEGORIES,
    scopes: ALL,
    description: 'offence category (SPEC §4.3 or other)',
  },
  'request.offenceInEuropolMandate': {
    type: 'boolean',
    optional: false,
    scopes: ALL,
    description: 'the offence category is within Europol’s mandate (SPEC §4.3)',
  },
  'request.language': {
    type: 'string',
    optional: true,
    scopes: [...OUTBOUND, DL],
    description: 'ISO 639-1 language of the request',
  },
  'request.requestingUnit': {
    type: 'string',
    optional: true,
    scopes: [...OUTBOUND, DL],
    description: 'unit id of the requester (outbound)',
  },
  'request.fromSpocUnit': {
    type: 'boolean',
    optional: false,
    scopes: ALL,
    description: 'the requesting unit is the directory’s SPOC unit (always false inbound)',
  },
  'request.targetCount': {
    type: 'number',
    optional: false,
    scopes: ALL,
    description: 'number of target countries (1 inbound: the origin)',
  },
  'request.euMemberStatesConcerned': {
    type: 'number',
    optional: false,
    scopes: ALL,
    description: 'distinct EU member states concerned: the home country (if EU) plus EU targets or origin',
  },
  'request.euOrSchengenConcerned': {
    type: 'boolean',
    optional: false,
    scopes: ALL,
    description: 'a partner country (a target, or the origin) is an EU member state or Schengen-associated',
  },
  'request.originCountry': {
    type: 'string',
    optional: true,
    scopes: [IN_R, DL],
    description: 'state the inbound request came from (absent for Europol’s own request)',
  },
  'request.originPartner': {
    type: 'string',
    optional: true,
    scopes: [IN_R, DL],
    description:
      'who sent the inbound request, where the reply goes: the origin country, a PCCC id, a liaison post id or EUROPOL',
  },
  'request.originPartnerKind': {
    type: 'string',
    optional: true,
    values: ['country', 'pccc_centre', 'liaison_post', 'europol'],
    scopes: [IN_R, DL],
    description: 'what the sender of the inbound request is',
  },
  'request.inboundChannel': {
    type: 'string',
    optional: true,
    values: CHANNELS,
    scopes: [IN_R, DL],
    description: 'channel the inbound request came on',
  },
  'request.region': {
    type: 'string',
    optional: true,
    scopes: [IN_R],
    description: 'region named by the inbound request',
  },
  'request.contactPoint': {
    type: 'string',
    optional: true,
    scopes: [IN_R],
    description: 'id of the directory contact point covering the offence (and region): region match first',
  },
  'request.contactPointMatch': {
    type: 'string',
    optional: true,
    values: ['region', 'national'],
    scopes: [IN_R],
    description: 'how the contact point was found',
  },
  'country.code': { type: 'string', optional: false, scopes: [OUT_T], description: 'target country code' },
  'country.isEuMember': { type: 'boolean', optional: false, scopes: [OUT_T], description: 'EU member state' },
  'country.isSchengenAssociated': {
    type: 'boolean',
    optional: false,
    scopes: [OUT_T],
    description: 'Schengen-associated (IS, LI, NO, CH)',
  },
  'country.isEuOrSchengen': {
    type: 'boolean',
    optional: false,
    scopes: [OUT_T],
    description: 'EU member state or Schengen-associated',
  },
  'country.inPrum': { type: 'boolean', optional: false, scopes: [OUT_T], description: 'takes part in Prüm' },
  'country.pcccCentre': {
    type: 'string',
    optional: true,
    scopes: [OUT_T],
    description: 'id of the police and customs cooperation centre the directory assigns to this country',
  },
  'country.liaisonPost': {
    type: 'string',
    optional: true,
    scopes: [OUT_T],
    description: 'id of the first Belgian liaison post accredited for this country',
  },
  'primary.channel': {
    type: 'string',
    optional: true,
    values: CHANNELS,
    scopes: [OUT_T],
    description: 'channel of the primary route chosen so far for this country',
  },
  'primary.destination': {
    type: 'string',
    optional: true,
    scopes: [OUT_T],
    description: 'destination of the primary route chosen so far',
  },
  'primary.ruleId': {
    type: 'string',
    optional: true,
    scopes: [OUT_T],
    description: 'rule that chose the primary route',
  },
  'primary.circuitOpen': {
    type: 'boolean',
    optional: false,
    scopes: [OUT_T],
    description:
      'the circuit of the primary route (channel and destination) is open; false without a primary',
  },
} as const satisfies Record<string, FactSpec>;

export type FactName = keyof typeof FACTS;

export function factSpec(name: string): FactSpec | undefined {
  return Object.prototype.hasOwnProperty.call(FACTS, name)
    ? (FACTS as Record<string, FactSpec>)[name]
    : undefined;
}

/** Reads one fact; throws for a name the engine does not know or the scope does not offer. */
export type FactReader = (name: string) => Scalar | undefined;

/** The placeholders a reason template may use, per scope (see README, "Reasons"). */
const REQUEST_PLACEHOLDERS = [
  'offence',
  'requestingUnit',
  'spocUnit',
  'homeCountry',
  'targets',
  'euStates',
  'euStatesCount',
  'lookup',
  'sisArticle',
  'accessibility',
  'urgencyGround',
  'rulesetVersion',
  'channel',
  'destination',
] as const;

export const PLACEHOLDERS: Record<RuleScope, readonly string[]> = {
  'outbound.target': [
    ...REQUEST_PLACEHOLDERS,
    'country',
    'countryName',
    'centre',
    'centreId',
    'post',
    'postId',
    'primaryChannel',
    'primaryDestination',
    'primaryRuleId',
  ],
  'outbound.request': REQUEST_PLACEHOLDERS,
  'inbound.request': [
    'offence',
    'spocUnit',
    'homeCountry',
    'euStates',
    'euStatesCount',
    'accessibility',
    'urgencyGround',
    'rulesetVersion',
    'channel',
    'destination',
    'originCountry',
    'originCountryName',
    'partner',
    'partnerName',
    'inboundChannel',
    'region',
    'unit',
    'unitName',
    'match',
    'dutyDesk',
  ],
  deadline: [],
};
