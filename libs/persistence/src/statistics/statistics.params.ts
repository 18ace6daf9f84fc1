import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';
import { STATISTICS_DIMENSIONS, type StatisticsDimension } from './statistics.queries';

/** The earliest and latest year an Art 18 report is asked for: a typo, not a year, outside them. */
export const ART18_YEARS = { min: 2000, max: 2100 } as const;

const isoDate = z.iso.date().or(z.iso.datetime({ offset: true }));

const statisticsParams = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  groupBy: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const names = (text ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0);
      for (const name of names) {
        if (!(STATISTICS_DIMENSIONS as readonly string[]).includes(name)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown grouping "${name}": one of ${STATISTICS_DIMENSIONS.join(', ')}`,
          });
        }
      }
      if (new Set(names).size !== names.length)
        ctx.addIssue({ code: 'custom', message: 'a grouping is named twice' });
      return names as StatisticsDimension[];
    }),
});

export interface StatisticsParams {
  from: Date;
  to: Date;
  groupBy: StatisticsDimension[];
}

/**
 * `from` and `to` (an ISO date, or a date-time with offset; a date is its UTC midnight) bound the
 * requests' receipt, `to` excluded; by default the last 365 days up to `now`.
 */
export function parseStatisticsParams(input: unknown, now: Date): StatisticsParams {
  const parsed = statisticsParams.safeParse(input ?? {});
  if (!parsed.success)
    throw new ValidationFailedError('the statistics query is invalid', toValidationIssues(parsed.error));
  const to = parsed.data.to ? new Date(parsed.data.to) : now;
  const from = parsed.data.from ? new Date(parsed.data.from) : new Date(to.getTime() - 365 * 86_400_000);
  if (from.getTime() >= to.getTime()) {
    throw new ValidationFailedError('the statistics query is invalid', [
      { path: 'query:from', message: `must be before to (${to.toISOString()})` },
    ]);
  }
  return { from, to, groupBy: parsed.data.groupBy };
}

/** `year`: four digits within ART18_YEARS. */
export function parseArt18Year(input: unknown): number {
  const parsed = z
    .strictObject({
      year: z
        .string({ error: 'required: the year of the report, e.g. 2026' })
        .regex(/^\d{4}$/, 'a year of four digits, e.g. 2026')
        .transform(Number)
        .pipe(z.number().min(ART18_YEARS.min).max(ART18_YEARS.max)),
    })
    .safeParse(input ?? {});
  if (!parsed.success)
    throw new ValidationFailedError('the Art 18 query is invalid', toValidationIssues(parsed.error));
  return parsed.data.year;
}
