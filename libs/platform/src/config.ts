import { z } from 'zod';

/** Thrown at boot when the environment does not satisfy an app's config schema. */
export class ConfigError extends Error {
  readonly code = 'CONFIG.INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against an app's schema. Each problem names the
 * variable (never its value: it may be a secret), so a missing or malformed setting fails the boot
 * with one readable line.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      // Never the value: a misconfigured secret would be printed in full at boot.
      const name = issue.path.join('.') || '(environment)';
      return `${name}: ${issue.message}`;
    }),
  );
}

/** Reusable env fields. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  brokers: () =>
    z
      .string()
      .min(1)
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port[,host:port...]')).min(1)),
  /** The services' default is the login role that `npm run migrate` creates for them (README). */
  /** The local development database, as the service's own login. */
  databaseUrl: (login: string) =>
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .default(`postgres://${login}@127.0.0.1:5432/ixr`),
  /** A service's own connection (INTAKE_DATABASE_URL, …): wins over DATABASE_URL, so one environment holds all. */
  serviceDatabaseUrl: () =>
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
      .optional(),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SPEC §10: 32 random bytes, base64 (`openssl rand -base64 32`); the development key when unset. */
  dataKeyMaster: () =>
    z
      .string()
      .refine(
        (s) => /^[A-Za-z0-9+/_-]+=*$/.test(s) && Buffer.from(s, 'base64').length === 32,
        'expected 32 random bytes, base64-encoded (openssl rand -base64 32)',
      )
      .optional(),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
};
