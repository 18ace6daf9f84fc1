import { z } from 'zod';
import { checkKafkaSecurityEnv, kafkaSecurityEnv } from '@ixr/messaging';
import { env } from '@ixr/platform';

export const adaptersConfigSchema = z
  .object({
    PORT: env.port(3002),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: env.databaseUrl(),
    DB_POOL_SIZE: env.positiveInt(10),
    KAFKA_BROKERS: env.brokers(),
    ...kafkaSecurityEnv,
    LOG_LEVEL: env.logLevel(),
    /** Where the foreign partners answer; locally, the partner simulator. */
    PARTNER_BASE_URL: z.url({ message: 'must be an http(s) URL' }).default('http://127.0.0.1:3100'),
    PARTNER_TIMEOUT_MS: env.positiveInt(5000),
    DELIVERY_MAX_ATTEMPTS: env.positiveInt(5),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
  })
  .superRefine(checkKafkaSecurityEnv);
export type AdaptersConfig = z.infer<typeof adaptersConfigSchema>;
