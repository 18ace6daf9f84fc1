import type { OffenceCategory } from '@ixr/domain';
import type { ContactPoint, CountryEntry, Directory, LiaisonPost, PcccCentre } from './directory.schema';

/** A country the directory does not list is a third country with no special arrangement. */
export function countryEntry(directory: Directory, code: string): CountryEntry {
  return Object.hasOwn(directory.countries, code)
    ? directory.countries[code]
    : { name: code, euMember: false, schengenAssociated: false, prum: false };
}

export function isEuOrSchengenIn(directory: Directory, code: string): boolean {
  const entry = countryEntry(directory, code);
  return entry.euMember || entry.schengenAssociated;
}

export function pcccCentreFor(directory: Directory, code: string): PcccCentre | undefined {
  const id = countryEntry(directory, code).pcccCentre;
  return id === undefined ? undefined : directory.pcccCentres.find((c) => c.id === id);
}

/** The first post in directory order accredited for the country: order is the administrator's preference. */
export function liaisonPostFor(directory: Directory, code: string): LiaisonPost | undefined {
  return directory.liaisonPosts.find((p) => p.accreditedFor.includes(code));
}

/** The EU member states concerned: the home country (if EU) first, then the partners in order, once each. */
export function euMemberStatesConcerned(directory: Directory, partners: readonly string[]): string[] {
  const states: string[] = [];
  for (const code of [directory.homeCountry, ...partners]) {
    if (countryEntry(directory, code).euMember && !states.includes(code)) states.push(code);
  }
  return states;
}

export interface ContactPointMatch {
  contactPoint: ContactPoint;
  match: 'region' | 'national';
}

function sameRegion(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * The contact point for an inbound request (SPEC §4.4): one covering the offence in the named
 * region first, then one covering it nationally (no region); ties go to directory order.
 * A regional contact point never answers for another region or for a request naming none.
 */
export function findContactPoint(
  directory: Directory,
  category: OffenceCategory,
  region: string | undefined,
): ContactPointMatch | undefined {
  const covering = directory.contactPoints.filter((c) => c.themes.includes(category));
  if (region !== undefined) {
    const regional = covering.find((c) => c.region !== undefined && sameRegion(c.region, region));
    if (regional !== undefined) return { contactPoint: regional, match: 'region' };
  }
  const national = covering.find((c) => c.region === undefined);
  return national === undefined ? undefined : { contactPoint: national, match: 'national' };
}
