import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ROLES, type Claims, type Role } from '@ixr/auth';
import type { Actor } from '@ixr/domain';

export const ROLES_KEY = 'ixr:roles';
export const PUBLIC_KEY = 'ixr:public';
export const RECORDS_CONSULTATION_KEY = 'ixr:records-consultation';

/** Roles allowed on a route (SPEC §2). A route without it admits any authenticated caller. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token: only the API documents. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/**
 * The route logs its own consultation entry (with its own details), so the generic record of an
 * auditor's read is not added a second time.
 */
export const RecordsConsultation = (): MethodDecorator & ClassDecorator =>
  SetMetadata(RECORDS_CONSULTATION_KEY, true);

/**
 * Who may call a route, read from its handler and then its controller class (a handler's own
 * declaration wins) — the one reading both the guard and the API document use, so they agree.
 * `roles`: the roles admitted; every role when none is declared (any authenticated caller).
 */
export function routeAccess(handler: object, controller: object): { isPublic: boolean; roles: Role[] } {
  const declared = <T>(key: string): T | undefined =>
    [handler, controller]
      .map((target) => Reflect.getMetadata(key, target) as T | undefined)
      .find((value) => value !== undefined);
  return {
    isPublic: declared<boolean>(PUBLIC_KEY) === true,
    roles: [...(declared<Role[]>(ROLES_KEY) ?? ROLES)],
  };
}

export type AuthenticatedRequest = FastifyRequest & {
  claims: Claims;
  /** The role the caller acts in on this route (see `actingRole`). */
  actingRole: Role;
  /** The caller's X-Justification, validated; always present when acting as auditor. */
  justification?: string;
};

/**
 * Of the caller's roles that the route admits, the one they act in. Operational roles come before
 * the auditor's: someone who is both a SPOC operator and an auditor reads as an operator, and
 * acts as an auditor — read-only, justified, logged — only when no other role lets them in.
 */
const PRECEDENCE: readonly Role[] = ['spoc_operator', 'admin', 'dpo', 'requester', 'adapter', 'auditor'];

export function actingRole(claims: Claims, allowed: readonly Role[] | undefined): Role | undefined {
  const admitted = allowed ? claims.roles.filter((r) => allowed.includes(r)) : claims.roles;
  return PRECEDENCE.find((r) => admitted.includes(r));
}

/** The actor recorded in the exchange log: the person and unit from the token, the acting role. */
export function actorOfRequest(req: AuthenticatedRequest): Actor {
  return { person: req.claims.sub, unit: req.claims.unit, level: req.claims.level, role: req.actingRole };
}
