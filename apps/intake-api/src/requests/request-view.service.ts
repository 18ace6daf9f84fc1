import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RequestStatus, RoutingDecision } from '@ixr/domain';
import type { Claims } from '@ixr/auth';
import { DeliveryEntity, RequestEntity } from '@ixr/persistence';
import { ForbiddenError, NotFoundError } from '@ixr/platform';
import { toDependencyError } from '../http/dependency-errors';

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
  replies: unknown[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a request for a caller who may see it: its own unit, the SPOC operators, auditors. */
@Injectable()
export class RequestViewService {
  constructor(private readonly dataSource: DataSource) {}

  async view(id: string, caller: Claims): Promise<RequestView> {
    if (!UUID.test(id)) throw new NotFoundError(`no request ${id}`);
    let request: RequestEntity | null;
    let deliveries: DeliveryEntity[];
    try {
      request = await this.dataSource.getRepository(RequestEntity).findOneBy({ id });
      if (request && !mayRead(request, caller))
        throw new ForbiddenError('this request belongs to another unit');
      deliveries = request
        ? await this.dataSource
            .getRepository(DeliveryEntity)
            .find({ where: { requestId: id }, order: { dispatchedAt: 'ASC', id: 'ASC' } })
        : [];
    } catch (error) {
      throw toDependencyError(error);
    }
    if (!request) throw new NotFoundError(`no request ${id}`);
    return {
      id: request.id,
      status: statusOf(request, deliveries),
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
      replies: [],
    };
  }
}

function mayRead(request: RequestEntity, caller: Claims): boolean {
  if (caller.roles.includes('spoc_operator') || caller.roles.includes('auditor')) return true;
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
