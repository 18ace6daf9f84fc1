import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RequestStatus, RoutingDecision } from '@ixr/domain';
import type { Claims } from '@ixr/auth';
import { DeliveryEntity, RequestEntity } from '@ixr/persistence';
import { ForbiddenError, NotFoundError } from '@ixr/platform';
import { toDependencyError } from '../http/dependency-errors';
import {
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
  receivedAt: string;
  deadline: { at: string | null; basis: string };
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
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a request for a caller who may see it: its own unit, the SPOC operators, auditors. */
@Injectable()
export class RequestViewService {
  constructor(private readonly dataSource: DataSource) {}

  async view(id: string, caller: Claims): Promise<RequestView> {
    if (!UUID.test(id)) throw new NotFoundError(`no request ${id}`);
    let request: RequestEntity | null;
    let deliveries: DeliveryEntity[] = [];
    let origin: RequestOrigin | undefined;
    let replies: ReplyView[] = [];
    try {
      request = await this.dataSource.getRepository(RequestEntity).findOneBy({ id });
      origin = request ? await requestOrigin(this.dataSource, id) : undefined;
      if (request && origin && !mayRead(request, origin, caller))
        throw new ForbiddenError('this request belongs to another unit');
      if (request) {
        deliveries = await this.dataSource
          .getRepository(DeliveryEntity)
          .find({ where: { requestId: id }, order: { dispatchedAt: 'ASC', id: 'ASC' } });
        replies = await repliesOf(this.dataSource, id);
      }
    } catch (error) {
      throw toDependencyError(error);
    }
    if (!request || !origin) throw new NotFoundError(`no request ${id}`);
    return {
      id: request.id,
      status: isAnswered(origin, replies) ? 'answered' : statusOf(request, deliveries),
      missionType: request.missionType,
      requestingUnit: request.requestingUnit,
      requestedBy: request.requestedBy,
      receivedAt: request.receivedAt.toISOString(),
      deadline: { at: request.deadlineAt?.toISOString() ?? null, basis: request.deadlineBasis ?? 'none' },
      request: request.body,
      decision: request.decision,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        channel: d.channel,
        destination: d.destination,
        role: d.role,
        status: d.status,
        attempts: d.attempts,
        partnerReference: d.partnerReference,
        lastError: d.lastError,
        dispatchedAt: d.dispatchedAt.toISOString(),
        completedAt: d.completedAt?.toISOString() ?? null,
      })),
      origin,
      replies,
    };
  }
}

function mayRead(request: RequestEntity, origin: RequestOrigin, caller: Claims): boolean {
  if (caller.roles.includes('spoc_operator') || caller.roles.includes('auditor')) return true;
  // A foreign partner's request: the unit it was routed to (SPEC §4.4).
  if (origin.direction === 'inbound') return origin.assignedUnit === caller.unit;
  return request.requestingUnit === caller.unit;
}

/** The request's status as its deliveries tell it. */
function statusOf(request: RequestEntity, deliveries: DeliveryEntity[]): RequestStatus {
  if (!request.decision) return 'received';
  if (deliveries.length === 0) return 'routed';
  if (deliveries.some((d) => d.status === 'failed')) return 'failed';
  if (deliveries.every((d) => d.status === 'delivered')) return 'delivered';
  return 'dispatched';
}
