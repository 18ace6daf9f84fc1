/**
 * The one list of exchange-log entry kinds (SPEC §5): every step of an exchange is one entry of
 * one of these kinds. Everything else derives from it: the entry facts' `kind`, the kinds an
 * `ixr.audit.recorded` event may carry, the epoch entry, the case steps' kinds.
 */
export const LOG_ENTRY_KINDS = [
  'received',
  'validated',
  'routed',
  'dispatched',
  'delivered',
  'failed',
  'responded',
  'escalated',
  'consulted',
  'exported',
  'directory_changed',
  'ruleset_changed',
  'denied',
  // An operator re-published a dead letter.
  'redriven',
  // The SPOC handed an inbound request to another unit (SPEC §7), with who and why.
  'assigned',
  // A delivery not made because its request was withdrawn (SPEC §8).
  'cancelled',
  // Case steps (SPEC §8), sent or received.
  'refused',
  'clarification_requested',
  'clarification_answered',
  'delay_notified',
  'withdrawn',
  'forwarded',
  // SPEC §10: the data-protection officer reviewed a request's personal data, or erased it (no payload).
  'reviewed',
  'erased',
  // The first entry of a new log epoch, written by `npm run log:recover -- --new-epoch` (README
  // "Log epochs"): the previous epoch's latest signed checkpoint and the operator's reason.
  'epoch',
] as const;
export type LogEntryKind = (typeof LOG_ENTRY_KINDS)[number];

/**
 * The kinds only the exchange log's own consumers write (a delivery dispatched, failed or
 * cancelled, an onward transfer sent, an epoch opened): never announced by another service.
 */
const WRITER_ONLY_KINDS = [
  'validated',
  'dispatched',
  'failed',
  'cancelled',
  'forwarded',
  'epoch',
] as const satisfies readonly LogEntryKind[];

/**
 * The kinds another service announces on `ixr.audit.recorded` for the log to record: steps that
 * are not pipeline hops (consultations, exports, rule-set and directory changes, denials,
 * escalations), the router's inbound steps (received, routed, delivered: SPEC §4.4), replies, case
 * steps received from partners, assignments, re-driven dead letters, reviews and erasures.
 */
export type AuditedLogEntryKind = Exclude<LogEntryKind, (typeof WRITER_ONLY_KINDS)[number]>;
export const AUDITED_LOG_ENTRY_KINDS = LOG_ENTRY_KINDS.filter(
  (kind): kind is AuditedLogEntryKind => !(WRITER_ONLY_KINDS as readonly LogEntryKind[]).includes(kind),
);
