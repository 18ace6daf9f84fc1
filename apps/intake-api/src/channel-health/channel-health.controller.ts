import { Controller, Get, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { Clock, ValidationFailedError } from '@ixr/platform';
import { Roles } from '../auth/auth.guard';
import { toDependencyError } from '../http/dependency-errors';

const healthQuery = z.strictObject({
  /** How far back the fallbacks taken are counted. */
  days: z.coerce.number().int().min(1).max(366).default(7),
});

export interface CircuitView {
  channel: string;
  destination: string;
  state: 'closed' | 'open' | 'half_open';
  since: string;
  reportedAt: string;
  reason: string | null;
}

export interface FallbackView {
  channel: string;
  destination: string;
  deliveries: number;
  lastAt: string;
}

/**
 * `GET /v1/channels/health` (spoc_operator, admin): what the desk needs to know of its channels —
 * every partner circuit the adapters report, the worst state per partner across instances, and
 * the fallback routes taken in the last `days` (Directive 2023/977 Art 13(2)(c): the technical
 * incidents that sent a request another way). No personal data is read.
 */
@Controller('v1/channels')
export class ChannelHealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get('health')
  @Roles('spoc_operator', 'admin')
  async health(@Query() query: unknown) {
    const parsed = healthQuery.safeParse(query ?? {});
    if (!parsed.success)
      throw new ValidationFailedError('the query is invalid', toValidationIssues(parsed.error));
    const now = this.clock.now();
    const since = new Date(now.getTime() - parsed.data.days * 86_400_000);
    try {
      const circuits = await this.dataSource.query<CircuitView[]>(
        `SELECT DISTINCT ON (channel, destination)
                channel, destination, state, to_json(since)#>>'{}' AS since,
                to_json(reported_at)#>>'{}' AS "reportedAt", reason
           FROM circuit_states
          ORDER BY channel, destination,
                   CASE state WHEN 'open' THEN 0 WHEN 'half_open' THEN 1 ELSE 2 END, reported_at DESC`,
      );
      const fallbacks = await this.dataSource.query<FallbackView[]>(
        `SELECT channel, destination, count(*)::int AS deliveries,
                to_json(max(dispatched_at))#>>'{}' AS "lastAt"
           FROM deliveries
          WHERE role = 'fallback' AND dispatched_at >= $1
          GROUP BY channel, destination
          ORDER BY max(dispatched_at) DESC`,
        [since],
      );
      return { at: now.toISOString(), days: parsed.data.days, circuits, fallbacks };
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}
