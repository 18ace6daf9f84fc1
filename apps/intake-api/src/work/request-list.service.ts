import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, ValidationFailedError } from '@ixr/platform';
import { AccessRecorder } from '../auth/access-recorder';
import { actorOfRequest, type AuthenticatedRequest } from '../auth/route-access';
import { toDependencyError } from '../http/dependency-errors';
import {
  buildRequestSearch,
  decodeCursor,
  pageOf,
  toListItem,
  type RequestListItem,
  type RequestSearchQuery,
  type SearchRow,
} from '@ixr/persistence';

export interface QueueItem extends RequestListItem {
  overdue: boolean;
  /** Hours left until the deadline, one decimal (negative once overdue); null without a deadline. */
  dueWithinHours: number | null;
}

export function hoursUntil(deadline: string | null, now: Date): number | null {
  if (deadline === null) return null;
  return Math.round((new Date(deadline).getTime() - now.getTime()) / 360_000) / 10;
}

/** Callers who see every request (SPEC §2 need-to-know); any other caller sees its unit's. */
export function seesAll(caller: AuthenticatedRequest): boolean {
  return caller.actingRole === 'spoc_operator' || caller.actingRole === 'auditor';
}

/**
 * `GET /v1/requests` and `GET /v1/queue`: pages of the list's read model, need-to-know applied in
 * the statement. A text search is a consultation of personal data: it is logged, with its terms,
 * before any result leaves.
 */
@Injectable()
export class RequestListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessRecorder,
    private readonly clock: Clock,
  ) {}

  async list(query: RequestSearchQuery, caller: AuthenticatedRequest) {
    const rows = await this.page(query, caller);
    const page = pageOf(rows, query.limit, toListItem);
    // A text search reads personal data (subject names): logged with its terms. An auditor's every
    // read is logged (the route records its own consultation, so the generic record is not added).
    if (query.q !== undefined || caller.actingRole === 'auditor') {
      const { q, cursor: _cursor, limit: _limit, ...filters } = query;
      await this.access.consulted(actorOfRequest(caller), {
        requestId: null,
        justification: caller.justification ?? 'search of the requests the unit may see (SPEC §7)',
        details: {
          action: q === undefined ? 'requests_listed' : 'requests_searched',
          terms: q ?? null,
          filters,
          results: page.items.length,
        },
      });
    }
    return page;
  }

  /** The desk's open work, by deadline: the overdue come first, as their deadline is earliest. */
  async queue(
    query: { overdue?: boolean; dueWithinHours?: number; limit: number; cursor?: string },
    caller: AuthenticatedRequest,
  ) {
    const now = this.clock.now();
    const dueBefore =
      query.overdue === true
        ? now
        : query.dueWithinHours !== undefined
          ? new Date(now.getTime() + query.dueWithinHours * 3_600_000)
          : undefined;
    const rows = await this.page({ open: true, limit: query.limit, cursor: query.cursor }, caller, dueBefore);
    return pageOf(rows, query.limit, (row): QueueItem => {
      const item = toListItem(row);
      return { ...item, overdue: row.overdue === true, dueWithinHours: hoursUntil(item.deadline, now) };
    });
  }

  private async page(query: RequestSearchQuery, caller: AuthenticatedRequest, dueBefore?: Date) {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) {
      throw new ValidationFailedError('the query is invalid: cursor', [
        { path: 'cursor', message: 'not a cursor of this list (take nextCursor from the previous page)' },
      ]);
    }
    const sql = buildRequestSearch(
      query,
      { unit: caller.claims.unit, seesAll: seesAll(caller) },
      cursor,
      this.clock.now(),
      { dueBefore },
    );
    try {
      return await this.dataSource.query<SearchRow[]>(sql.text, sql.values);
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}
