import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import {
  art18Csv,
  computeArt18,
  computeStatistics,
  parseArt18Year,
  parseStatisticsParams,
} from '@ixr/persistence';
import { Clock } from '@ixr/platform';
import { Roles } from '../auth/route-access';
import { toDependencyError } from '../http/dependency-errors';

/** Who reads the statistics (SPEC §9): figures only, nothing personal. */
const READERS = ['spoc_operator', 'admin', 'auditor'] as const;

@Controller('v1/statistics')
export class StatisticsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Counts over requests received in [from, to), grouped by level, country, channel, category, month. */
  @Get()
  @Roles(...READERS)
  async statistics(@Query() query: unknown) {
    const now = this.clock.now();
    const params = parseStatisticsParams(query, now);
    try {
      return await computeStatistics(this.dataSource, { ...params, now });
    } catch (error) {
      throw toDependencyError(error);
    }
  }

  /** The yearly Art 18 figures of Directive 2023/977; `Accept: text/csv` gives one CSV table. */
  @Get('art18')
  @Roles(...READERS)
  async art18(
    @Query() query: unknown,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const year = parseArt18Year(query);
    let report;
    try {
      report = await computeArt18(this.dataSource, year);
    } catch (error) {
      throw toDependencyError(error);
    }
    if (accept?.toLowerCase().includes('text/csv')) {
      void reply.type('text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="art18-${year}.csv"`);
      return art18Csv(report);
    }
    return report;
  }
}
