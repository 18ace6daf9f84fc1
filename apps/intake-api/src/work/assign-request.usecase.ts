import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppError, Clock, NotFoundError } from '@ixr/platform';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { actorOfRequest, type AuthenticatedRequest } from '../auth/route-access';
import { toDependencyError } from '../http/dependency-errors';
import { addInboxItems } from './work-feed.writer';
import { refreshWorkRequest } from './work-request.projection';

export const assignBodySchema = z.strictObject({
  /** The unit or contact point that takes the request over, e.g. FGP-BRUXELLES, DJSOC-CYBER. */
  unit: z
    .string()
    .regex(/^[A-Z0-9]+(-[A-Z0-9]+)*$/, 'a unit id such as FGP-ANTWERPEN')
    .max(80),
  /** Why: recorded in the exchange log with who assigned it. */
  reason: z.string().trim().min(1).max(4000),
});
export type AssignBody = z.infer<typeof assignBodySchema>;

/** Only a foreign partner's request is handed from unit to unit; ours stay with their unit. */
export class NotAssignableError extends AppError {
  readonly code = 'WORK.NOT_ASSIGNABLE';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The SPOC hands an inbound request to another unit or contact point (SPEC §7): the request's
 * handling unit changes, the step is logged (`assigned`, who and why), and the request lands in
 * the new unit's inbox — all in one transaction.
 */
@Injectable()
export class AssignRequestUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  async execute(id: string, body: AssignBody, caller: AuthenticatedRequest) {
    if (!UUID.test(id)) throw new NotFoundError(`no request ${id}: not a request id`);
    const actor = actorOfRequest(caller);
    const now = this.clock.now();
    let result: { requestId: string; unit: string; previousUnit: string | null; assignedAt: string };
    try {
      result = await this.dataSource.transaction(async (manager) => {
        const [request]: { direction: string; assigned_unit: string | null }[] = await manager.query(
          `SELECT direction, assigned_unit FROM requests WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (!request) throw new NotFoundError(`no request ${id}`);
        if (request.direction !== 'inbound') {
          throw new NotAssignableError(
            `request ${id} is one of our units' requests: only a foreign partner's request is assigned`,
          );
        }
        if (request.assigned_unit === body.unit) {
          throw new NotAssignableError(`request ${id} is assigned to ${body.unit} already`);
        }
        await manager.query(`UPDATE requests SET assigned_unit = $2 WHERE id = $1`, [id, body.unit]);
        const [{ id: assignmentId }]: [{ id: string }] = await manager.query(
          `INSERT INTO assignments (request_id, from_unit, to_unit, reason, assigned_by, at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [id, request.assigned_unit, body.unit, body.reason, actor.person, now],
        );
        await this.audit.record(manager, actor, {
          kind: 'assigned',
          requestId: id,
          justification: body.reason,
          recipients: [body.unit],
          details: { from: request.assigned_unit, to: body.unit, assignmentId: assignmentId },
        });
        await refreshWorkRequest(manager, id, now);
        await addInboxItems(manager, [
          {
            unit: body.unit,
            kind: 'assignment',
            requestId: id,
            at: now,
            summary: `Foreign request assigned to ${body.unit} by ${actor.unit}${request.assigned_unit ? ` (was ${request.assigned_unit})` : ''}`,
            source: `assignment/${assignmentId}`,
          },
        ]);
        return {
          requestId: id,
          unit: body.unit,
          previousUnit: request.assigned_unit,
          assignedAt: now.toISOString(),
        };
      });
    } catch (error) {
      throw toDependencyError(error);
    }
    this.audit.nudge();
    return result;
  }
}
