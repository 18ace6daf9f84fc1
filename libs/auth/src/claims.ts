import { z } from 'zod';
import { UNIT_LEVELS } from '@ixr/domain';

/** `dpo`: the data-protection officer (SPEC §10): reviews and erases personal data. */
export const ROLES = ['requester', 'spoc_operator', 'auditor', 'adapter', 'admin', 'dpo'] as const;
export type Role = (typeof ROLES)[number];

/** Claims of an IXR bearer token (SPEC §2). */
export const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  unit: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/, 'must be a unit id such as PZ-5339'),
  level: z.enum(UNIT_LEVELS),
  roles: z.array(z.enum(ROLES)).min(1),
});
export type Claims = z.infer<typeof claimsSchema>;

/** The local development issuer and audience; production takes its own from configuration. */
export const DEV_ISSUER = 'ixr-dev';
export const DEV_AUDIENCE = 'ixr';
/** Development-only secret, used when JWT_SECRET is not set. Never valid outside a laptop or CI. */
export const DEV_SECRET = 'ixr-local-development-secret-do-not-use-in-production';
