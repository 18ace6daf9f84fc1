import { z } from 'zod';
import { checkKafkaSecurityEnv, kafkaSecurityEnv } from '@ixr/messaging';
import { env } from '@ixr/platform';

export const exchangeLogConfigSchema = z
  .object({
    PORT: env.port(3003),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: env.databaseUrl(),
    DB_POOL_SIZE: env.positiveInt(5),
    KAFKA_BROKERS: env.brokers(),
    ...kafkaSecurityEnv,
    LOG_LEVEL: env.logLevel(),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
  })
  .superRefine(checkKafkaSecurityEnv);
export type ExchangeLogConfig = z.infer<typeof exchangeLogConfigSchema>;
