import type { LogEntryKind } from './log-entry-kind';

/**
 * The steps of a case beyond request and answer (Directive 2023/977; SPEC §8): refusals on a
 * listed ground, clarifications both ways, delay notices, withdrawals. Each is one message on a
 * request, sent to a partner or received from one.
 */

/** Art 6(1) refusal grounds, as SPEC §8 names them (the letter of the paragraph in the comment). */
export const REFUSAL_GROUNDS = [
  'not_available', // (a)
  'request_incomplete', // (b)
  'judicial_authorisation_refused', // (c)
  'data_category', // (d)
  'inaccurate', // (e)
  'national_security', // (f)
  'investigation_or_safety', // (f)
  'legal_person_interests', // (f)
  'minor_offence', // (g)
  'not_criminal', // (g)
  'no_originator_consent', // (h)
] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

/**
 * What a message on a request is: an answer, a refusal, a clarification question, the answer to
 * one, a delay notice (Art 5(2)), a withdrawal, an onward transfer of received information to
 * another state (with the originator's consent, Art 12).
 */
export const CASE_MESSAGE_KINDS = [
  'answer',
  'refusal',
  'clarification',
  'clarification_answer',
  'delay_notice',
  'withdrawal',
  'onward_transfer',
] as const;
export type CaseMessageKind = (typeof CASE_MESSAGE_KINDS)[number];

/** The exchange-log entry kind that records each message kind (SPEC §5, §8). */
export const CASE_LOG_KINDS = {
  answer: 'responded',
  refusal: 'refused',
  clarification: 'clarification_requested',
  clarification_answer: 'clarification_answered',
  delay_notice: 'delay_notified',
  withdrawal: 'withdrawn',
  onward_transfer: 'forwarded',
} as const satisfies Record<CaseMessageKind, LogEntryKind>;
export type CaseLogKind = (typeof CASE_LOG_KINDS)[CaseMessageKind];
