import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError, ValidationFailedError } from '@ixr/platform';
import type { AuthenticatedRequest } from '../auth/route-access';
import { toDependencyError } from '../http/dependency-errors';
import type { InboxItemView, InboxKind } from './work-feed.writer';

interface InboxRow {
  id: string;
  kind: InboxKind;
  request_id: string;
  at: Date;
  summary: string;
  read_at: Date | null;
}

function toView(row: InboxRow): InboxItemView {
  return {
    id: String(row.id),
    kind: row.kind,
    requestId: row.request_id,
    at: row.at.toISOString(),
    summary: row.summary,
    readAt: row.read_at?.toISOString() ?? null,
  };
}

/** A unit's inbox (SPEC §7): newest first; only the caller's own unit's items exist for it. */
@Injectable()
export class InboxService {
  constructor(private readonly dataSource: DataSource) {}

  async list(caller: AuthenticatedRequest, query: { unread?: boolean; limit: number; cursor?: string }) {
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) {
      throw new ValidationFailedError('the query is invalid: cursor', [
        { path: 'cursor', message: 'not a cursor of this inbox (take nextCursor from the previous page)' },
      ]);
    }
    try {
      const rows: InboxRow[] = await this.dataSource.query(
        `SELECT id, kind, request_id, at, summary, read_at FROM inbox_items
          WHERE unit = $1 AND ($2::bigint IS NULL OR id < $2) AND (NOT $3 OR read_at IS NULL)
          ORDER BY id DESC LIMIT $4`,
        [caller.claims.unit, query.cursor ?? null, query.unread === true, query.limit + 1],
      );
      const items = rows.slice(0, query.limit).map(toView);
      return {
        items,
        nextCursor: rows.length > query.limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    } catch (error) {
      throw toDependencyError(error);
    }
  }

  /** Marks one of the unit's items read (the first reading time stays). */
  async markRead(caller: AuthenticatedRequest, id: string): Promise<InboxItemView> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError(`no inbox item ${id}`);
    let rows: InboxRow[];
    try {
      rows = await this.dataSource.query(
        // In a WITH: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
        `WITH marked AS (
           UPDATE inbox_items SET read_at = COALESCE(read_at, now())
            WHERE id = $1 AND unit = $2 RETURNING id, kind, request_id, at, summary, read_at)
         SELECT * FROM marked`,
        [id, caller.claims.unit],
      );
    } catch (error) {
      throw toDependencyError(error);
    }
    const [row] = rows;
    if (!row) throw new NotFoundError(`no inbox item ${id} for unit ${caller.claims.unit}`);
    return toView(row);
  }
}
