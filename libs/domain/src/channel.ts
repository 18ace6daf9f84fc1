/** Channels whose messages leave for foreign partners; the national ones end in a unit's inbox. */
export const FOREIGN_CHANNELS = [
  'siena',
  'europol',
  'interpol',
  'sirene',
  'prum',
  'pccc',
  'liaison_officer',
  'benelux',
] as const;

/** Channel ids of SPEC §3, exact. */
export const CHANNELS = [...FOREIGN_CHANNELS, 'national_spoc', 'national_unit'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ROUTE_ROLES = ['primary', 'parallel', 'copy', 'fallback'] as const;
export type RouteRole = (typeof ROUTE_ROLES)[number];

export type ForeignChannel = (typeof FOREIGN_CHANNELS)[number];

export function isForeignChannel(channel: string): channel is ForeignChannel {
  return (FOREIGN_CHANNELS as readonly string[]).includes(channel);
}
