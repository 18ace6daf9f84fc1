import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Claims } from '@ixr/auth';
import type { Actor, HandlingCode } from '@ixr/domain';
import type { CaseMessageQueued } from '@ixr/messaging';
import {
  AppError,
  Clock,
  ForbiddenError,
  IdempotencyConflictError,
  IdGenerator,
  NotFoundError,
  ValidationFailedError,
} from '@ixr/platform';
import { RoutingConfigStore } from '@ixr/persistence';
import { languageIssues } from '@ixr/routing';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';
import { bodyHashOf, isUniqueViolation } from '../http/idempotency';
import { queueCaseMessage } from '../cases/case-message.outbox';

/** Only a foreign partner's request takes a reply (our own requests receive answers). */
export class ReplyNotAcceptedError extends AppError {
  readonly code = 'REPLY.NOT_ACCEPTED';
}

export interface ReplyBody {
  text: string;
  handlingCode: HandlingCode;
  language?: string;
}

interface InboundRequestRow {
  id: string;
  direction: string;
  origin_channel: string | null;
  origin_partner: string | null;
  origin_country: string | null;
  partner_message_id: string | null;
  assigned_unit: string | null;
  body: { language?: string };
}

/** What `POST /v1/requests/{id}/replies` answers (202), first time and on a replay. */
export interface ReplyAccepted {
  id: string;
  requestId: string;
  status: string;
  channel: string;
  destination: string;
  createdAt: string;
  /** True when an earlier reply with the same Idempotency-Key was returned (nothing new sent). */
  replayed: boolean;
}

interface ReplyKeyRow {
  id: string;
  request_id: string;
  status: string;
  channel: string;
  partner: string;
  created_at: Date;
  body_hash: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Replies to foreign requests (SPEC §2, §4.4): the unit the request was routed to, or a SPOC
 * operator, answers; the reply goes back over the channel the request came on, to the partner that
 * sent it, referring to the partner's message id. The reply, its `responded` log entry and the
 * event that sends it commit together. With an `Idempotency-Key` (per unit, as for submissions),
 * the same reply again returns the first answer and sends nothing; another reply under the same key
 * is a 409.
 */
@Injectable()
export class RepliesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly routingConfig: RoutingConfigStore,
  ) {}

  async reply(
    requestId: string,
    caller: Claims,
    actor: Actor,
    body: ReplyBody,
    idempotencyKey?: string,
  ): Promise<ReplyAccepted> {
    if (!UUID.test(requestId)) throw new NotFoundError(`no request ${requestId}`);
    // The request is part of what was asked: the same key on another request is another reply.
    const bodyHash = bodyHashOf({ requestId, ...body });
    try {
      if (idempotencyKey) {
        const earlier = await this.findByKey(actor.unit, idempotencyKey);
        if (earlier) return replayOf(earlier, bodyHash);
      }
      return await this.send(
        requestId,
        caller,
        actor,
        body,
        idempotencyKey ? { idempotencyKey, bodyHash } : {},
      );
    } catch (error) {
      if (idempotencyKey && isUniqueViolation(error, 'replies_idempotency')) {
        // A concurrent reply with the same key won the race.
        const earlier = await this.findByKey(actor.unit, idempotencyKey);
        if (earlier) return replayOf(earlier, bodyHash);
      }
      throw toDependencyError(error);
    }
  }

  private async send(
    requestId: string,
    caller: Claims,
    actor: Actor,
    body: ReplyBody,
    key: { idempotencyKey?: string; bodyHash?: string },
  ): Promise<ReplyAccepted> {
    const replyId = this.ids.uuid();
    const now = this.clock.now();
    const { directory } = await this.routingConfig.active();
    const result = await this.dataSource.transaction(async (manager) => {
      const [request]: InboundRequestRow[] = await manager.query(
        `SELECT id, direction, origin_channel, origin_partner, origin_country, partner_message_id, assigned_unit, body
             FROM requests WHERE id = $1`,
        [requestId],
      );
      if (!request) throw new NotFoundError(`no request ${requestId}`);
      const operator = caller.roles.includes('spoc_operator');
      if (request.direction !== 'inbound') {
        if (!operator && !caller.roles.includes('requester')) throw new ForbiddenError('not yours to answer');
        throw new ReplyNotAcceptedError(
          `request ${requestId} is one of ours: replies answer foreign partners' requests`,
        );
      }
      if (!operator && request.assigned_unit !== caller.unit) {
        throw new ForbiddenError(`request ${requestId} was routed to another unit`);
      }
      // Art 11: a reply in another language than the request's must be one the partner's state accepts.
      if (body.language !== undefined && request.origin_country) {
        const issues = languageIssues(directory, [request.origin_country], body.language);
        if (issues.length > 0) {
          throw new ValidationFailedError(
            `the reply's language is not accepted: ${issues[0].message}`,
            issues,
          );
        }
      }
      const channel = request.origin_channel as CaseMessageQueued['channel'];
      // The sender: a country, a PCCC, a liaison post or Europol.
      const destination = request.origin_partner!;
      const data: CaseMessageQueued = {
        replyId,
        kind: 'answer',
        requestId,
        channel,
        destination,
        inReplyTo: request.partner_message_id!,
        handlingCode: body.handlingCode,
        // Art 11: a reply uses the request's language unless the unit names another it accepts.
        language: body.language ?? request.body.language ?? 'en',
        text: body.text,
        author: actor,
        at: now.toISOString(),
      };
      // The `responded` log entry is written from this event, before the reply is released.
      await queueCaseMessage(manager, this.ids.uuid(), data, key);
      return {
        id: replyId,
        requestId,
        status: 'pending',
        channel,
        destination,
        createdAt: now.toISOString(),
        replayed: false,
      };
    });
    this.audit.nudge();
    return result;
  }

  private async findByKey(unit: string, key: string): Promise<ReplyKeyRow | undefined> {
    const [row]: ReplyKeyRow[] = await this.dataSource.query(
      `SELECT id, request_id, status, channel, partner, created_at, body_hash
         FROM replies WHERE unit = $1 AND idempotency_key = $2`,
      [unit, key],
    );
    return row;
  }

  /** The SPOC queue: partners' answers that name no request of ours (SPEC §4.4), oldest first. */
  async unmatched(actor: Actor, justification: string) {
    const rows = await this.guard(() =>
      this.dataSource.transaction(async (manager) => {
        const found: Record<string, unknown>[] = await manager.query(
          `SELECT id, channel, partner, in_reply_to, partner_message_id, handling_code, language, text, created_at
             FROM replies WHERE request_id IS NULL ORDER BY created_at, id LIMIT 500`,
        );
        await this.audit.record(manager, actor, {
          kind: 'consulted',
          justification,
          requestId: null,
          details: { action: 'spoc_queue_listed', count: found.length },
        });
        return found;
      }),
    );
    this.audit.nudge();
    return {
      answers: rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        partner: r.partner,
        inReplyTo: r.in_reply_to,
        partnerMessageId: r.partner_message_id,
        handlingCode: r.handling_code,
        language: r.language,
        text: r.text,
        receivedAt: (r.created_at as Date).toISOString(),
      })),
    };
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}

function replayOf(earlier: ReplyKeyRow, bodyHash: string): ReplyAccepted {
  if (earlier.body_hash !== bodyHash) {
    throw new IdempotencyConflictError(
      'this Idempotency-Key was already used for a different reply; use a new key for a new reply',
    );
  }
  return {
    id: earlier.id,
    requestId: earlier.request_id,
    status: earlier.status,
    channel: earlier.channel,
    destination: earlier.partner,
    createdAt: earlier.created_at.toISOString(),
    replayed: true,
  };
}
