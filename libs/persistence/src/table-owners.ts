/**
 * Who owns which table (shared decision: one owner per table). Issue 15's tables only; the
 * integrator unions this with the full declaration.
 */
export type OwningService = 'intake' | 'router' | 'adapters' | 'log';
export interface TableGrant {
  owner: OwningService;
  readers: readonly OwningService[];
}

export const TABLES = {
  data_protection_reviews: { owner: 'intake', readers: [] },
  erasures: { owner: 'intake', readers: [] },
} as const satisfies Record<string, TableGrant>;
