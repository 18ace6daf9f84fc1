import {
  ALL_CIRCUITS_CLOSED,
  defaultDirectory,
  defaultRuleset,
  evaluate,
  rulesetHash,
  type Directory,
  type Ruleset,
} from '@ixr/routing';
import type { RoutingPolicy } from './route-request.usecase';

/** The shipped rule set and directory, with the SPOC unit taken from configuration. */
export function defaultRoutingPolicy(options: { spocUnit: string }): RoutingPolicy {
  const ruleset: Ruleset = defaultRuleset();
  const directory: Directory = { ...defaultDirectory(), spocUnit: options.spocUnit };
  const hash = rulesetHash(ruleset);
  return {
    decide: (input, now) => {
      const channelHealth = ALL_CIRCUITS_CLOSED;
      return {
        decision: evaluate(input, ruleset, directory, channelHealth, now),
        rulesetHash: hash,
        channelHealth,
      };
    },
  };
}
