import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { requireJustification } from '../http/justification';

export type JustifiedRequest = FastifyRequest & { justification: string };

/**
 * Every audit route (SPEC §2): without a valid X-Justification the request stops here with a
 * 400, before any handler runs — nothing is read, nothing is recorded.
 */
@Injectable()
export class AuditJustificationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<JustifiedRequest>();
    request.justification = requireJustification(request.headers['x-justification']);
    return true;
  }
}
