/** The requesting state. */
export const HOME_COUNTRY = 'BE';

/** EU member states (27), ISO 3166-1 alpha-2. Greece is `GR` in ISO (Europol uses `EL`). */
export const EU_MEMBER_STATES = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
] as const;

/** Schengen-associated countries outside the EU (SPEC §4.1.3). */
export const SCHENGEN_ASSOCIATED = ['IS', 'LI', 'NO', 'CH'] as const;

export function isEuMemberState(country: string): boolean {
  return (EU_MEMBER_STATES as readonly string[]).includes(country);
}

export function isEuOrSchengen(country: string): boolean {
  return isEuMemberState(country) || (SCHENGEN_ASSOCIATED as readonly string[]).includes(country);
}

/** ISO 3166-1 alpha-2 shape; the list of assigned codes is checked by the intake schema. */
export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
