import { z } from 'zod';
import { dataKeyMasterDevelopmentDefault, type DevelopmentDefault, env } from '@ixr/platform';
import { checkServiceConfig, serviceConfigShape, serviceDatabaseDefault } from '@ixr/runtime';

export const routerConfigSchema = z
  .object({
    ...serviceConfigShape('router', { port: 3001 }),
    /** The SPOC's unit id (SPEC §4.1.6): every other unit's request is copied to it. */
    SPOC_UNIT: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/)
      .default('CGI-SPOC'),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
    /**
     * The rule set and directory are re-read when the database announces a change (LISTEN/NOTIFY);
     * this is the safety net's interval, for a notification lost with its connection.
     */
    RULESET_REFRESH_MS: env.positiveInt(60_000),
    /**
     * The longest the deadline monitor sleeps: it wakes when the next milestone is due, or when the
     * database announces milestones added or moved (LISTEN/NOTIFY); this is the safety net's
     * interval, for a notification lost with its connection.
     */
    DEADLINE_SCAN_MS: env.positiveInt(30_000),
    /** A circuit state not re-announced for this long belongs to a dead adapter and is ignored. */
    CIRCUIT_STALE_MS: env.positiveInt(10000),
  })
  .superRefine(checkServiceConfig);
export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** What the router falls back to outside production mode (refused in it: SPEC §6). */
export function routerDevelopmentDefaults(
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault[] {
  return [serviceDatabaseDefault('router', environment), dataKeyMasterDevelopmentDefault(environment)];
}
