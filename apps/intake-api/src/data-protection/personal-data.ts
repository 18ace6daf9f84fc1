/**
 * What of a request body is personal data (SPEC §10: subjects and free text) and what is not. The
 * body keeps, after an erasure, only the fields listed here — the facts the statistics and the
 * routing replay are made of; everything else (subjects, descriptions, information sought,
 * purpose, justification, urgency reason, SIS reference, and any field not listed, e.g. of a
 * partner's message) goes. A list of what to keep, not of what to remove: a field added later is
 * erased until someone decides it is not personal.
 */
const KEPT_FIELDS = [
  'missionType',
  'targetCountries',
  'accessibility',
  'handlingCode',
  'language',
  'lookup',
  'borderRegion',
  'messageId',
] as const;

export function withoutPersonalData(body: unknown): Record<string, unknown> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS) if (field in source) kept[field] = source[field];
  const offence = source.offence as { category?: unknown } | undefined;
  if (offence && typeof offence === 'object' && 'category' in offence)
    kept.offence = { category: offence.category };
  const urgency = source.urgency as { urgent?: unknown; ground?: unknown } | undefined;
  if (urgency && typeof urgency === 'object') {
    kept.urgency =
      urgency.ground === undefined
        ? { urgent: urgency.urgent }
        : { urgent: urgency.urgent, ground: urgency.ground };
  }
  kept.erased = true;
  return kept;
}
