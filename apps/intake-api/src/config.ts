import { z } from 'zod';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_SECRET, JWT_ALGORITHMS } from '@ixr/auth';
import { dataKeyMasterDevelopmentDefault, type DevelopmentDefault, env } from '@ixr/platform';
import { checkServiceConfig, serviceConfigShape, serviceDatabaseDefault } from '@ixr/runtime';
import { parseRateLimitOverrides, type RateLimit } from './auth/rate-limiter';

const algorithms = z
  .string()
  .default('HS256')
  .transform((s) => s.split(',').map((a) => a.trim()))
  .pipe(z.array(z.enum(JWT_ALGORITHMS)).min(1));

const rateLimitOverrides = z
  .string()
  .default('')
  .transform((text, ctx): Map<string, RateLimit> => {
    try {
      return parseRateLimitOverrides(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const intakeConfigSchema = z
  .object({
    ...serviceConfigShape('intake', { port: 3000 }),
    /** HS256 (local default) or RS256 and/or ES256 with a JWKS (README "Tokens"). */
    JWT_ALGORITHMS: algorithms,
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_SECRET),
    /** Public keys of the identity provider, as a JWKS file or URL (RS256/ES256 only). */
    JWT_JWKS_FILE: z.string().min(1).optional(),
    JWT_JWKS_URL: z.url({ message: 'must be an https URL' }).optional(),
    JWT_ISSUER: z.string().min(1).default(DEV_ISSUER),
    JWT_AUDIENCE: z.string().min(1).default(DEV_AUDIENCE),
    /** Largest accepted request body, in bytes (413 beyond). */
    BODY_LIMIT_BYTES: env.positiveInt(256 * 1024),
    /** Safety-net re-read of the rule set and directory (a change is announced by the database). */
    RULESET_REFRESH_MS: env.positiveInt(60_000),
    /**
     * Requests per second a unit may make, sustained, and the burst it may spend at once (429 with
     * Retry-After beyond). The burst absorbs a script submitting a batch; the rate stops a runaway.
     */
    RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(100),
    RATE_LIMIT_BURST: env.positiveInt(1000),
    /** Per-unit exceptions: `UNIT=perSecond/burst,…`, e.g. `CGI-SPOC=500/5000`. */
    RATE_LIMIT_UNITS: rateLimitOverrides,
    /** The SPOC's unit: told of every deadline warning and escalation (SPEC §7). */
    SPOC_UNIT: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/, 'must be a unit id such as CGI-SPOC')
      .default('CGI-SPOC'),
    /** Time between the comment lines that keep an event stream open (SPEC §7: 15 s). */
    EVENTS_HEARTBEAT_MS: env.positiveInt(15_000),
    /** Partitions of one topic the intake's consumers handle at once. */
    CONSUMER_CONCURRENCY: env.positiveInt(3),
    /** Hosts partner endpoints may use although private, loopback or cleartext (README "Partner endpoints"). */
    PARTNER_ALLOWED_HOSTS: z.string().optional(),
    /** Repeated refusals of one caller on one resource within this window make one entry with a count. */
    DENIAL_WINDOW_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
    /**
     * Data-protection reviews (SPEC §10): the first at most 6 months after an exchange ended
     * (REVIEW_FIRST_DAYS, ≤ 183), then every REVIEW_EVERY_DAYS after the last review.
     */
    REVIEW_FIRST_DAYS: z.coerce
      .number()
      .int()
      .min(1)
      .max(183, 'must be at most 183: the first review is due at most 6 months after an exchange ends')
      .default(180),
    REVIEW_EVERY_DAYS: env.positiveInt(365),
    /** The built operator console (default: dist/console beside the compiled services). */
    CONSOLE_DIR: z.string().min(1).optional(),
  })
  .superRefine(checkServiceConfig)
  .superRefine((value, ctx) => {
    const asymmetric = value.JWT_ALGORITHMS.some((a) => a !== 'HS256');
    if (asymmetric && value.JWT_ALGORITHMS.includes('HS256')) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ALGORITHMS'],
        message: 'HS256 cannot be combined with RS256/ES256',
      });
    }
    if (asymmetric && Boolean(value.JWT_JWKS_FILE) === Boolean(value.JWT_JWKS_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_JWKS_FILE'],
        message: 'RS256/ES256 need exactly one of JWT_JWKS_FILE or JWT_JWKS_URL',
      });
    }
    if (!asymmetric && (value.JWT_JWKS_FILE || value.JWT_JWKS_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ALGORITHMS'],
        message: 'a JWKS is given: set JWT_ALGORITHMS to RS256 and/or ES256',
      });
    }
  });
export type IntakeConfig = z.infer<typeof intakeConfigSchema>;
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');

/** What the intake falls back to outside production mode (refused in it: SPEC §6). */
export function intakeDevelopmentDefaults(
  config: IntakeConfig,
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault[] {
  return [
    {
      setting: 'JWT_SECRET or JWT_JWKS_URL',
      applies: config.JWT_ALGORITHMS.includes('HS256') && config.JWT_SECRET === DEV_SECRET,
      what: 'the development token secret published in the repository',
    },
    serviceDatabaseDefault('intake', environment),
    dataKeyMasterDevelopmentDefault(environment),
  ];
}
