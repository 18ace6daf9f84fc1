import { refreshWorkRequest } from '../work/work-request.projection';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '@ixr/domain';
import { AppError, Clock, IdGenerator, NotFoundError } from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';
import { withoutPersonalData } from './personal-data';
import { createEnvelope, EVENT_TYPES, TOPICS, type OutgoingMessage } from '@ixr/messaging';
import { enqueueOutbox, eraseDataKey } from '@ixr/persistence';

function erasedMessage(requestId: string, now: Date, id: string): OutgoingMessage {
  const envelope = createEnvelope({
    id,
    type: EVENT_TYPES[TOPICS.requestErased],
    source: 'ixr/intake-api',
    time: now,
    subject: requestId,
    data: { requestId, erasedAt: now.toISOString() },
  });
  return { topic: TOPICS.requestErased, key: requestId, value: JSON.stringify(envelope) };
}

/** When reviews fall due (SPEC §10): at most 6 months after the exchange ended, then periodically. */
export interface ReviewSchedule {
  firstReviewDays: number;
  reviewEveryDays: number;
}
export const REVIEW_SCHEDULE = Symbol('REVIEW_SCHEDULE');

export class AlreadyErasedError extends AppError {
  readonly code = 'DATA_PROTECTION.ALREADY_ERASED';
}

export interface Erasure {
  at: string;
  by: string;
  unit: string;
  reason: string;
}

export interface DueReview {
  requestId: string;
  direction: string;
  receivedAt: string;
  /** The exchange's last step: receipt, routing, a delivery completed, a message either way. */
  exchangeEndedAt: string;
  lastReviewedAt: string | null;
  dueAt: string;
}

interface ErasureRow {
  erased_at: Date;
  erased_by: string;
  unit: string;
  reason: string;
}

export const erasureOf = (row: ErasureRow): Erasure => ({
  at: row.erased_at.toISOString(),
  by: row.erased_by,
  unit: row.unit,
  reason: row.reason,
});

/**
 * Reviews and erasure of personal data (SPEC §10), in the intake's own tables. An erasure
 * replaces the request's body by its non-personal facts, empties the free text of every message on
 * it, and records when, by whom and why, with an `erased` log entry (no payload), in one
 * transaction. The other owners act on the entry for their own tables (README "Personal data").
 */
@Injectable()
export class DataProtectionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly schedule: ReviewSchedule,
  ) {}

  async dueReviews(limit: number): Promise<{ asOf: string; reviews: DueReview[] }> {
    const now = this.clock.now();
    const rows: {
      id: string;
      direction: string;
      received_at: Date;
      ended_at: Date;
      last_reviewed_at: Date | null;
      due_at: Date;
    }[] = await this.query((m) =>
      m.query(
        `SELECT * FROM (
           SELECT r.id, r.direction, r.received_at, e.ended_at, v.last_reviewed_at,
                  CASE WHEN v.last_reviewed_at IS NULL THEN e.ended_at + make_interval(days => $2)
                       ELSE v.last_reviewed_at + make_interval(days => $3) END AS due_at
             FROM requests r
             CROSS JOIN LATERAL (SELECT greatest(r.received_at, r.routed_at,
                 (SELECT max(m.created_at) FROM replies m WHERE m.request_id = r.id),
                 (SELECT max(d.completed_at) FROM deliveries d WHERE d.request_id = r.id)) AS ended_at) e
             CROSS JOIN LATERAL (SELECT max(x.reviewed_at) AS last_reviewed_at
                 FROM data_protection_reviews x WHERE x.request_id = r.id) v
            WHERE NOT EXISTS (SELECT 1 FROM erasures x WHERE x.request_id = r.id)) due
          WHERE due.due_at <= $1
          ORDER BY due.due_at, due.id LIMIT $4`,
        [now, this.schedule.firstReviewDays, this.schedule.reviewEveryDays, limit],
      ),
    );
    return {
      asOf: now.toISOString(),
      reviews: rows.map((r) => ({
        requestId: r.id,
        direction: r.direction,
        receivedAt: r.received_at.toISOString(),
        exchangeEndedAt: r.ended_at.toISOString(),
        lastReviewedAt: r.last_reviewed_at?.toISOString() ?? null,
        dueAt: r.due_at.toISOString(),
      })),
    };
  }

  /** The officer decided to keep the data for now: the next review is due REVIEW_EVERY_DAYS later. */
  async review(actor: Actor, requestId: string, reason: string, justification: string) {
    const now = this.clock.now();
    await this.query(async (m) => {
      await this.lockUnerased(m, requestId);
      await m.query(
        `INSERT INTO data_protection_reviews (id, request_id, reviewed_at, reviewed_by, unit, outcome, reason)
         VALUES ($1, $2, $3, $4, $5, 'keep', $6)`,
        [this.ids.uuid(), requestId, now, actor.person, actor.unit, reason],
      );
      await this.audit.record(m, actor, {
        kind: 'reviewed',
        requestId,
        justification,
        details: { outcome: 'keep' },
      });
    });
    this.audit.nudge();
    const next = new Date(now.getTime() + this.schedule.reviewEveryDays * 86_400_000);
    return { requestId, reviewedAt: now.toISOString(), outcome: 'keep', nextReviewDueAt: next.toISOString() };
  }

  async erase(actor: Actor, requestId: string, reason: string, justification: string) {
    const now = this.clock.now();
    await this.query(async (m) => {
      const body = await this.lockUnerased(m, requestId);
      await m.query(`UPDATE requests SET body = $2::json, body_hash = 'erased' WHERE id = $1`, [
        requestId,
        JSON.stringify(withoutPersonalData(body)),
      ]);
      await m.query(`UPDATE replies SET text = '', last_error = NULL WHERE request_id = $1`, [requestId]);
      // An assignment's reason is an operator's free text: it may name the subject.
      await m.query(`UPDATE assignments SET reason = '' WHERE request_id = $1`, [requestId]);
      // Dead letters are the intake's (every service's land here): their payloads go.
      await m.query(
        `UPDATE dead_letters SET payload = convert_to('{"erased":true}', 'UTF8'), error_message = 'erased (SPEC §10)'
          WHERE key = $1`,
        [requestId],
      );
      await m.query(
        `INSERT INTO erasures (request_id, erased_at, erased_by, unit, reason, justification)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [requestId, now, actor.person, actor.unit, reason, justification],
      );
      // The key goes: everything sealed under it — events, log entries, outbox rows — is unreadable.
      await eraseDataKey(m, requestId);
      // The entry carries no payload: the request, who, when and the justification only.
      await this.audit.record(m, actor, { kind: 'erased', requestId, justification, details: {} });
      // The other services clear what they hold of it in their own tables.
      await enqueueOutbox(m, [erasedMessage(requestId, now, this.ids.uuid())]);
      // The list, the queue and the status stream show it erased (and closed) at once.
      await refreshWorkRequest(m, requestId, now);
    });
    this.audit.nudge();
    return {
      id: requestId,
      status: 'erased' as const,
      erasure: { at: now.toISOString(), by: actor.person, unit: actor.unit, reason },
    };
  }

  /** The request's body, its row locked; 404 when unknown, 409 when already erased. */
  private async lockUnerased(m: EntityManager, requestId: string): Promise<unknown> {
    const rows: { body: unknown; erased_at: Date | null; erased_by: string | null }[] = await m.query(
      `SELECT r.body, x.erased_at, x.erased_by FROM requests r
         LEFT JOIN erasures x ON x.request_id = r.id WHERE r.id = $1 FOR UPDATE OF r`,
      [requestId],
    );
    if (rows.length === 0) throw new NotFoundError(`request ${requestId} not found`);
    const [row] = rows;
    if (row.erased_at) {
      throw new AlreadyErasedError(
        `request ${requestId} was erased at ${row.erased_at.toISOString()} by ${row.erased_by}: nothing personal is left`,
      );
    }
    return row.body;
  }

  private async query<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}
