import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';
import { actorOfRequest, Roles, type AuthenticatedRequest } from '../auth/route-access';
import { requireJustification } from '../http/justification';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { DataProtectionService } from './data-protection.service';

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const reasonSchema = z.strictObject({
  reason: z
    .string()
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'must say why').max(1000)),
});
type ReasonBody = z.infer<typeof reasonSchema>;

const reviewsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

function checkedId(id: string): string {
  if (!UUID.test(id)) {
    throw new ValidationFailedError('the request id is invalid', [
      { path: 'param:id', message: 'expected a UUID' },
    ]);
  }
  return id;
}

/** The data-protection officer's reviews and erasures (SPEC §10); every action is logged. */
@Controller('v1')
export class DataProtectionController {
  constructor(private readonly service: DataProtectionService) {}

  /** Requests whose review is due, the most overdue first. */
  @Get('data-protection/reviews')
  @Roles('dpo')
  reviews(@Query() query: unknown) {
    const parsed = reviewsQuery.safeParse(query ?? {});
    if (!parsed.success)
      throw new ValidationFailedError('the query is invalid', toValidationIssues(parsed.error));
    return this.service.dueReviews(parsed.data.limit);
  }

  /** The officer keeps the data for now; the next review falls due REVIEW_EVERY_DAYS later. */
  @Post('requests/:id/review')
  @HttpCode(201)
  @Roles('dpo')
  review(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(reasonSchema)) body: ReasonBody,
    @Headers('x-justification') justification: string | undefined,
  ) {
    const why = requireJustification(justification);
    return this.service.review(actorOfRequest(req), checkedId(id), body.reason, why);
  }

  /** Erases the request's personal data (subjects and free text); the facts and the log's proofs stay. */
  @Post('requests/:id/erasure')
  @HttpCode(200)
  @Roles('dpo')
  erase(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body(new ZodBodyPipe(reasonSchema)) body: ReasonBody,
    @Headers('x-justification') justification: string | undefined,
  ) {
    const why = requireJustification(justification);
    return this.service.erase(actorOfRequest(req), checkedId(id), body.reason, why);
  }
}
