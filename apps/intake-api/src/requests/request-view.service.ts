import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RequestStatus, RoutingDecision } from '@ixr/domain';
import { DeliveryEntity, RequestEntity } from '@ixr/persistence';
import { ForbiddenError, NotFoundError } from '@ixr/platform';
import { AccessRecorder } from '../auth/access-recorder';
import { DEFAULT_JUSTIFICATION, readAccess } from '../auth/need-to-know.policy';
import { actorOfRequest, type AuthenticatedRequest } from '../auth/route-access';
import { erasureOf, type Erasure } from '../data-protection/data-protection.service';
import { toDependencyError } from '../http/dependency-errors';
import { caseHistory, type HistoryEntry } from '../work/case-history';
import {
  caseStatus,
  isAnswered,
  repliesOf,
  requestOrigin,
  type ReplyView,
  type RequestOrigin,
} from '../replies/reply-view';

export interface RequestView {
  id: string;
  status: RequestStatus;
  missionType: string;
  requestingUnit: string;
  requestedBy: string;
  level: RequestEntity['level'];
  receivedAt: string;
  /**
   * `at` moves when a clarification suspended the clock (SPEC §8); `suspended` while it is open.
   */
  deadline: { at: string | null; basis: string; suspended: boolean };
  request: RequestEntity['body'];
  decision: RoutingDecision | null;
  deliveries: {
    id: string;
    channel: string;
    destination: string;
    role: string;
    status: string;
    attempts: number;
    partnerReference: string | null;
    lastError: string | null;
    dispatchedAt: string;
    completedAt: string | null;
  }[];
  /** Where it came from: one of our units (outbound) or a foreign partner (inbound). */
  origin: RequestOrigin;
  replies: ReplyView[];
  /** The whole case in order: received, decision, deliveries, replies, warnings, assignments. */
  history: HistoryEntry[];
  /** SPEC §10: when, by whom and why its personal data was erased; null while it is held. */
  erasure: Erasure | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is read: the whole request (personal data) or only its routing decision. */
export type ViewPart = 'request' | 'decision';

/**
 * Reads a request for a caller with a need to know (see need-to-know.policy.ts). A refusal answers
 * 403 and is logged as `denied`; a read of the request's content (personal data) — and any read
 * by an auditor — is logged as `consulted` before the data is returned.
 */
@Injectable()
export class RequestViewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessRecorder,
  ) {}

  async view(id: string, caller: AuthenticatedRequest, part: ViewPart = 'request'): Promise<RequestView> {
    if (!UUID.test(id)) throw new NotFoundError(`no request ${id}: not a request id`);
    let request: RequestEntity | null;
    let deliveries: DeliveryEntity[] = [];
    let sending = new Map<string, { attempts: number; lastError: string | null }>();
    let origin: RequestOrigin | undefined;
    let replies: ReplyView[] = [];
    /** The units whose inbox holds it: what was routed to them, whichever path put it there. */
    let inbox: { channel: string; destination: string }[] = [];
    let clock: DeadlineClock | undefined;
    let erasure: Erasure | null = null;
    try {
      request = await this.dataSource.getRepository(RequestEntity).findOneBy({ id });
      origin = request ? await requestOrigin(this.dataSource, id) : undefined;
      if (request) {
        deliveries = await this.dataSource
          .getRepository(DeliveryEntity)
          .find({ where: { requestId: id }, order: { dispatchedAt: 'ASC', id: 'ASC' } });
        sending = await sendingState(this.dataSource, deliveries);
        replies = await repliesOf(this.dataSource, id);
        [clock] = await this.dataSource.query(
          `SELECT max(due_at) FILTER (WHERE milestone = 'breach') AS breach_at,
                  bool_or(suspended_at IS NOT NULL) AS suspended
             FROM deadline_milestones WHERE request_id = $1`,
          [id],
        );
        inbox = await this.dataSource.query(
          'SELECT DISTINCT channel, unit AS destination FROM unit_inbox WHERE request_id = $1',
          [id],
        );
        const erased: Parameters<typeof erasureOf>[0][] = await this.dataSource.query(
          'SELECT erased_at, erased_by, unit, reason FROM erasures WHERE request_id = $1',
          [id],
        );
        erasure = erased.length > 0 ? erasureOf(erased[0]) : null;
      }
    } catch (error) {
      throw toDependencyError(error);
    }
    if (!request || !origin) throw new NotFoundError(`no request ${id}`);
    const actor = actorOfRequest(caller);
    const action = part === 'request' ? 'request_viewed' : 'decision_viewed';
    // What was routed to a unit: its deliveries, its inbox, and a foreign request's contact point (SPEC §4.4).
    const targets = [...deliveries, ...inbox];
    if (origin.direction === 'inbound' && origin.assignedUnit) {
      targets.push({ channel: 'national_unit', destination: origin.assignedUnit });
    }
    const access = readAccess({ unit: caller.claims.unit, role: caller.actingRole }, request, targets);
    if (!access.allowed) {
      await this.access.denied(actor, {
        requestId: id,
        justification: caller.justification ?? '(none given)',
        details: { action, reason: access.reason },
      });
      throw new ForbiddenError(`you may not read request ${id}: ${access.reason}`);
    }
    if (part === 'request' || access.basis === 'auditor') {
      await this.access.consulted(actor, {
        requestId: id,
        justification:
          caller.justification ??
          (access.basis === 'auditor' ? '(none given)' : DEFAULT_JUSTIFICATION[access.basis]),
        details: { action, basis: access.basis },
      });
    }
    const view: Omit<RequestView, 'history'> = {
      id: request.id,
      status: erasure
        ? 'erased'
        : (caseStatus(origin, replies) ??
          (isAnswered(origin, replies) ? 'answered' : statusOf(request, deliveries))),
      missionType: request.missionType,
      requestingUnit: request.requestingUnit,
      requestedBy: request.requestedBy,
      level: request.level,
      receivedAt: request.receivedAt.toISOString(),
      deadline: deadlineOf(request, clock),
      request: request.body,
      decision: request.decision,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        channel: d.channel,
        destination: d.destination,
        role: d.role,
        status: d.status,
        attempts: sending.get(d.id)?.attempts ?? d.attempts,
        partnerReference: d.partnerReference,
        lastError: sending.get(d.id)?.lastError ?? d.lastError,
        dispatchedAt: d.dispatchedAt.toISOString(),
        completedAt: d.completedAt?.toISOString() ?? null,
      })),
      origin,
      replies,
      erasure,
    };
    try {
      return {
        ...view,
        history: part === 'request' ? await caseHistory({ view, dataSource: this.dataSource }) : [],
      };
    } catch (error) {
      throw toDependencyError(error);
    }
  }
}

interface DeadlineClock {
  breach_at: Date | null;
  suspended: boolean | null;
}

/** The deadline as its milestones have it now: moved by clarifications, suspended while one is open. */
function deadlineOf(request: RequestEntity, clock: DeadlineClock | undefined): RequestView['deadline'] {
  const at = clock?.breach_at ?? request.deadlineAt;
  return {
    at: at?.toISOString() ?? null,
    basis: request.deadlineBasis ?? 'none',
    suspended: clock?.suspended === true,
  };
}

/** The request's status as its deliveries tell it. */
function statusOf(request: RequestEntity, deliveries: DeliveryEntity[]): RequestStatus {
  if (!request.decision) return 'received';
  if (deliveries.length === 0) return 'routed';
  if (deliveries.some((d) => d.status === 'failed')) return 'failed';
  if (deliveries.every((d) => d.status === 'delivered' || d.status === 'cancelled')) return 'delivered';
  return 'dispatched';
}

/**
 * The adapters' ledger of the deliveries still pending (`delivery_sends`): a send being retried
 * shows its attempts and last error before its outcome reaches the router's `deliveries`.
 */
async function sendingState(
  dataSource: DataSource,
  deliveries: readonly DeliveryEntity[],
): Promise<Map<string, { attempts: number; lastError: string | null }>> {
  const pending = deliveries.filter((d) => d.status === 'pending').map((d) => d.id);
  if (pending.length === 0) return new Map();
  const rows: { id: string; attempts: number; last_error: string | null }[] = await dataSource.query(
    `SELECT id, attempts, last_error FROM delivery_sends WHERE id = ANY($1) AND status = 'pending'`,
    [pending],
  );
  return new Map(rows.map((r) => [r.id, { attempts: Number(r.attempts), lastError: r.last_error }]));
}
