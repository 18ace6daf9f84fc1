import { ALL_CIRCUITS_CLOSED, evaluate } from '@ixr/routing';
import type { RoutingConfigStore } from '@ixr/persistence';
import type { RoutingPolicy } from './route-request.usecase';

/**
 * Decides with the active rule set and the current directory from the database (refreshed on a
 * timer, so an activation takes effect within seconds), the SPOC unit taken from configuration.
 * Every decision names the rule-set version and hash it used.
 */
export function databaseRoutingPolicy(
  store: RoutingConfigStore,
  options: { spocUnit: string },
): RoutingPolicy {
  return {
    decide: async (input, now) => {
      const config = await store.active();
      const directory = { ...config.directory, spocUnit: options.spocUnit };
      const channelHealth = ALL_CIRCUITS_CLOSED;
      return {
        decision: evaluate(input, config.ruleset, directory, channelHealth, now),
        rulesetHash: config.rulesetHash,
        directoryVersion: config.directoryVersion,
        channelHealth,
      };
    },
  };
}
