import { isForeignChannel, type ForeignChannel } from '@ixr/domain';
import { countryEntry } from './directory.lookup';
import type { Directory } from './directory.schema';

/**
 * Who may write to us over which channel (SPEC §4.4, DOMAIN "The channels"): country partners over
 * the state-to-state channels; over `pccc` the cooperation centres of the directory; over
 * `liaison_officer` the liaison posts of the directory (the officer relays the host authorities);
 * over `europol`, Europol itself. The partner id is what our reply goes back to.
 */
export type PartnerKind = 'country' | 'pccc_centre' | 'liaison_post' | 'europol';

/** Europol's id as a partner, the same as the destination of the Europol copy. */
export const EUROPOL_PARTNER = 'EUROPOL';

export interface InboundPartner {
  channel: ForeignChannel;
  id: string;
  kind: PartnerKind;
  name: string;
  /** The states whose authorities speak through this partner (empty for Europol: any EU state). */
  states: string[];
  /** The state a request comes from when it names none (absent: it must say, or there is none). */
  defaultState?: string;
}

export type PartnerLookup = { ok: true; partner: InboundPartner } | { ok: false; reason: string };

/** The partner `channel/id`, if the directory knows such a partner on that channel. */
export function inboundPartner(directory: Directory, channel: string, id: string): PartnerLookup {
  if (!isForeignChannel(channel))
    return { ok: false, reason: `${channel} is not a channel foreign partners use` };
  switch (channel) {
    case 'pccc': {
      const centre = directory.pcccCentres.find((c) => c.id === id);
      if (!centre)
        return { ok: false, reason: `no police and customs cooperation centre ${id} in the directory` };
      const states = centre.countries.filter((c) => c !== directory.homeCountry);
      return {
        ok: true,
        partner: {
          channel,
          id,
          kind: 'pccc_centre',
          name: `PCCC ${centre.name}`,
          states,
          defaultState: states.length === 1 ? states[0] : undefined,
        },
      };
    }
    case 'liaison_officer': {
      const post = directory.liaisonPosts.find((p) => p.id === id);
      if (!post) return { ok: false, reason: `no liaison post ${id} in the directory` };
      return {
        ok: true,
        partner: {
          channel,
          id,
          kind: 'liaison_post',
          name: `liaison post ${post.city}`,
          states: post.accreditedFor,
          defaultState: post.accreditedFor.includes(post.hostCountry) ? post.hostCountry : undefined,
        },
      };
    }
    case 'europol':
      if (id !== EUROPOL_PARTNER)
        return { ok: false, reason: `the europol channel's partner is ${EUROPOL_PARTNER}` };
      return { ok: true, partner: { channel, id, kind: 'europol', name: 'Europol', states: [] } };
    case 'siena':
    case 'interpol':
    case 'sirene':
    case 'prum':
    case 'benelux':
      if (!/^[A-Z]{2}$/.test(id) || id === directory.homeCountry)
        return { ok: false, reason: `${channel} partners are foreign countries (ISO 3166-1 alpha-2)` };
      return {
        ok: true,
        partner: {
          channel,
          id,
          kind: 'country',
          name: countryEntry(directory, id).name,
          states: [id],
          defaultState: id,
        },
      };
  }
}

export type OriginState = { ok: true; state: string | undefined } | { ok: false; reason: string };

/**
 * The state a partner's request comes from: the one it names (`claimed`), which must be one the
 * partner speaks for, else the partner's default. A PCCC serving several states must say which;
 * Europol may name an EU member state on whose behalf it writes, or none (its own request).
 */
export function originStateOf(
  directory: Directory,
  partner: InboundPartner,
  claimed: string | undefined,
): OriginState {
  if (claimed === undefined) {
    if (partner.defaultState !== undefined || partner.kind === 'europol')
      return { ok: true, state: partner.defaultState };
    return {
      ok: false,
      reason: `${partner.name} (${partner.id}) speaks for ${partner.states.join(', ')}: the request must name one as originCountry`,
    };
  }
  const allowed =
    partner.kind === 'europol' ? countryEntry(directory, claimed).euMember : partner.states.includes(claimed);
  if (allowed) return { ok: true, state: claimed };
  return {
    ok: false,
    reason:
      partner.kind === 'europol'
        ? `${claimed} is not an EU member state: Europol writes on behalf of member states`
        : `${partner.name} (${partner.id}) speaks for ${partner.states.join(', ')}, not ${claimed}`,
  };
}

/** How a partner is named in reasons and logs, even if the directory no longer lists it. */
export function partnerDisplayName(directory: Directory, channel: string, id: string): string {
  const found = inboundPartner(directory, channel, id);
  return found.ok ? found.partner.name : id;
}
