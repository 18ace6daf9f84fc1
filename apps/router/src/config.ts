import { z } from 'zod';
import { checkKafkaSecurityEnv, kafkaSecurityEnv } from '@ixr/messaging';
import {
  databaseDevelopmentDefault,
  dataKeyMasterDevelopmentDefault,
  type DevelopmentDefault,
  env,
} from '@ixr/platform';

export const routerConfigSchema = z
  .object({
    PORT: env.port(3001),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: env.databaseUrl(),
    SERVICE_DATABASE_URL: env.serviceDatabaseUrl(),
    DATA_KEY_MASTER: env.dataKeyMaster(),
    DB_POOL_SIZE: env.positiveInt(10),
    KAFKA_BROKERS: env.brokers(),
    ...kafkaSecurityEnv,
    LOG_LEVEL: env.logLevel(),
    /** The SPOC's unit id (SPEC §4.1.6): every other unit's request is copied to it. */
    SPOC_UNIT: z
      .string()
      .regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/)
      .default('CGI-SPOC'),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
    /** How often the active rule set and directory are re-read (an activation applies within this). */
    RULESET_REFRESH_MS: env.positiveInt(2000),
    /** How often due deadline milestones are looked for. */
    DEADLINE_SCAN_MS: env.positiveInt(1000),
    /** How often the circuit states shared by the channel adapters are re-read. */
    CIRCUIT_REFRESH_MS: env.positiveInt(500),
    /** A circuit state not re-stamped for this long belongs to a dead adapter and is ignored. */
    CIRCUIT_STALE_MS: env.positiveInt(10000),
  })
  .superRefine(checkKafkaSecurityEnv);
export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** What the router falls back to outside production mode (refused in it: SPEC §6). */
export function routerDevelopmentDefaults(
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault[] {
  return [databaseDevelopmentDefault(environment), dataKeyMasterDevelopmentDefault(environment)];
}
