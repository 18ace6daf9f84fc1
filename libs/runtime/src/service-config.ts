import { z } from 'zod';
import { checkKafkaSecurityEnv, kafkaSecurityEnv, kafkaSecurityOptions } from '@ixr/messaging';
import { SERVICE_DATABASE_URL_VARIABLES, SERVICE_LOGINS, type OwningService } from '@ixr/persistence';
import { databaseDevelopmentDefault, env, type DevelopmentDefault } from '@ixr/platform';

import type { InfrastructureOptions } from './infrastructure';

type UrlVariable<S extends OwningService> = (typeof SERVICE_DATABASE_URL_VARIABLES)[S];

/**
 * The base of every app's configuration schema: where it listens and how much it logs. Services
 * with a database and Kafka extend `serviceConfigShape`, which starts from this; the partner
 * simulator, which has neither, extends this one.
 */
export function baseConfigShape(defaults: { port: number }) {
  return {
    PORT: env.port(defaults.port),
    HOST: z.string().default('127.0.0.1'),
    LOG_LEVEL: env.logLevel(),
  };
}

/**
 * The base configuration of every service with a database and Kafka, which each app's schema
 * extends with its own settings: where it listens, its own database login (INTAKE_DATABASE_URL,
 * ROUTER_DATABASE_URL, … — README "Database logins" — else DATABASE_URL, else the local
 * development database as its login), the master key of the data keys (DATA_KEY_MASTER), its pool, the brokers and their security, the log level.
 * Finish the app's schema with `.superRefine(checkServiceConfig)`.
 */
export function serviceConfigShape<S extends OwningService>(
  service: S,
  defaults: { port: number; dbPoolSize?: number },
) {
  const ownLogin = { [SERVICE_DATABASE_URL_VARIABLES[service]]: env.serviceDatabaseUrl() } as Record<
    UrlVariable<S>,
    ReturnType<typeof env.serviceDatabaseUrl>
  >;
  return {
    ...baseConfigShape(defaults),
    DATABASE_URL: env.databaseUrl(SERVICE_LOGINS[service]),
    ...ownLogin,
    /** Wraps the per-request data keys of personal data (SPEC §10); the same in every service. */
    DATA_KEY_MASTER: env.dataKeyMaster(),
    DB_POOL_SIZE: env.positiveInt(defaults.dbPoolSize ?? 10),
    KAFKA_BROKERS: env.brokers(),
    ...kafkaSecurityEnv,
  };
}

/** The checks across settings of the base configuration (Kafka TLS and SASL go together). */
export const checkServiceConfig = checkKafkaSecurityEnv;

/** The connection a service uses: its own variable, else DATABASE_URL (with its development default). */
export function serviceDatabaseUrl(
  service: OwningService,
  config: { DATABASE_URL: string } & Partial<Record<string, unknown>>,
): string {
  const own = config[SERVICE_DATABASE_URL_VARIABLES[service]];
  return typeof own === 'string' ? own : config.DATABASE_URL;
}

/** The development default of the base configuration: the local database (refused in production mode). */
export function serviceDatabaseDefault(
  service: OwningService,
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault {
  return databaseDevelopmentDefault(
    environment,
    SERVICE_DATABASE_URL_VARIABLES[service],
    SERVICE_LOGINS[service],
  );
}

/** The settings of the base configuration that `startService` connects with. */
export type ServiceConfig = {
  LOG_LEVEL: string;
  DATABASE_URL: string;
  DATA_KEY_MASTER?: string;
  DB_POOL_SIZE: number;
  KAFKA_BROKERS: string[];
} & Parameters<typeof kafkaSecurityOptions>[0] &
  Partial<Record<string, unknown>>;

/**
 * The infrastructure of a service from its validated configuration: its own database login, its
 * pool, the brokers and their security, the data keys' master key.
 */
export function serviceInfrastructure(
  app: string,
  service: OwningService,
  config: ServiceConfig,
  parts: { outbox: boolean; createsDataKeys: boolean },
): InfrastructureOptions {
  return {
    service: app,
    logLevel: config.LOG_LEVEL,
    databaseUrl: serviceDatabaseUrl(service, config),
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: parts.outbox,
    dataKeys: { master: config.DATA_KEY_MASTER, createsKeys: parts.createsDataKeys },
  };
}
