/**
 * @ixr/routing — the pure routing engine (SPEC §3, §4). No I/O, no clock, no randomness:
 * everything a decision depends on is an argument. See ../README.md.
 */
export { evaluate, evaluateDeadline } from './evaluate';
export {
  guardDissemination,
  isOnwardTransmission,
  isRestricted,
  disseminationConsentSchema,
  type DisseminationConsent,
  type InformationOrigin,
  type GuardedDecision,
  type WithheldRoute,
} from './dissemination.guard';
export {
  routeInbound,
  resolveInboundAnswer,
  inboundMessageSchema,
  type InboundMessage,
  type InboundRequestMessage,
  type InboundAnswerMessage,
  type InboundDecision,
  type InboundRequestDecision,
  type InboundAnswerDecision,
  type AnswerDisposition,
} from './inbound';
export {
  inboundPartner,
  originStateOf,
  partnerDisplayName,
  EUROPOL_PARTNER,
  type InboundPartner,
  type PartnerKind,
  type PartnerLookup,
  type OriginState,
} from './inbound-partners';
export {
  deadlineProgress,
  deadlineMilestones,
  DEADLINE_MILESTONES,
  NO_DEADLINE,
  type Deadline,
  type DeadlineMilestone,
  type DeadlineProgress,
  type MilestoneAt,
} from './deadline';
export {
  parseRuleset,
  parseRulesetText,
  rulesetSchema,
  conditionSchema,
  RULE_SCOPES,
  DESTINATION_KINDS,
  type Ruleset,
  type Rule,
  type RuleScope,
  type RuleAction,
  type RouteAction,
  type FallbackAction,
  type EuropolCopyAction,
  type DeadlineAction,
  type Condition,
  type FactTest,
  type DestinationKind,
  type DestinationSpec,
  type Scalar,
  type ParseResult,
} from './ruleset.schema';
export {
  validateRuleset,
  RULESET_ISSUE_CODES,
  type RulesetIssue,
  type RulesetIssueCode,
  type RulesetValidation,
} from './validate-ruleset';
export { canHold, alwaysHolds } from './condition-analysis';
export { FACTS, PLACEHOLDERS, factSpec, type FactName, type FactSpec, type FactType } from './facts';
export {
  parseDirectory,
  directorySchema,
  type Directory,
  type CountryEntry,
  type PcccCentre,
  type LiaisonPost,
  type ContactPoint,
  type FallbackCandidate,
} from './directory.schema';
export {
  findContactPoint,
  liaisonPostFor,
  pcccCentreFor,
  countryEntry,
  type ContactPointMatch,
} from './directory.lookup';
export {
  partnerEndpointFor,
  endpointUrlProblem,
  DESTINATION_PLACEHOLDER,
  type PartnerEndpoint,
  type ResolvedPartnerEndpoint,
} from './partner-endpoints';
export {
  isCircuitOpen,
  channelHealthSchema,
  ALL_CIRCUITS_CLOSED,
  type ChannelHealth,
  type OpenCircuit,
} from './channel-health';
export {
  loadRuleset,
  defaultRuleset,
  defaultDirectory,
  type LoadedRuleset,
  type LoadRulesetResult,
} from './ruleset.loader';
export { canonicalDocument, rulesetHash, sha256Hex, type HashHex } from './ruleset-hash';
export { RoutingError, ROUTING_ERROR_CODES, type RoutingErrorCode } from './routing.error';
export type { PathIssue } from './path';
export { INTERPOL_LANGUAGES, languageIssues, type LanguageIssue } from './languages';
export {
  nonPublicAddress,
  partnerAddressPolicy,
  partnerUrlProblem,
  resolvedAddressProblem,
  type PartnerAddressPolicy,
} from './partner-address.policy';
