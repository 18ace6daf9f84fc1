import { z } from 'zod';
import { CHANNELS, type Channel, type HandlingCode, type Route, type RoutingDecision } from '@ixr/domain';

/**
 * Information received from a foreign partner under handling code H2 ("no dissemination without
 * permission") or H3 ("other restrictions") is never passed to another channel — a Europol copy
 * included (Directive 2023/977 Art 12: information from another state needs that state's consent)
 * — unless that partner's consent is recorded. Pure: the caller (the inbound path, wherever it
 * routes partner-originated information) passes the consents it holds and applies the result.
 */

/** Where a piece of information came from. */
export interface InformationOrigin {
  /** The partner that provided it: its country code (NL) or organisation (EUROPOL, INTERPOL). */
  partner: string;
  /** The channel it came in on; answering the partner over it is never "another channel". */
  channel: Channel;
  handlingCode: HandlingCode;
  /** The request the information belongs to (consents may be given for one exchange only). */
  requestId: string;
}

/** A partner's recorded permission to pass its information on. */
export const disseminationConsentSchema = z.strictObject({
  partner: z.string().min(2).max(64),
  /** The channel it may go to, or any. */
  channel: z.union([z.enum(CHANNELS), z.literal('*')]),
  /** The destination it may go to (a country, a unit, EUROPOL…), or any. */
  destination: z.string().min(1).max(64),
  /** Only for this request; absent = every exchange with the partner (a standing consent). */
  requestId: z.string().min(1).max(200).optional(),
  /** The partner's message or agreement that gives it, for the log. */
  reference: z.string().min(1).max(200),
  grantedAt: z.iso.datetime({ offset: true }),
});
export type DisseminationConsent = z.infer<typeof disseminationConsentSchema>;

export interface WithheldRoute {
  route: Route;
  reason: string;
}

export interface GuardedDecision {
  decision: RoutingDecision;
  withheld: WithheldRoute[];
  /** The consents that allowed a route, for the log (reference per route). */
  applied: { route: Route; reference: string }[];
}

const RESTRICTED: readonly HandlingCode[] = ['H2', 'H3'];
/** Inside the receiving state: the SPOC and its national contact points. */
const NATIONAL: readonly Channel[] = ['national_unit', 'national_spoc'];

export function isRestricted(handlingCode: HandlingCode): boolean {
  return RESTRICTED.includes(handlingCode);
}

/** True when `route` passes the information to a channel other than home or back to its origin. */
export function isOnwardTransmission(
  route: Pick<Route, 'channel' | 'destination'>,
  origin: InformationOrigin,
): boolean {
  if (NATIONAL.includes(route.channel)) return false;
  return !(route.channel === origin.channel && route.destination === origin.partner);
}

function consentFor(
  route: Pick<Route, 'channel' | 'destination'>,
  origin: InformationOrigin,
  consents: readonly DisseminationConsent[],
): DisseminationConsent | undefined {
  return consents.find(
    (c) =>
      c.partner === origin.partner &&
      (c.channel === '*' || c.channel === route.channel) &&
      (c.destination === '*' || c.destination === route.destination) &&
      (c.requestId === undefined || c.requestId === origin.requestId),
  );
}

/**
 * The decision with every onward route of restricted information removed unless consented, and
 * the Europol copy turned off with the reason when it is not consented. H0/H1 information and
 * routes inside the country or back to the originator pass unchanged.
 */
export function guardDissemination(
  decision: RoutingDecision,
  origin: InformationOrigin,
  consents: readonly DisseminationConsent[],
): GuardedDecision {
  if (!isRestricted(origin.handlingCode)) return { decision, withheld: [], applied: [] };
  const withheld: WithheldRoute[] = [];
  const applied: GuardedDecision['applied'] = [];
  const routes = decision.routes.filter((route) => {
    if (!isOnwardTransmission(route, origin)) return true;
    const consent = consentFor(route, origin, consents);
    if (consent) {
      applied.push({ route, reference: consent.reference });
      return true;
    }
    withheld.push({ route, reason: withheldReason(origin, route.channel, route.destination) });
    return false;
  });
  let europolCopy = decision.europolCopy;
  if (europolCopy.copy) {
    const europolRoute = decision.routes.find((r) => r.channel === 'europol');
    const allowed = europolRoute
      ? routes.includes(europolRoute)
      : consentFor({ channel: 'europol', destination: 'EUROPOL' }, origin, consents) !== undefined;
    if (!allowed) {
      europolCopy = {
        copy: false,
        reason: `${europolCopy.reason} Withheld: ${withheldReason(origin, 'europol', 'EUROPOL')}`,
      };
    }
  }
  return { decision: { ...decision, routes, europolCopy }, withheld, applied };
}

function withheldReason(origin: InformationOrigin, channel: Channel, destination: string): string {
  const meaning =
    origin.handlingCode === 'H2' ? 'no dissemination without permission' : 'restrictions of the provider';
  return (
    `information from ${origin.partner} (received over ${origin.channel}) carries handling code ` +
    `${origin.handlingCode} (${meaning}); it is not passed to ${channel} ${destination} without ` +
    `${origin.partner}'s recorded consent (Directive 2023/977 Art 12).`
  );
}
