import { RoutingError } from './routing.error';

/**
 * ISO 8601 date-time with an explicit zone. A string without a zone would be read in the
 * machine's local time, and the same input would then give different decisions on different hosts.
 */
const ZONED_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds since the epoch; throws `ROUTING.INVALID_INPUT` for anything that is not a zoned instant. */
export function toInstant(value: Date | string, what: string): number {
  const ms =
    value instanceof Date ? value.getTime() : ZONED_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new RoutingError(
      'ROUTING.INVALID_INPUT',
      `${what} is not an ISO 8601 instant with a zone: ${String(value)}`,
    );
  }
  return ms;
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
