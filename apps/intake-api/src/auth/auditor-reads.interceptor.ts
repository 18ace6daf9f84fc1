import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, type Observable } from 'rxjs';
import { AccessRecorder } from './access-recorder';
import { actorOfRequest, RECORDS_CONSULTATION_KEY, type AuthenticatedRequest } from './route-access';

/**
 * The audit API (SPEC §2, issue 4) logs each of its reads itself, as `consulted` or `exported`,
 * with what was read; a generic entry would only duplicate it.
 */
const SELF_RECORDING = ['/v1/audit/'];

/**
 * Every read an auditor makes is logged as a consultation with the auditor's justification
 * (issue 6; Directive 2016/680 Art 25) — on every route, including routes that know nothing of
 * auditing, unless the route records its own entry (`@RecordsConsultation()`). The entry is
 * committed before the answer leaves; if it cannot be, the auditor gets 503 and no data.
 */
@Injectable()
export class AuditorReadsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const recordsItself = this.reflector.getAllAndOverride<boolean | undefined>(RECORDS_CONSULTATION_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const route = request.routeOptions.url ?? request.url;
    if (
      request.actingRole !== 'auditor' ||
      recordsItself ||
      SELF_RECORDING.some((p) => route.startsWith(p))
    ) {
      return next.handle();
    }
    const params = (request.params ?? {}) as Record<string, string>;
    return next.handle().pipe(
      mergeMap((result: unknown) =>
        from(
          this.access
            .consulted(actorOfRequest(request), {
              requestId: null,
              justification: request.justification ?? '(none given)',
              details: {
                action: `${request.method} ${route}`,
                params,
              },
            })
            .then(() => result),
        ),
      ),
    );
  }
}
