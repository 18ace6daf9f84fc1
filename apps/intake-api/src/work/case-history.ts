import type { DataSource } from 'typeorm';
import type { RoutingDecision } from '@ixr/domain';
import type { ReplyView } from '../replies/reply-view';

/** One step of a case, as the request view tells it (SPEC §7 "the whole case in order"). */
export interface HistoryEntry {
  at: string;
  kind: string;
  [detail: string]: unknown;
}

/** What of the request view the sources read (request-view.service.ts builds it). */
export interface CaseView {
  id: string;
  receivedAt: string;
  origin: { direction: 'outbound' | 'inbound' };
  decision: RoutingDecision | null;
  deliveries: {
    id: string;
    channel: string;
    destination: string;
    role: string;
    status: string;
    attempts: number;
    dispatchedAt: string;
    completedAt: string | null;
  }[];
  replies: ReplyView[];
}

/** What the sources are given: the view built so far, and the database for what it lacks. */
export interface HistoryContext {
  view: CaseView;
  dataSource: DataSource;
}

/** A source of history entries; a new kind of step (a refusal, a clarification) adds one. */
export type HistorySource = (context: HistoryContext) => Promise<HistoryEntry[]> | HistoryEntry[];

const received: HistorySource = ({ view }) => [
  { at: view.receivedAt, kind: 'received', direction: view.origin.direction },
];

const decided: HistorySource = ({ view }) =>
  view.decision
    ? [
        {
          at: view.decision.decidedAt,
          kind: 'routed',
          rulesetVersion: view.decision.rulesetVersion,
          routes: view.decision.routes.map((r) => ({
            channel: r.channel,
            destination: r.destination,
            role: r.role,
          })),
        },
      ]
    : [];

const deliveries: HistorySource = ({ view }) =>
  view.deliveries.flatMap((d) => {
    const route = { deliveryId: d.id, channel: d.channel, destination: d.destination, role: d.role };
    const steps: HistoryEntry[] = [{ at: d.dispatchedAt, kind: 'dispatched', ...route }];
    if (d.completedAt && d.status !== 'pending') {
      steps.push({ at: d.completedAt, kind: d.status, ...route, attempts: d.attempts });
    }
    return steps;
  });

const replies: HistorySource = ({ view }) =>
  view.replies.map((r) => ({
    at: r.createdAt,
    kind: r.direction === 'inbound' ? 'answer_received' : 'reply_sent',
    replyId: r.id,
    channel: r.channel,
    partner: r.partner,
    status: r.status,
    late: r.late,
  }));

/** Deadline warnings and escalations, once each (the inboxes hold one item per unit told). */
const deadlines: HistorySource = async ({ view, dataSource }) => {
  const rows: { kind: string; at: Date; summary: string; units: string[] }[] = await dataSource.query(
    `SELECT kind, min(at) AS at, min(summary) AS summary, array_agg(unit ORDER BY unit) AS units
       FROM inbox_items WHERE request_id = $1 AND kind IN ('deadline_warning', 'escalation')
      GROUP BY source, kind`,
    [view.id],
  );
  return rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind, summary: r.summary, notified: r.units }));
};

const assignments: HistorySource = async ({ view, dataSource }) => {
  const rows: { from_unit: string | null; to_unit: string; reason: string; assigned_by: string; at: Date }[] =
    await dataSource.query(
      `SELECT from_unit, to_unit, reason, assigned_by, at FROM assignments WHERE request_id = $1 ORDER BY id`,
      [view.id],
    );
  return rows.map((r) => ({
    at: r.at.toISOString(),
    kind: 'assigned',
    from: r.from_unit,
    to: r.to_unit,
    reason: r.reason,
    by: r.assigned_by,
  }));
};

/** The sources, in the order that breaks ties between steps of the same instant. */
export const HISTORY_SOURCES: HistorySource[] = [
  received,
  decided,
  deliveries,
  replies,
  deadlines,
  assignments,
];

/** Every step of the case, oldest first. */
export async function caseHistory(context: HistoryContext): Promise<HistoryEntry[]> {
  const lists = await Promise.all(HISTORY_SOURCES.map(async (source) => source(context)));
  return lists
    .flatMap((entries, rank) => entries.map((entry, index) => ({ entry, rank, index })))
    .sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.rank - b.rank || a.index - b.index)
    .map((e) => e.entry);
}
