import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { loadSignerKey } from '@ixr/exchange-log';
import { isDependencyUnavailable } from '@ixr/messaging';
import { Clock } from '@ixr/platform';
import {
  BACKGROUND_WORK,
  HEALTH_INDICATORS,
  HTTP_SETUP,
  LOGGER,
  METRICS_REGISTRY,
  serviceTransportProvider,
  type BackgroundWork,
  type HttpSetup,
} from '@ixr/runtime';
import {
  CheckpointScheduler,
  CheckpointSigner,
  checkpointFileAt,
  LOG_WRITER_OPTIONS,
  LogIntegrity,
  LogIntegrityError,
  LogWriter,
  nodeKeyFiles,
} from '@ixr/exchange-log-store';
import type { ExchangeLogConfig } from './config';
import { DispatchReleaser } from './dispatch-releaser';
import { LogController } from './log.controller';
import { registerLogRoutes } from './log-http';

/** Resolved once the verifier key is published where the audit tools look for it. */
const VERIFIER_KEY_PUBLISHED = Symbol('VERIFIER_KEY_PUBLISHED');

@Module({})
export class ExchangeLogModule {
  /**
   * Reads the signing key at once (called in main.ts before any connection): a configured key
   * that cannot be read stops the boot, naming the setting.
   */
  static forRoot(config: ExchangeLogConfig): DynamicModule {
    const key = loadSignerKey(
      {
        setting: 'LOG_SIGNING_KEY',
        inline: config.LOG_SIGNING_KEY,
        file: config.LOG_SIGNING_KEY_FILE,
        devFile: config.LOG_DEV_KEY_FILE,
        name: config.LOG_ORIGIN,
      },
      nodeKeyFiles,
    );
    return {
      module: ExchangeLogModule,
      controllers: [LogController],
      providers: [
        {
          provide: CheckpointSigner,
          useValue: new CheckpointSigner(config.LOG_ORIGIN, key.signer, key.verifierKey),
        },
        {
          // Published where the audit tools look for it when they were given no key of their own.
          provide: VERIFIER_KEY_PUBLISHED,
          useFactory: (dataSource: DataSource) =>
            dataSource.query('INSERT INTO exchange_log_keys (vkey) VALUES ($1) ON CONFLICT DO NOTHING', [
              key.verifierKey,
            ]),
          inject: [DataSource],
        },
        {
          provide: LogIntegrity,
          useFactory: (logger: Logger, registry: Registry) =>
            new LogIntegrity(
              logger,
              registry,
              config.LOG_CHECKPOINT_FILE === undefined
                ? undefined
                : checkpointFileAt(config.LOG_CHECKPOINT_FILE),
            ),
          inject: [LOGGER, METRICS_REGISTRY],
        },
        {
          provide: LOG_WRITER_OPTIONS,
          useFactory: (integrity: LogIntegrity) => ({ checkpointEvery: config.CHECKPOINT_EVERY, integrity }),
          inject: [LogIntegrity],
        },
        serviceTransportProvider(() => ({
          // A stopped writer (store behind its checkpoint) is a dependency away: events wait, none is dead-lettered.
          isTransient: (error) => error instanceof LogIntegrityError || isDependencyUnavailable(error),
          groupId: 'ixr-exchange-log',
          source: 'ixr/exchange-log',
          partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
          personalData: { mode: 'sealed' },
        })),
        {
          provide: HEALTH_INDICATORS,
          useFactory: (integrity: LogIntegrity) => [
            {
              name: 'log-integrity',
              check: () => {
                const problem = integrity.problem();
                return problem ? Promise.reject(problem) : Promise.resolve();
              },
            },
          ],
          inject: [LogIntegrity],
        },
        {
          provide: HTTP_SETUP,
          useFactory:
            (dataSource: DataSource): HttpSetup =>
            (app) =>
              registerLogRoutes(app.getHttpAdapter().getInstance(), dataSource, key.verifierKey),
          inject: [DataSource],
        },
        {
          provide: BACKGROUND_WORK,
          useFactory: (writer: LogWriter, logger: Logger): BackgroundWork[] => {
            const scheduler = new CheckpointScheduler(writer, config.CHECKPOINT_INTERVAL_MS, logger);
            return [
              {
                // Before any event is taken: a store found behind its checkpoint stops the writer at once.
                start: () =>
                  writer.verifyStore().catch((error: unknown) => {
                    if (!(error instanceof LogIntegrityError)) throw error;
                  }),
                stop: () => Promise.resolve(),
              },
              { start: () => scheduler.start(), stop: async () => scheduler.stop() },
            ];
          },
          inject: [LogWriter, LOGGER],
        },
        Clock,
        LogWriter,
        DispatchReleaser,
      ],
    };
  }
}
