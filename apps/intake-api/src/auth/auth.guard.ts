import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { InvalidTokenError, KeySetUnavailableError, TokenVerifier, type Claims } from '@ixr/auth';
import { DependencyUnavailableError, ForbiddenError, UnauthenticatedError } from '@ixr/platform';
import { optionalJustification, requireJustification } from '../http/justification';
import { AccessRecorder } from './access-recorder';
import { RateLimitedError, RateLimiter } from './rate-limiter';
import { actingRole, routeAccess, type AuthenticatedRequest } from './route-access';

export { Roles, type AuthenticatedRequest } from './route-access';

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every /v1 route, in this order: a valid bearer token (401), the unit's rate limit (429), one of
 * the route's roles (403, itself logged as `denied`), and for a caller acting as auditor an
 * `X-Justification` (400) — all before the route reads or changes anything.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly limiter: RateLimiter,
    private readonly access: AccessRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = routeAccess(context.getHandler(), context.getClass());
    if (access.isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const claims = await this.authenticate(request.headers.authorization);
    request.claims = claims;

    const quota = this.limiter.take(claims.unit);
    if (!quota.allowed) throw new RateLimitedError(claims.unit, quota.retryAfterSeconds);

    const role = actingRole(claims, access.roles);
    if (!role) {
      const reason = `this action needs one of the roles: ${access.roles.join(', ')}`;
      await this.recordDenial(request, claims, reason);
      throw new ForbiddenError(reason);
    }
    request.actingRole = role;
    const header = request.headers['x-justification'];
    request.justification = role === 'auditor' ? requireJustification(header) : optionalJustification(header);
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Claims> {
    if (!header) throw new UnauthenticatedError('missing Authorization header (expected "Bearer <token>")');
    const match = BEARER.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    try {
      return await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthenticatedError(error.message);
      if (error instanceof KeySetUnavailableError) {
        throw new DependencyUnavailableError('the token signing keys cannot be fetched; please retry');
      }
      throw error;
    }
  }

  private async recordDenial(request: AuthenticatedRequest, claims: Claims, reason: string): Promise<void> {
    const id = (request.params as Record<string, string> | undefined)?.id;
    let justification: string | undefined;
    try {
      justification = optionalJustification(request.headers['x-justification']);
    } catch {
      justification = undefined;
    }
    await this.access.denied(
      { person: claims.sub, unit: claims.unit, level: claims.level, role: claims.roles.join('+') },
      {
        requestId: id && UUID.test(id) ? id : null,
        justification: justification ?? '(none given)',
        details: { action: `${request.method} ${request.routeOptions.url ?? request.url}`, reason },
      },
    );
  }
}
