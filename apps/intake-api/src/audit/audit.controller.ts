import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import type { BundleScope } from '@ixr/exchange-log';
import { MAX_TIMELINE_PAGE } from '@ixr/exchange-log-store';
import { ValidationFailedError } from '@ixr/platform';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { actorOf } from '../auth/actor';
import { AuditJustificationGuard, type JustifiedRequest } from './audit-justification.guard';
import { AuditService } from './audit.service';

type AuditRequest = AuthenticatedRequest & JustifiedRequest;

const requestId = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'a request id (letters, digits, . _ : -)');
const instant = z.iso.datetime({ offset: true });
const replaySchema = z.strictObject({ requestId: requestId.optional() });
/**
 * A timeline is read a page at a time: `after` the position of the last entry of the previous page
 * (`nextAfter`: its seq in log epoch 0, epoch·2^40 + seq in a later epoch).
 */
const timelinePageSchema = z.strictObject({
  after: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(MAX_TIMELINE_PAGE).default(MAX_TIMELINE_PAGE),
});
const exportSchema = z
  .strictObject({ requestId: requestId.optional(), from: instant.optional(), to: instant.optional() })
  .superRefine((q, ctx) => {
    const range = q.from !== undefined || q.to !== undefined;
    if (q.requestId !== undefined && range) {
      ctx.addIssue({
        code: 'custom',
        path: ['requestId'],
        message: 'give either requestId or from and to, not both',
      });
    } else if (q.requestId === undefined && !range) {
      ctx.addIssue({ code: 'custom', path: ['requestId'], message: 'give requestId, or from and to' });
    } else if (range && (q.from === undefined || q.to === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [q.from === undefined ? 'from' : 'to'],
        message: 'required with the other',
      });
    } else if (range && Date.parse(q.from!) >= Date.parse(q.to!)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    }
  });

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const details = toValidationIssues(result.error).map((d) => ({ ...d, path: `${where}:${d.path}` }));
  throw new ValidationFailedError(`invalid ${where}: ${details.map((d) => d.path).join(', ')}`, details);
}

/**
 * The audit API (SPEC §2): auditors only, and every route needs X-Justification (checked by the
 * guard before anything is read). Each answer is recorded in the exchange log as consulted or
 * exported.
 */
@Controller('v1/audit')
@Roles('auditor')
@UseGuards(AuditJustificationGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  verify(@Req() req: AuditRequest) {
    return this.audit.verify(actorOf(req.claims, ['auditor']), req.justification);
  }

  @Get('requests/:id/timeline')
  timeline(@Req() req: AuditRequest, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    const valid = parse(z.object({ id: requestId }), { id }, 'path');
    const page = parse(timelinePageSchema, query, 'query');
    return this.audit.timeline(actorOf(req.claims, ['auditor']), req.justification, valid.id, page);
  }

  @Post('replay')
  @HttpCode(200)
  replay(@Req() req: AuditRequest, @Body() body: unknown) {
    const valid = parse(replaySchema, body, 'body');
    return this.audit.replay(actorOf(req.claims, ['auditor']), req.justification, valid.requestId);
  }

  @Get('export')
  export(@Req() req: AuditRequest, @Query() query: Record<string, unknown>) {
    const q = parse(exportSchema, query, 'query');
    const scope: BundleScope =
      q.requestId !== undefined
        ? { requestId: q.requestId }
        : { from: new Date(q.from!).toISOString(), to: new Date(q.to!).toISOString() };
    return this.audit.export(actorOf(req.claims, ['auditor']), req.justification, scope);
  }
}
