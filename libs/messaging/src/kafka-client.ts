import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { fixRequestQueueTimer } from './kafkajs-request-queue.fix';

export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  /** TLS towards the brokers; `true` uses the system's CAs, an object adds a CA, a client certificate… */
  ssl?: boolean | ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/**
 * The only place that constructs the Kafka client library: swapping kafkajs for another
 * client means changing this file, the transport and the publisher — nothing in the apps.
 */
export function createKafka(options: KafkaConnectionOptions, logger: Logger): Kafka {
  fixRequestQueueTimer();
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl as SASLOptions | undefined,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        const target = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
        logger[target]({ kafka: extra }, message);
      },
  };
  return new Kafka(config);
}

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const file = z.string().min(1);

/**
 * The environment variables of Kafka client security, shared by every service's config schema so
 * that they are spelled and checked the same everywhere (README "Kafka security"). Each app
 * validates them at boot with the rest of its configuration.
 */
export const kafkaSecurityEnv = {
  /** TLS towards the brokers (implied by any KAFKA_SSL_* file). */
  KAFKA_SSL: flag.default(false),
  /** PEM file of the CA that signed the brokers' certificates (default: the system's CAs). */
  KAFKA_SSL_CA_FILE: file.optional(),
  /** Client certificate and key (PEM) for mutual TLS. */
  KAFKA_SSL_CERT_FILE: file.optional(),
  KAFKA_SSL_KEY_FILE: file.optional(),
  /** Only for a test broker with a self-signed certificate; never in production. */
  KAFKA_SSL_REJECT_UNAUTHORIZED: flag.default(true),
  KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  /** The password, or a file holding it (a mounted secret): one of the two. */
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: file.optional(),
};

type KafkaSecurityEnv = z.infer<z.ZodObject<typeof kafkaSecurityEnv>>;

/** Cross-field rules of the Kafka security variables; add to an app schema with `.superRefine`. */
export function checkKafkaSecurityEnv(value: KafkaSecurityEnv, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (value.KAFKA_SASL_MECHANISM) {
    if (!value.KAFKA_SASL_USERNAME) issue('KAFKA_SASL_USERNAME', 'required with KAFKA_SASL_MECHANISM');
    if (!value.KAFKA_SASL_PASSWORD === !value.KAFKA_SASL_PASSWORD_FILE) {
      issue('KAFKA_SASL_PASSWORD', 'give exactly one of KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
    }
    if (value.KAFKA_SASL_MECHANISM === 'plain' && !usesTls(value)) {
      issue('KAFKA_SASL_MECHANISM', 'plain sends the password in clear: it needs KAFKA_SSL=true');
    }
  } else if (value.KAFKA_SASL_USERNAME || value.KAFKA_SASL_PASSWORD || value.KAFKA_SASL_PASSWORD_FILE) {
    issue('KAFKA_SASL_MECHANISM', 'required when a SASL username or password is given');
  }
  if (Boolean(value.KAFKA_SSL_CERT_FILE) !== Boolean(value.KAFKA_SSL_KEY_FILE)) {
    issue('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  }
}

function usesTls(value: KafkaSecurityEnv): boolean {
  return (
    value.KAFKA_SSL ||
    Boolean(value.KAFKA_SSL_CA_FILE || value.KAFKA_SSL_CERT_FILE || value.KAFKA_SSL_KEY_FILE)
  );
}

/**
 * The `ssl`/`sasl` options of `createKafka` from validated variables; reads the PEM and password
 * files (at boot: a missing file stops the service with its name).
 */
export function kafkaSecurityOptions(
  value: KafkaSecurityEnv,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Pick<KafkaConnectionOptions, 'ssl' | 'sasl'> {
  const load = (variable: string, path: string): string => {
    try {
      return read(path);
    } catch (error) {
      throw new Error(`${variable}=${path}: ${(error as Error).message}`);
    }
  };
  let ssl: KafkaConnectionOptions['ssl'];
  if (usesTls(value)) {
    const tls: ConnectionOptions = { rejectUnauthorized: value.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (value.KAFKA_SSL_CA_FILE) tls.ca = [load('KAFKA_SSL_CA_FILE', value.KAFKA_SSL_CA_FILE)];
    if (value.KAFKA_SSL_CERT_FILE) tls.cert = load('KAFKA_SSL_CERT_FILE', value.KAFKA_SSL_CERT_FILE);
    if (value.KAFKA_SSL_KEY_FILE) tls.key = load('KAFKA_SSL_KEY_FILE', value.KAFKA_SSL_KEY_FILE);
    ssl = tls;
  }
  let sasl: KafkaConnectionOptions['sasl'];
  if (value.KAFKA_SASL_MECHANISM && value.KAFKA_SASL_USERNAME) {
    const password =
      value.KAFKA_SASL_PASSWORD ??
      load('KAFKA_SASL_PASSWORD_FILE', value.KAFKA_SASL_PASSWORD_FILE ?? '').replace(/\r?\n$/, '');
    sasl = { mechanism: value.KAFKA_SASL_MECHANISM, username: value.KAFKA_SASL_USERNAME, password };
  }
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}
