import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import {
  AppError,
  DependencyUnavailableError,
  ForbiddenError,
  IdempotencyConflictError,
  JustificationRequiredError,
  NotFoundError,
  UnauthenticatedError,
  ValidationFailedError,
  type ErrorDetail,
} from '@ixr/platform';
import { DeadLetterConflictError } from '../dead-letters/dead-letters.service';
import { ReplyNotAcceptedError } from '../replies/replies.service';
import { RulesetNotActivatableError } from '../routing-admin/routing-admin.service';

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

const STATUS_BY_CLASS: [new (...args: never[]) => AppError, number][] = [
  [ValidationFailedError, 400],
  [JustificationRequiredError, 400],
  [UnauthenticatedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [IdempotencyConflictError, 409],
  [RulesetNotActivatableError, 422],
  [ReplyNotAcceptedError, 409],
  [DeadLetterConflictError, 409],
  [DependencyUnavailableError, 503],
];

/** Maps any error to SPEC §2's `{ error: { code, message, details } }`; unknown errors become 500. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    const status = STATUS_BY_CLASS.find(([cls]) => error instanceof cls)?.[1] ?? 500;
    return { status, body: { error: { code: error.code, message: error.message, details: error.details } } };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { error: { code: httpCode(status), message: error.message, details: [] } } };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const status = fastifyError.statusCode;
    return {
      status,
      body: {
        error: { code: httpCode(status), message: fastifyError.message ?? 'bad request', details: [] },
      },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error', details: [] } } };
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return 'HTTP.BAD_REQUEST';
    case 404:
      return 'HTTP.NOT_FOUND';
    case 413:
      return 'HTTP.PAYLOAD_TOO_LARGE';
    case 415:
      return 'HTTP.UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'HTTP.TOO_MANY_REQUESTS';
    default:
      return `HTTP.${status}`;
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = toHttpError(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
  }
}
