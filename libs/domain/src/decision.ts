import type { Channel, RouteRole } from './channel';

export const DEADLINE_BASES = ['urgent_direct_8h', 'urgent_indirect_3d', 'standard_7d', 'none'] as const;
export type DeadlineBasis = (typeof DEADLINE_BASES)[number];

export interface Route {
  channel: Channel;
  destination: string;
  role: RouteRole;
  ruleId: string;
  reason: string;
}

/** The routing decision, SPEC §3. */
export interface RoutingDecision {
  requestId: string;
  rulesetVersion: string;
  decidedAt: string;
  routes: Route[];
  europolCopy: { copy: boolean; reason: string };
  deadline: { at: string | null; basis: DeadlineBasis };
}
