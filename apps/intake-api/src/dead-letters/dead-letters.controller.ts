import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';
import { actorOf } from '../auth/actor';
import { Roles, type AuthenticatedRequest } from '../auth/auth.guard';
import { requireJustification } from '../http/justification';
import { DeadLettersService } from './dead-letters.service';

const OPERATORS = ['spoc_operator', 'admin'] as const;
const DEAD_LETTER_ID = /^dl-[0-9a-f]{32}$/;

const listQuery = z.strictObject({
  status: z.enum(['open', 'redriven', 'all']).default('open'),
  topic: z
    .string()
    .regex(/^ixr\.[a-z.-]{1,60}$/, 'an ixr.* topic name')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Operators list, read and re-drive dead letters; each action is logged with who and why. */
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @Roles(...OPERATORS)
  list(
    @Req() req: AuthenticatedRequest,
    @Query() query: unknown,
    @Headers('x-justification') justification: string | undefined,
  ) {
    const parsed = listQuery.safeParse(query ?? {});
    if (!parsed.success) {
      throw new ValidationFailedError('the query is invalid', toValidationIssues(parsed.error));
    }
    return this.deadLetters.list(
      actorOf(req.claims, [...OPERATORS]),
      parsed.data,
      justification?.trim() ? requireJustification(justification) : 'dead-letter queue review',
    );
  }

  /** One dead letter with its payload (which may hold personal data): a justification is required. */
  @Get(':id')
  @Roles(...OPERATORS)
  get(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Headers('x-justification') justification: string | undefined,
  ) {
    const why = requireJustification(justification);
    return this.deadLetters.get(actorOf(req.claims, [...OPERATORS]), checkedId(id), why);
  }

  @Post(':id/redrive')
  @HttpCode(202)
  @Roles(...OPERATORS)
  redrive(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Headers('x-justification') justification: string | undefined,
  ) {
    const why = requireJustification(justification);
    return this.deadLetters.redrive(actorOf(req.claims, [...OPERATORS]), checkedId(id), why);
  }
}

function checkedId(id: string): string {
  if (!DEAD_LETTER_ID.test(id)) {
    throw new ValidationFailedError('the dead-letter id is invalid', [
      { path: 'param:id', message: 'expected "dl-" and 32 hex digits' },
    ]);
  }
  return id;
}
