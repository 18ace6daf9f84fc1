import fc from 'fast-check';
import {
  ACCESSIBILITY,
  EU_MEMBER_STATES,
  HANDLING_CODES,
  LOOKUPS,
  MISSION_TYPES,
  OFFENCE_CATEGORIES,
  SCHENGEN_ASSOCIATED,
  SIS_ARTICLES,
  URGENCY_GROUNDS,
  type OutboundRequestBody,
  type RoutingInput,
  type Urgency,
} from '@ixr/domain';

/** Test data only: imported by the specs, never by the library. */

export const RECEIVED_AT = '2025-03-14T22:30:00.000Z';
export const NOW = '2025-03-14T22:30:05.000Z';

export function body(overrides: Partial<OutboundRequestBody> = {}): OutboundRequestBody {
  return {
    missionType: 'judicial',
    targetCountries: ['NL'],
    offence: { category: 'drug_trafficking', description: 'Cocaine shipment through the port' },
    informationSought: 'Registered keeper and recent border crossings of the vehicle',
    purpose: 'Identify the organisers of the shipment',
    justification: 'Investigation file AN.12.34.567/25',
    subjects: [{ type: 'vehicle', registration: '1-ABC-234', country: 'BE' }],
    urgency: { urgent: false },
    accessibility: 'direct',
    handlingCode: 'H1',
    language: 'en',
    ...overrides,
  };
}

export function input(
  bodyOverrides: Partial<OutboundRequestBody> = {},
  meta: Partial<Omit<RoutingInput, 'body' | 'direction'>> = {},
): RoutingInput {
  return {
    requestId: 'req-0001',
    direction: 'outbound',
    requestingUnit: 'PZ-5339',
    receivedAt: RECEIVED_AT,
    ...meta,
    body: body(bodyOverrides),
  };
}

export const URGENT: Urgency = { urgent: true, ground: 'threat_to_life', reason: 'Hostage situation' };

/** Third countries: some with a liaison post in the seed directory, some unknown to it. */
export const THIRD_COUNTRIES = ['US', 'CA', 'MA', 'TR', 'MD', 'AL', 'CN', 'BR', 'JP', 'ZA'] as const;
export const TARGET_POOL = [
  ...EU_MEMBER_STATES.filter((c) => c !== 'BE'),
  ...SCHENGEN_ASSOCIATED,
  ...THIRD_COUNTRIES,
] as const;

const text = fc.string({ minLength: 1, maxLength: 40 });
const urgency: fc.Arbitrary<Urgency> = fc.oneof(
  fc.constant<Urgency>({ urgent: false }),
  fc.record({
    urgent: fc.constant(true as const),
    ground: fc.constantFrom(...URGENCY_GROUNDS),
    reason: text,
  }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Valid request bodies as SPEC §2 describes them (subjects kept simple: routing never reads them). */
export const requestBody: fc.Arbitrary<OutboundRequestBody> = fc
  .record({
    missionType: fc.constantFrom(...MISSION_TYPES),
    targetCountries: fc.uniqueArray(fc.constantFrom(...TARGET_POOL), { minLength: 1, maxLength: 6 }),
    category: fc.constantFrom(...OFFENCE_CATEGORIES),
    urgency,
    accessibility: fc.constantFrom(...ACCESSIBILITY),
    handlingCode: fc.constantFrom(...HANDLING_CODES),
    sisAlert: optional(
      fc.record({
        reference: fc.stringMatching(/^[A-Z0-9]{6,12}$/),
        article: fc.constantFrom(...SIS_ARTICLES),
      }),
    ),
    lookup: optional(fc.constantFrom(...LOOKUPS)),
    borderRegion: optional(fc.boolean()),
  })
  .map((r) => {
    const b = body({
      missionType: r.missionType,
      targetCountries: r.targetCountries,
      offence: { category: r.category, description: 'generated' },
      urgency: r.urgency,
      accessibility: r.accessibility,
      handlingCode: r.handlingCode,
    });
    if (r.sisAlert !== undefined) b.sisAlert = r.sisAlert;
    if (r.lookup !== undefined) b.lookup = r.lookup;
    if (r.borderRegion !== undefined) b.borderRegion = r.borderRegion;
    return b;
  });

export const requestingUnit = fc.constantFrom('PZ-5339', 'DJSOC-CYBER', 'CGI-SPOC', 'PZ-5341');

/** Instants between 2024 and 2030, whole milliseconds. */
export const instant = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

export const routingInput: fc.Arbitrary<RoutingInput> = fc
  .record({ body: requestBody, unit: requestingUnit, receivedAt: instant, id: fc.uuid() })
  .map((r) => ({
    requestId: r.id,
    direction: 'outbound',
    requestingUnit: r.unit,
    receivedAt: r.receivedAt,
    body: r.body,
  }));
