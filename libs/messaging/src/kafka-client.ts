import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  /** TLS towards the brokers; `true` uses the system's CAs. */
  ssl?: boolean;
  sasl?: { mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'; username: string; password: string };
}

/**
 * The only place that constructs the Kafka client library: swapping kafkajs for another
 * client means changing this file, the transport and the publisher — nothing in the apps.
 */
export function createKafka(options: KafkaConnectionOptions, logger: Logger): Kafka {
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
