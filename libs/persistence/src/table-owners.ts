/**
 * One owner per table (STYLE "One owner per table"): the service that alone writes it, and the
 * services that read it.
 */
export type OwningService = 'intake' | 'router' | 'adapters' | 'log';
export interface TableGrant {
  owner: OwningService;
  readers: readonly OwningService[];
}
export const TABLES = {
  // Finding and following work (SPEC §7, issue 13): fed by the events the intake consumes.
  work_requests: { owner: 'intake', readers: [] },
  inbox_items: { owner: 'intake', readers: [] },
  work_feed: { owner: 'intake', readers: [] },
  assignments: { owner: 'intake', readers: [] },
  event_tickets: { owner: 'intake', readers: [] },
  data_protection_reviews: { owner: 'intake', readers: [] },
  erasures: { owner: 'intake', readers: [] },
  // SPEC §10: the intake creates the keys of submissions and deletes a key on erasure; the adapters
  // create the keys of partners' messages (the one other writer, insert only); all read them.
  data_keys: { owner: 'intake', readers: ['router', 'adapters', 'log'] },
} as const satisfies Record<string, TableGrant>;
