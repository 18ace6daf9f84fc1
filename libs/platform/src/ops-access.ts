import { timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import { loadConfig } from './config';
import { isProductionMode } from './production-mode';

/**
 * Who may read `/metrics` and the detailed `/health` (the names of dependencies and their errors).
 * Outside production: anyone on the service port (development, tests). In production: on the
 * service port only a caller with `Authorization: Bearer <OPS_TOKEN>`; everyone else gets the bare
 * status; and, when `ADMIN_PORT` is set, everything on that port, bound to `ADMIN_HOST`.
 */
export const opsAccessSchema = z.object({
  OPS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMIN_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
});

export interface OpsAccess {
  /** False: the service port shows the bare status and no metrics without the token. */
  readonly openOnServicePort: boolean;
  readonly token?: string;
  readonly adminPort?: number;
  readonly adminHost: string;
}

export function loadOpsAccess(environment: NodeJS.ProcessEnv = process.env): OpsAccess {
  const config = loadConfig(opsAccessSchema, environment);
  return {
    openOnServicePort: !isProductionMode(environment),
    token: config.OPS_TOKEN,
    adminPort: config.ADMIN_PORT,
    adminHost: config.ADMIN_HOST,
  };
}

/** Constant-time comparison of a request's bearer token with the configured one. */
export function hasOpsToken(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined || authorization === undefined) return false;
  const given = /^Bearer (.+)$/.exec(authorization)?.[1];
  if (given === undefined) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
