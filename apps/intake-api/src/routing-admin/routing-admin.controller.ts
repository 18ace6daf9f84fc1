import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { z } from 'zod';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { actorOf } from '../auth/actor';
import { requireJustification } from '../http/justification';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { RoutingAdminService, type SimulateBody } from './routing-admin.service';

const simulateSchema = z.strictObject({
  request: z.unknown(),
  rulesetVersion: z.string().min(1).max(100).optional(),
  requestingUnit: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/)
    .optional(),
});
const anyObject = z.record(z.string(), z.unknown());

@Controller('v1')
export class RoutingAdminController {
  constructor(private readonly admin: RoutingAdminService) {}

  @Get('rulesets')
  @Roles('spoc_operator', 'admin', 'auditor')
  list() {
    return this.admin.list();
  }

  @Get('rulesets/:version')
  @Roles('spoc_operator', 'admin', 'auditor')
  get(@Param('version') version: string) {
    return this.admin.get(version);
  }

  /** A new draft rule set (the body is the rule set document). */
  @Post('rulesets')
  @HttpCode(201)
  @Roles('admin')
  create(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(anyObject)) document: Record<string, unknown>,
    @Headers('x-justification') justification: string | undefined,
  ) {
    return this.admin.createDraft(
      actorOf(req.claims, ['admin']),
      document,
      requireJustification(justification),
    );
  }

  @Post('rulesets/:version/validate')
  @HttpCode(200)
  @Roles('admin', 'spoc_operator')
  validate(@Param('version') version: string) {
    return this.admin.validate(version);
  }

  @Post('rulesets/:version/activate')
  @HttpCode(200)
  @Roles('admin')
  activate(
    @Req() req: AuthenticatedRequest,
    @Param('version') version: string,
    @Headers('x-justification') justification: string | undefined,
  ) {
    return this.admin.activate(actorOf(req.claims, ['admin']), version, requireJustification(justification));
  }

  /** SPEC §2: the decision the active (or a given) rule set would take; records only the consultation. */
  @Post('routing/simulate')
  @HttpCode(200)
  @Roles('spoc_operator', 'admin')
  simulate(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(simulateSchema)) body: SimulateBody,
    @Headers('x-justification') justification: string | undefined,
  ) {
    return this.admin.simulate(
      actorOf(req.claims, ['spoc_operator', 'admin']),
      body,
      justification?.trim() ? requireJustification(justification) : 'routing simulation',
    );
  }

  @Get('directory')
  @Roles('spoc_operator', 'admin', 'auditor')
  directory() {
    return this.admin.directory();
  }

  @Put('directory')
  @Roles('admin')
  replaceDirectory(
    @Req() req: AuthenticatedRequest,
    @Body(new ZodBodyPipe(anyObject)) document: Record<string, unknown>,
    @Headers('x-justification') justification: string | undefined,
  ) {
    return this.admin.replaceDirectory(
      actorOf(req.claims, ['admin']),
      document,
      requireJustification(justification),
    );
  }
}
