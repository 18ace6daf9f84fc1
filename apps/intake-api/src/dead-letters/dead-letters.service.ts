import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { enqueueOutbox } from '@ixr/persistence';
import { AppError, NotFoundError } from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';

/**
 * The dead letter cannot be re-driven: it was already (a new failure would be a new dead letter),
 * or its payload is not text Kafka events can carry again.
 */
export class DeadLetterConflictError extends AppError {
  constructor(
    readonly code: 'DEAD_LETTER.ALREADY_REDRIVEN' | 'DEAD_LETTER.NOT_REDRIVABLE',
    message: string,
  ) {
    super(message);
  }
}

export interface DeadLetterQuery {
  status: 'open' | 'redriven' | 'all';
  topic?: string;
  limit: number;
}

interface DeadLetterRow {
  id: string;
  source: string;
  original_topic: string;
  partition: number;
  offset: string;
  key: string | null;
  error_code: string;
  error_message: string;
  details: { path: string; message: string }[];
  attempts: number;
  dead_lettered_at: Date;
  status: string;
  redrive_count: number;
  redriven_at: Date | null;
  redriven_by: string | null;
  payload?: Buffer;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = `id, source, original_topic, partition, "offset", key, error_code, error_message, details,
  attempts, dead_lettered_at, status, redrive_count, redriven_at, redriven_by`;

/**
 * The operators' view of the dead letters (issue: list and re-drive through the API). Listing
 * shows what failed and why without the payload; reading one shows the payload (personal data: a
 * justified consultation); re-driving publishes the original message again, unchanged, on its
 * topic. Every action is recorded in the exchange log in the same transaction.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: DeadLetterQuery, justification: string) {
    const rows = await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const found: DeadLetterRow[] = await manager.query(
          `SELECT ${COLUMNS} FROM dead_letters
            WHERE ($1 = 'all' OR status = $1) AND ($2::text IS NULL OR original_topic = $2)
            ORDER BY dead_lettered_at DESC, id LIMIT $3`,
          [query.status, query.topic ?? null, query.limit],
        );
        await this.audit.record(manager, actor, {
          kind: 'consulted',
          justification,
          requestId: null,
          details: {
            action: 'dead_letters_listed',
            status: query.status,
            topic: query.topic ?? null,
            count: found.length,
          },
        });
        return found;
      }),
    );
    this.audit.nudge();
    return { deadLetters: rows.map(view) };
  }

  async get(actor: Actor, id: string, justification: string) {
    const row = await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const [found]: DeadLetterRow[] = await manager.query(
          `SELECT ${COLUMNS}, payload FROM dead_letters WHERE id = $1`,
          [id],
        );
        if (!found) return undefined;
        await this.audit.record(manager, actor, {
          kind: 'consulted',
          justification,
          requestId: requestIdOf(found),
          details: { action: 'dead_letter_read', deadLetterId: id, originalTopic: found.original_topic },
        });
        return found;
      }),
    );
    if (!row) throw new NotFoundError(`no dead letter ${id}`);
    this.audit.nudge();
    return { ...view(row), payload: parsePayload(row.payload?.toString('utf8') ?? '') };
  }

  /** Publishes the original message again (same topic, key and bytes) and marks the dead letter re-driven. */
  async redrive(actor: Actor, id: string, justification: string) {
    const result = await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const [found]: DeadLetterRow[] = await manager.query(
          `SELECT ${COLUMNS}, payload FROM dead_letters WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (!found) return undefined;
        const payload = found.payload?.toString('utf8') ?? '';
        if (payload.includes('\u0000')) {
          throw new DeadLetterConflictError(
            'DEAD_LETTER.NOT_REDRIVABLE',
            `dead letter ${id} holds NUL characters: it is no event and cannot be published again`,
          );
        }
        if (found.status === 'redriven') {
          throw new DeadLetterConflictError(
            'DEAD_LETTER.ALREADY_REDRIVEN',
            `dead letter ${id} was re-driven at ${found.redriven_at?.toISOString()} by ${found.redriven_by}; a new failure would be a new dead letter`,
          );
        }
        const now = new Date();
        await manager.query(
          `UPDATE dead_letters SET status = 'redriven', redrive_count = redrive_count + 1, redriven_at = $2,
             redriven_by = $3 WHERE id = $1`,
          [id, now, actor.person],
        );
        await enqueueOutbox(manager, [{ topic: found.original_topic, key: found.key ?? id, value: payload }]);
        await this.audit.record(manager, actor, {
          kind: 'redriven',
          justification,
          requestId: requestIdOf(found),
          details: {
            deadLetterId: id,
            originalTopic: found.original_topic,
            failedIn: found.source,
            errorCode: found.error_code,
            offset: `${found.partition}/${found.offset}`,
          },
        });
        return {
          ...view(found),
          status: 'redriven',
          redrivenAt: now.toISOString(),
          redrivenBy: actor.person,
        };
      }),
    );
    if (!result) throw new NotFoundError(`no dead letter ${id}`);
    this.audit.nudge();
    return result;
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}

function view(row: DeadLetterRow) {
  return {
    id: row.id,
    failedIn: row.source,
    topic: row.original_topic,
    partition: row.partition,
    offset: row.offset,
    key: row.key,
    requestId: requestIdOf(row),
    error: { code: row.error_code, message: row.error_message, details: row.details },
    attempts: row.attempts,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
    status: row.status,
    redriveCount: row.redrive_count,
    redrivenAt: row.redriven_at?.toISOString() ?? null,
    redrivenBy: row.redriven_by,
  };
}

/** Events are keyed by their request id; other keys are not a request. */
function requestIdOf(row: Pick<DeadLetterRow, 'key'>): string | null {
  return row.key && UUID.test(row.key) ? row.key : null;
}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
