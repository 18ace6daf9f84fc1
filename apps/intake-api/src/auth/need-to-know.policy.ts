import type { Role } from '@ixr/auth';
import type { Channel } from '@ixr/domain';

/** Why a caller may read a request; recorded with the consultation. */
export type ReadBasis = 'spoc_operator' | 'auditor' | 'requesting_unit' | 'contact_point';

export type ReadAccess = { allowed: true; basis: ReadBasis } | { allowed: false; reason: string };

/** The national channels: a delivery over them puts the request in that unit's inbox. */
const NATIONAL_CHANNELS: readonly Channel[] = ['national_unit', 'national_spoc'];

interface DeliveryTarget {
  channel: string;
  destination: string;
}

/**
 * True when the request was routed to `unit` as a national recipient: its contact point
 * (national_unit) or the SPOC's copy (national_spoc). Also the rule for answering it
 * (SPEC §2 `POST /v1/requests/{id}/replies`: "the unit the request was routed to").
 */
export function isRoutedTo(unit: string, deliveries: readonly DeliveryTarget[]): boolean {
  return deliveries.some(
    (d) => (NATIONAL_CHANNELS as readonly string[]).includes(d.channel) && d.destination === unit,
  );
}

/**
 * Need-to-know (issue 6, Directive 2016/680): a SPOC operator sees every exchange (Directive
 * 2023/977 Art 4(2), 14); an auditor reads everything, read-only and justified; any other caller
 * sees only its own unit's requests and what was routed to its unit.
 */
export function readAccess(
  caller: { unit: string; role: Role },
  /** `assignedUnit`: the contact point a foreign partner's request was given to, where recorded. */
  request: { requestingUnit: string; assignedUnit?: string | null },
  deliveries: readonly DeliveryTarget[],
): ReadAccess {
  switch (caller.role) {
    case 'spoc_operator':
      return { allowed: true, basis: 'spoc_operator' };
    case 'auditor':
      return { allowed: true, basis: 'auditor' };
    case 'requester':
    case 'adapter':
    case 'admin':
    case 'dpo': // the data-protection officer reviews and erases; reading content is not its task (SPEC §10)
      if (request.requestingUnit === caller.unit) return { allowed: true, basis: 'requesting_unit' };
      if (request.assignedUnit === caller.unit || isRoutedTo(caller.unit, deliveries)) {
        return { allowed: true, basis: 'contact_point' };
      }
      return {
        allowed: false,
        reason: `request belongs to another unit and was not routed to ${caller.unit}`,
      };
  }
}

/** The justification recorded when a caller acting operationally gives none of its own. */
export const DEFAULT_JUSTIFICATION: Record<Exclude<ReadBasis, 'auditor'>, string> = {
  spoc_operator: 'SPOC duty: follow-up of an exchange (Directive 2023/977 Art 14)',
  requesting_unit: "follow-up of the unit's own request",
  contact_point: 'handling a request routed to the unit',
};
