/** Channel ids of SPEC §3, exact. */
export const CHANNELS = [
  'siena',
  'europol',
  'interpol',
  'sirene',
  'prum',
  'pccc',
  'liaison_officer',
  'benelux',
  'national_spoc',
  'national_unit',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROUTE_ROLES = ['primary', 'parallel', 'copy', 'fallback'] as const;
export type RouteRole = (typeof ROUTE_ROLES)[number];
