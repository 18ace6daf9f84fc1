import { ALL_CIRCUITS_CLOSED, defaultDirectory, defaultRuleset, evaluate } from '@ixr/routing';
import type { DeadlinePolicy } from './submit-request.usecase';

/**
 * The deadline announced at receipt comes from the same rule set the router applies (SPEC §4.2);
 * only the deadline part of the evaluation is used here.
 */
export function defaultDeadlinePolicy(): DeadlinePolicy {
  const ruleset = defaultRuleset();
  const directory = defaultDirectory();
  return {
    deadlineFor: (body, receivedAt) =>
      evaluate(
        {
          requestId: 'deadline-preview',
          direction: 'outbound',
          requestingUnit: directory.spocUnit,
          receivedAt: receivedAt.toISOString(),
          body,
        },
        ruleset,
        directory,
        ALL_CIRCUITS_CLOSED,
        receivedAt,
      ).deadline,
  };
}
