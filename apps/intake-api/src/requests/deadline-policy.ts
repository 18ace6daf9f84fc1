import { evaluateDeadline } from '@ixr/routing';
import type { RoutingConfigStore } from '@ixr/persistence';
import type { DeadlinePolicy } from './submit-request.usecase';

/**
 * The deadline announced at receipt comes from the deadline rules of the active rule set, the same
 * the router applies (SPEC §4.2).
 */
export function activeRulesetDeadlinePolicy(store: RoutingConfigStore): DeadlinePolicy {
  return {
    deadlineFor: async (body, receivedAt, requestingUnit) => {
      const { ruleset, directory } = await store.active();
      return evaluateDeadline(
        {
          requestId: 'deadline',
          direction: 'outbound',
          requestingUnit,
          receivedAt: receivedAt.toISOString(),
          body,
        },
        ruleset,
        directory,
      );
    },
  };
}
