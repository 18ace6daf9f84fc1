import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InvalidTokenError, TokenVerifier, type Claims, type Role } from '@ixr/auth';
import { ForbiddenError, UnauthenticatedError } from '@ixr/platform';

const ROLES_KEY = 'ixr:roles';

/** Roles allowed on a route (SPEC §2). A route without it admits any authenticated caller. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export type AuthenticatedRequest = FastifyRequest & { claims: Claims };

/** Every /v1 route: a valid bearer token (401 otherwise), then one of the route's roles (403). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new UnauthenticatedError('missing Authorization header (expected "Bearer <token>")');
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    try {
      request.claims = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthenticatedError(error.message);
      throw error;
    }
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed && !request.claims.roles.some((r) => allowed.includes(r))) {
      throw new ForbiddenError(`this action needs one of the roles: ${allowed.join(', ')}`);
    }
    return true;
  }
}
