import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Claims } from '@ixr/auth';
import type {
  Actor,
  CaseMessageKind,
  Channel,
  HandlingCode,
  RefusalGround,
  RoutingDecision,
} from '@ixr/domain';
import type { CaseMessageQueued } from '@ixr/messaging';
import {
  AppError,
  Clock,
  ForbiddenError,
  IdGenerator,
  NotFoundError,
  ValidationFailedError,
} from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { toDependencyError } from '../http/dependency-errors';
import { queueCaseMessage } from './case-message.outbox';
import { refreshWorkRequest } from '../work/work-request.projection';

/** The step does not fit the request's direction or state (409): e.g. refusing one of ours. */
export class CaseStepNotAcceptedError extends AppError {
  readonly code = 'CASE.STEP_NOT_ACCEPTED';
}

export interface RefusalBody {
  ground: RefusalGround;
  reason: string;
  partial?: boolean;
}
export type ClarificationBody = { question: string } | { inReplyTo: string; answer: string };
export interface DelayNoticeBody {
  reason: string;
  expectedBy: string;
}
export interface WithdrawalBody {
  reason: string;
}

/** What each step answers (202): the messages queued, one per partner told. */
export interface CaseStepAccepted {
  requestId: string;
  kind: CaseMessageKind;
  status: string;
  messages: { id: string; channel: string; destination: string }[];
  createdAt: string;
}

interface RequestRow {
  id: string;
  direction: 'outbound' | 'inbound';
  requesting_unit: string;
  assigned_unit: string | null;
  origin_channel: string | null;
  origin_partner: string | null;
  partner_message_id: string | null;
  body: { language?: string; handlingCode?: HandlingCode };
  decision: RoutingDecision | null;
}

interface CaseState {
  withdrawn: boolean;
  refused: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Routes that end in one of our own inboxes: nobody abroad to tell. */
const NATIONAL_CHANNELS = new Set<string>(['national_unit', 'national_spoc']);

/**
 * The steps of a case beyond request and reply (Directive 2023/977; SPEC §8). On a foreign
 * partner's request, the unit handling it (or a SPOC operator) refuses on an Art 6(1) ground, asks
 * for clarification (the deadline is suspended until the partner answers) or gives notice that
 * judicial authorisation delays the answer (Art 5(2)); each goes back over the channel of origin. On
 * one of our requests, the requesting unit answers a partner's clarification question (the
 * partner's clock resumes) or withdraws the request (every partner told; deliveries not yet made
 * are cancelled by the adapters). Each message is stored and queued in one transaction; the
 * exchange log records it before it leaves (see case-message.outbox.ts).
 */
@Injectable()
export class CaseStepsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  refuse(requestId: string, caller: Claims, actor: Actor, body: RefusalBody): Promise<CaseStepAccepted> {
    return this.onForeignRequest(
      requestId,
      caller,
      'refusal',
      async (_request, state) => {
        if (state.refused) throw new CaseStepNotAcceptedError(`request ${requestId} was refused already`);
        return {
          kind: 'refusal',
          text: body.reason,
          ground: body.ground,
          partial: body.partial ?? false,
          status: body.partial ? 'routed' : 'refused',
        };
      },
      actor,
    );
  }

  delayNotice(
    requestId: string,
    caller: Claims,
    actor: Actor,
    body: DelayNoticeBody,
  ): Promise<CaseStepAccepted> {
    if (new Date(body.expectedBy).getTime() <= this.clock.now().getTime()) {
      throw new ValidationFailedError('expectedBy must lie in the future', [
        { path: 'expectedBy', message: 'must be a date and time after now' },
      ]);
    }
    return this.onForeignRequest(
      requestId,
      caller,
      'delay notice',
      async (_request, state) => {
        if (state.refused) throw new CaseStepNotAcceptedError(`request ${requestId} was refused`);
        return { kind: 'delay_notice', text: body.reason, expectedBy: body.expectedBy, status: 'routed' };
      },
      actor,
    );
  }

  clarify(
    requestId: string,
    caller: Claims,
    actor: Actor,
    body: ClarificationBody,
  ): Promise<CaseStepAccepted> {
    if ('question' in body) {
      return this.onForeignRequest(
        requestId,
        caller,
        'clarification',
        async (_request, state) => {
          if (state.refused) throw new CaseStepNotAcceptedError(`request ${requestId} was refused`);
          return { kind: 'clarification', text: body.question, status: 'awaiting_clarification' };
        },
        actor,
      );
    }
    return this.answerClarification(requestId, caller, actor, body);
  }

  withdraw(requestId: string, caller: Claims, actor: Actor, body: WithdrawalBody): Promise<CaseStepAccepted> {
    return this.run(requestId, async (manager, request, state) => {
      if (request.direction !== 'outbound') {
        throw new CaseStepNotAcceptedError(
          `request ${requestId} is a foreign partner's: only the requesting side withdraws a request`,
        );
      }
      if (request.requesting_unit !== caller.unit) {
        throw new ForbiddenError(`only the requesting unit withdraws request ${requestId}`);
      }
      if (state.withdrawn) throw new CaseStepNotAcceptedError(`request ${requestId} was withdrawn already`);
      if (!request.decision) {
        throw new CaseStepNotAcceptedError(
          `request ${requestId} is not routed yet: try again in a moment, once it is`,
        );
      }
      const partners = uniquePartners(
        request.decision.routes.filter((r) => !NATIONAL_CHANNELS.has(r.channel)),
      );
      // Also whoever a fallback delivery went to.
      const delivered: { channel: string; destination: string }[] = await manager.query(
        `SELECT DISTINCT channel, destination FROM deliveries WHERE request_id = $1`,
        [requestId],
      );
      const all = uniquePartners([
        ...partners,
        ...delivered.filter((d) => !NATIONAL_CHANNELS.has(d.channel)),
      ]);
      const now = this.clock.now();
      const messages = [];
      for (const partner of all) {
        const message = this.message(request, actor, now, {
          kind: 'withdrawal',
          channel: partner.channel as Channel,
          destination: partner.destination,
          inReplyTo: requestId,
          text: body.reason,
        });
        await queueCaseMessage(manager, this.ids.uuid(), message);
        messages.push({ id: message.replyId, channel: partner.channel, destination: partner.destination });
      }
      if (messages.length === 0) {
        throw new CaseStepNotAcceptedError(
          `request ${requestId} was routed to no partner abroad: nobody to tell`,
        );
      }
      return { requestId, kind: 'withdrawal', status: 'withdrawn', messages, createdAt: now.toISOString() };
    });
  }

  /** The requesting unit answers a partner's clarification question on one of our requests. */
  private answerClarification(
    requestId: string,
    caller: Claims,
    actor: Actor,
    body: { inReplyTo: string; answer: string },
  ): Promise<CaseStepAccepted> {
    return this.run(requestId, async (manager, request, state) => {
      if (request.direction !== 'outbound') {
        throw new CaseStepNotAcceptedError(
          `request ${requestId} is a foreign partner's: ask with { question }; { inReplyTo, answer } answers a partner's question on one of ours`,
        );
      }
      if (request.requesting_unit !== caller.unit && !caller.roles.includes('spoc_operator')) {
        throw new ForbiddenError(`only the requesting unit answers questions on request ${requestId}`);
      }
      if (state.withdrawn) throw new CaseStepNotAcceptedError(`request ${requestId} was withdrawn`);
      const [question]: {
        id: string;
        channel: string;
        partner: string;
        partner_message_id: string;
        closed_at: Date | null;
      }[] = UUID.test(body.inReplyTo)
        ? await manager.query(
            `SELECT id, channel, partner, partner_message_id, closed_at FROM replies
              WHERE id = $1 AND request_id = $2 AND kind = 'clarification' AND direction = 'inbound'
              FOR UPDATE`,
            [body.inReplyTo, requestId],
          )
        : [];
      if (!question) {
        throw new ValidationFailedError('inReplyTo names no clarification question on this request', [
          { path: 'inReplyTo', message: `no partner question ${body.inReplyTo} on request ${requestId}` },
        ]);
      }
      if (question.closed_at) {
        throw new CaseStepNotAcceptedError(`question ${question.id} was answered already`);
      }
      const now = this.clock.now();
      const message = this.message(request, actor, now, {
        kind: 'clarification_answer',
        channel: question.channel as Channel,
        destination: question.partner,
        inReplyTo: question.partner_message_id,
        text: body.answer,
        clarificationOf: question.id,
      });
      await manager.query(`UPDATE replies SET closed_at = $2 WHERE id = $1`, [question.id, now]);
      await queueCaseMessage(manager, this.ids.uuid(), message);
      return {
        requestId,
        kind: 'clarification_answer',
        status: await openQuestions(manager, requestId, 'inbound').then((n) =>
          n > 0 ? 'awaiting_clarification' : 'dispatched',
        ),
        messages: [{ id: message.replyId, channel: message.channel, destination: message.destination }],
        createdAt: now.toISOString(),
      };
    });
  }

  /** A step on a foreign partner's request, going back over the channel it came on. */
  private onForeignRequest(
    requestId: string,
    caller: Claims,
    what: string,
    decide: (
      request: RequestRow,
      state: CaseState,
    ) => Promise<
      Pick<CaseMessageQueued, 'kind' | 'text' | 'ground' | 'partial' | 'expectedBy'> & { status: string }
    >,
    actor: Actor,
  ): Promise<CaseStepAccepted> {
    return this.run(requestId, async (manager, request, state) => {
      if (request.direction !== 'inbound') {
        if (request.requesting_unit !== caller.unit && !caller.roles.includes('spoc_operator')) {
          throw new ForbiddenError(`request ${requestId} is not yours`);
        }
        throw new CaseStepNotAcceptedError(
          `request ${requestId} is one of ours: a ${what} answers a foreign partner's request`,
        );
      }
      if (!caller.roles.includes('spoc_operator') && request.assigned_unit !== caller.unit) {
        throw new ForbiddenError(`request ${requestId} was routed to another unit`);
      }
      if (state.withdrawn)
        throw new CaseStepNotAcceptedError(`request ${requestId} was withdrawn by its partner`);
      const { status, ...step } = await decide(request, state);
      const now = this.clock.now();
      const message = this.message(request, actor, now, {
        ...step,
        channel: request.origin_channel as Channel,
        destination: request.origin_partner!,
        inReplyTo: request.partner_message_id!,
      });
      await queueCaseMessage(manager, this.ids.uuid(), message);
      return {
        requestId,
        kind: step.kind,
        status,
        messages: [{ id: message.replyId, channel: message.channel, destination: message.destination }],
        createdAt: now.toISOString(),
      };
    });
  }

  private message(
    request: RequestRow,
    author: Actor,
    now: Date,
    fields: Pick<CaseMessageQueued, 'kind' | 'channel' | 'destination' | 'inReplyTo' | 'text'> &
      Partial<Pick<CaseMessageQueued, 'ground' | 'partial' | 'expectedBy' | 'clarificationOf'>>,
  ): CaseMessageQueued {
    return {
      replyId: this.ids.uuid(),
      requestId: request.id,
      handlingCode: request.body.handlingCode ?? 'H0',
      // Art 11: the case continues in the request's language.
      language: request.body.language ?? 'en',
      author,
      at: now.toISOString(),
      ...fields,
    };
  }

  /** The request, locked for the step, and what its case says so far; one transaction. */
  private async run(
    requestId: string,
    step: (manager: EntityManager, request: RequestRow, state: CaseState) => Promise<CaseStepAccepted>,
  ): Promise<CaseStepAccepted> {
    if (!UUID.test(requestId)) throw new NotFoundError(`no request ${requestId}`);
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        const [request]: RequestRow[] = await manager.query(
          `SELECT id, direction, requesting_unit, assigned_unit, origin_channel, origin_partner,
                  partner_message_id, body, decision
             FROM requests WHERE id = $1 FOR UPDATE`,
          [requestId],
        );
        if (!request) throw new NotFoundError(`no request ${requestId}`);
        const [state]: CaseState[] = await manager.query(
          `SELECT bool_or(kind = 'withdrawal') AS withdrawn,
                  bool_or(kind = 'refusal' AND NOT partial AND direction = 'outbound') AS refused
             FROM replies WHERE request_id = $1`,
          [requestId],
        );
        const accepted = await step(manager, request, {
          withdrawn: !!state?.withdrawn,
          refused: !!state?.refused,
        });
        // The list, the queue and the status stream see the step in the same transaction.
        await refreshWorkRequest(manager, requestId, this.clock.now());
        return accepted;
      });
      this.audit.nudge();
      return result;
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}

async function openQuestions(manager: EntityManager, requestId: string, direction: string): Promise<number> {
  const [row]: { n: string }[] = await manager.query(
    `SELECT count(*) AS n FROM replies WHERE request_id = $1 AND kind = 'clarification'
        AND direction = $2 AND closed_at IS NULL`,
    [requestId, direction],
  );
  return Number(row?.n ?? 0);
}

function uniquePartners<T extends { channel: string; destination: string }>(list: readonly T[]) {
  const seen = new Map<string, { channel: string; destination: string }>();
  for (const p of list)
    seen.set(`${p.channel}/${p.destination}`, { channel: p.channel, destination: p.destination });
  return [...seen.values()];
}
