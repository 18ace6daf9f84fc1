import type { OffenceCategory } from './offence';

export const MISSION_TYPES = ['administrative', 'judicial'] as const;
export type MissionType = (typeof MISSION_TYPES)[number];

export const URGENCY_GROUNDS = [
  'public_security_threat',
  'threat_to_life',
  'deprivation_of_liberty',
  'loss_of_relevance',
] as const;
export type UrgencyGround = (typeof URGENCY_GROUNDS)[number];

export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

export const ACCESSIBILITY = ['direct', 'indirect'] as const;
export type Accessibility = (typeof ACCESSIBILITY)[number];

export const LOOKUPS = [
  'dna',
  'fingerprints',
  'vehicle_registration',
  'facial_image',
  'police_record',
] as const;
export type Lookup = (typeof LOOKUPS)[number];

export const SIS_ARTICLES = [26, 32, 34, 36, 38, 40] as const;
export type SisArticle = (typeof SIS_ARTICLES)[number];

export const UNIT_LEVELS = ['local', 'federal', 'cyber'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export type Subject =
  | { type: 'person'; name?: string; dateOfBirth?: string; nationality?: string; documentNumber?: string }
  | { type: 'vehicle'; registration?: string; country?: string; vin?: string; make?: string }
  | { type: 'document'; kind?: string; number?: string; issuingCountry?: string }
  | { type: 'phone'; number: string }
  | { type: 'organisation'; name: string; country?: string }
  | { type: 'place'; address: string; country?: string }
  | { type: 'other'; description: string };

export type Urgency = { urgent: false } | { urgent: true; ground: UrgencyGround; reason: string };

/** The body of `POST /v1/requests` (SPEC §2), after validation. */
export interface OutboundRequestBody {
  missionType: MissionType;
  targetCountries: string[];
  offence: { category: OffenceCategory; description: string };
  informationSought: string;
  purpose: string;
  justification: string;
  subjects: Subject[];
  urgency: Urgency;
  accessibility: Accessibility;
  handlingCode: HandlingCode;
  language: string;
  sisAlert?: { reference: string; article: SisArticle };
  lookup?: Lookup;
  borderRegion?: boolean;
}

/** The body of `POST /v1/provisions` (Art 7): what is provided, not what is sought. */
export type ProvisionBody = Omit<OutboundRequestBody, 'informationSought'> & { informationProvided: string };

/** A provision in the pipeline, marked so that rules may test the message kind. */
export type ProvisionMessage = ProvisionBody & { kind: 'provision' };

/** What the pipeline routes: a request or an own-initiative provision. */
export type MessageBody = OutboundRequestBody | ProvisionMessage;

/** The message kind rules may test (`request.kind`). */
export function messageKindOf(body: MessageBody): 'request' | 'provision' {
  return 'kind' in body ? 'provision' : 'request';
}

/** Who acts: taken from the verified token, never from the body. */
export interface Actor {
  person: string;
  unit: string;
  level?: UnitLevel;
  role: string;
}

/** What the router evaluates: the body plus the facts of its receipt. */
export interface RoutingInput {
  requestId: string;
  direction: 'outbound';
  requestingUnit: string;
  receivedAt: string;
  body: MessageBody;
}
