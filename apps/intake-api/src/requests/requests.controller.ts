import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { outboundRequestBodySchema, type OutboundRequestBody } from '@ixr/domain';
import { NotFoundError } from '@ixr/platform';
import { actorOfRequest, RecordsConsultation, Roles, type AuthenticatedRequest } from '../auth/route-access';
import { idempotencyKeyOf } from '../http/idempotency';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { ZodQueryPipe } from '../http/zod-query.pipe';
import { AssignRequestUseCase, assignBodySchema, type AssignBody } from '../work/assign-request.usecase';
import { RequestListService } from '../work/request-list.service';
import { requestSearchQuerySchema, type RequestSearchQuery } from '@ixr/persistence';
import { RequestViewService } from './request-view.service';
import { SubmitRequestUseCase } from './submit-request.usecase';

@Controller('v1/requests')
export class RequestsController {
  constructor(
    private readonly submit: SubmitRequestUseCase,
    private readonly views: RequestViewService,
    private readonly listing: RequestListService,
    private readonly assignment: AssignRequestUseCase,
  ) {}

  /** List and search (SPEC §7): only what the caller's unit may see; a text search is logged. */
  @Get()
  @Roles('requester', 'spoc_operator', 'auditor', 'admin')
  @RecordsConsultation()
  list(
    @Req() req: AuthenticatedRequest,
    @Query(new ZodQueryPipe(requestSearchQuerySchema)) query: RequestSearchQuery,
  ) {
    return this.listing.list(query, req);
  }

  /** The SPOC hands a foreign partner's request to another unit or contact point (logged with who and why). */
  @Post(':id/assign')
  @HttpCode(200)
  @Roles('spoc_operator')
  assign(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(assignBodySchema)) body: AssignBody,
  ) {
    return this.assignment.execute(id, body, req);
  }

  /** Submit an outbound request (SPEC §2): 202 with id, status, receivedAt and deadline. */
  @Post()
  @HttpCode(202)
  @Roles('requester', 'spoc_operator')
  async create(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(outboundRequestBodySchema)) body: OutboundRequestBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.submit.execute(actorOfRequest(req), body, idempotencyKeyOf(idempotencyKey));
    void reply.header('location', `/v1/requests/${result.id}`);
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    const { replayed: _replayed, ...response } = result;
    return response;
  }

  /** The request, its status, decision and deliveries — to a caller with a need to know (logged). */
  @Get(':id')
  @Roles('requester', 'spoc_operator', 'auditor')
  @RecordsConsultation()
  get(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.views.view(id, req, 'request');
  }

  @Get(':id/decision')
  @Roles('requester', 'spoc_operator', 'auditor')
  @RecordsConsultation()
  async decision(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    const view = await this.views.view(id, req, 'decision');
    if (!view.decision)
      throw new NotFoundError(`request ${id} has no routing decision yet (status ${view.status})`);
    return view.decision;
  }
}
