import { z } from 'zod';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_SECRET } from '@ixr/auth';
import { checkKafkaSecurityEnv, kafkaSecurityEnv } from '@ixr/messaging';
import { env } from '@ixr/platform';

export const intakeConfigSchema = z
  .object({
    PORT: env.port(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: env.databaseUrl(),
    DB_POOL_SIZE: env.positiveInt(10),
    KAFKA_BROKERS: env.brokers(),
    ...kafkaSecurityEnv,
    LOG_LEVEL: env.logLevel(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_SECRET),
    JWT_ISSUER: z.string().min(1).default(DEV_ISSUER),
    JWT_AUDIENCE: z.string().min(1).default(DEV_AUDIENCE),
    /** Largest accepted request body, in bytes (413 beyond). */
    BODY_LIMIT_BYTES: env.positiveInt(256 * 1024),
    RULESET_REFRESH_MS: env.positiveInt(2000),
  })
  .superRefine(checkKafkaSecurityEnv);
export type IntakeConfig = z.infer<typeof intakeConfigSchema>;
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');
