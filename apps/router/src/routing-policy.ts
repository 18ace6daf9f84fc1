import type { Logger } from 'pino';
import { evaluate, type ChannelHealth } from '@ixr/routing';
import type { RoutingConfigStore } from '@ixr/persistence';
import type { RoutingPolicy } from './route-request.usecase';

/**
 * Decides with the active rule set and the current directory from the database (refreshed on a
 * timer, so an activation takes effect within seconds), the SPOC unit taken from configuration,
 * and the circuit states the adapters share: an open circuit makes the rule set take the
 * directory's fallback, with "technical incident" as the reason (SPEC §4.1.5, Art 13(2)(c)).
 * Every decision names the rule-set version and hash and the circuit snapshot it used.
 */
export function databaseRoutingPolicy(
  store: RoutingConfigStore,
  circuits: { current(): ChannelHealth },
  logger: Logger,
  options: { spocUnit: string },
): RoutingPolicy {
  return {
    decide: async (input, now) => {
      const config = await store.active();
      const directory = { ...config.directory, spocUnit: options.spocUnit };
      const channelHealth = circuits.current();
      const decision = evaluate(input, config.ruleset, directory, channelHealth, now);
      const fallbacks = decision.routes.filter((r) => r.role === 'fallback');
      if (fallbacks.length > 0) {
        logger.warn(
          {
            requestId: input.requestId,
            open: channelHealth.open,
            fallbacks: fallbacks.map((r) => ({
              channel: r.channel,
              destination: r.destination,
              reason: r.reason,
            })),
          },
          'technical incident: circuit open, fallback route taken (Directive 2023/977 Art 13(2)(c))',
        );
      }
      return {
        decision,
        rulesetHash: config.rulesetHash,
        directoryVersion: config.directoryVersion,
        channelHealth,
      };
    },
  };
}
