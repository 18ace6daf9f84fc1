import type { RoutingDecision } from '@ixr/domain';
import type { DeadlineAction } from './ruleset.schema';
import { DAY_MS, HOUR_MS, isoOf, toInstant } from './time';

/**
 * Reply deadlines (SPEC §4.2, Directive 2023/977 Art 5): counted from receipt in plain UTC
 * arithmetic, so nights and weekends count and there is no calendar to consult. A "calendar
 * day" is 24 hours of UTC time (UTC has no daylight-saving shifts).
 */
export type Deadline = RoutingDecision['deadline'];

export const NO_DEADLINE: Deadline = Object.freeze({ at: null, basis: 'none' });

export function durationMs(after: NonNullable<DeadlineAction['after']>): number {
  return 'hours' in after ? after.hours * HOUR_MS : after.days * DAY_MS;
}

export function deadlineFromAction(action: DeadlineAction, receivedAt: string): Deadline {
  if (action.after === null || action.basis === 'none') return { at: null, basis: 'none' };
  return { at: isoOf(toInstant(receivedAt, 'receivedAt') + durationMs(action.after)), basis: action.basis };
}

/** Warnings at 50/75/90 % of the time allowed, then the breach (which triggers escalation). */
export const DEADLINE_MILESTONES = ['warning_50', 'warning_75', 'warning_90', 'breach'] as const;
export type DeadlineMilestone = (typeof DEADLINE_MILESTONES)[number];

const PERCENT: Record<DeadlineMilestone, number> = {
  warning_50: 50,
  warning_75: 75,
  warning_90: 90,
  breach: 100,
};

export interface MilestoneAt {
  milestone: DeadlineMilestone;
  at: string;
}

/** When each milestone falls; empty without a deadline. The breach falls on the deadline itself. */
export function deadlineMilestones(deadline: Deadline, receivedAt: string | Date): MilestoneAt[] {
  if (deadline.at === null) return [];
  const start = toInstant(receivedAt, 'receivedAt');
  const span = toInstant(deadline.at, 'deadline.at') - start;
  return DEADLINE_MILESTONES.map((milestone) => ({
    milestone,
    at: isoOf(start + Math.floor((span * PERCENT[milestone]) / 100)),
  }));
}

export interface DeadlineProgress {
  /** Share of the allowed time elapsed (may exceed 1); null without a deadline. */
  elapsed: number | null;
  /** Milestones whose instant is at or before `now`, in order. A monitor fires those it has not fired yet. */
  due: DeadlineMilestone[];
  /** The next milestone still to come, to schedule a timer; null when none is left. */
  next: MilestoneAt | null;
}

/**
 * Which milestones are due at `now` — for the deadline monitor. A milestone is due from its
 * instant on (inclusive), so a timer set for `next.at` finds it due when it fires.
 */
export function deadlineProgress(
  deadline: Deadline,
  receivedAt: string | Date,
  now: string | Date,
): DeadlineProgress {
  if (deadline.at === null) return { elapsed: null, due: [], next: null };
  const start = toInstant(receivedAt, 'receivedAt');
  const current = toInstant(now, 'now');
  const span = toInstant(deadline.at, 'deadline.at') - start;
  const milestones = deadlineMilestones(deadline, receivedAt);
  const due = milestones.filter((m) => toInstant(m.at, 'milestone') <= current).map((m) => m.milestone);
  const next = milestones.find((m) => toInstant(m.at, 'milestone') > current) ?? null;
  return { elapsed: span > 0 ? (current - start) / span : 1, due, next };
}
