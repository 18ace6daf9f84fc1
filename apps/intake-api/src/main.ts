import 'reflect-metadata';
import { KafkaTransport, kafkaSecurityOptions, type EventEnvelope } from '@ixr/messaging';
import { createTokenVerifier } from '@ixr/auth';
import { checkDevelopmentDefaults, isProductionMode, loadConfig, withSecretFiles } from '@ixr/platform';
import { partnerAddressPolicy } from '@ixr/routing';
import { createInfrastructure, serviceDatabaseUrl, startService } from '@ixr/runtime';
import { RateLimiter } from './auth/rate-limiter';
import { auditDevelopmentDefaults } from '@ixr/exchange-log-store';
import { DeadLetterRecorder } from './dead-letters/dead-letter.recorder';
import { intakeConfigSchema, intakeDevelopmentDefaults } from './config';
import { answerFrameworkError } from './http/error.filter';
import { installHttpErrorHandling } from './http/http-setup';
import { readConsoleFiles, registerConsoleRoutes } from './console/console-files';
import { join } from 'node:path';
import { IntakeModule } from './intake.module';
import { RoutingConfigStore } from '@ixr/persistence';
import { activeRulesetDeadlinePolicy } from './requests/deadline-policy';
import { EventStreamHub } from './work/event-stream.hub';
import { WorkProjector } from './work/work-projector';

async function bootstrap(): Promise<void> {
  const environment = withSecretFiles(['JWT_SECRET', 'DATA_KEY_MASTER']);
  const config = loadConfig(intakeConfigSchema, environment);
  const developmentDefaults = checkDevelopmentDefaults('intake-api', [
    ...intakeDevelopmentDefaults(config, environment),
    ...auditDevelopmentDefaults(),
  ]);
  const infra = await createInfrastructure({
    service: 'intake-api',
    logLevel: config.LOG_LEVEL,
    databaseUrl: serviceDatabaseUrl('intake', config),
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
    dataKeys: { master: config.DATA_KEY_MASTER, createsKeys: true },
  });
  for (const line of developmentDefaults) infra.logger.warn(line);
  const verifier = createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms: config.JWT_ALGORITHMS,
    secret: config.JWT_SECRET,
    jwksFile: config.JWT_JWKS_FILE,
    jwksUrl: config.JWT_JWKS_URL,
  });
  const rateLimiter = new RateLimiter(
    { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST },
    config.RATE_LIMIT_UNITS,
  );
  infra.logger.info(
    {
      algorithms: verifier.algorithms,
      rateLimit: { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST },
    },
    'token verification and rate limits configured',
  );
  const routingConfig = new RoutingConfigStore(infra.dataSource);
  await routingConfig.refresh();
  routingConfig.startRefreshing(config.RULESET_REFRESH_MS, (error) =>
    infra.logger.error({ err: error }, 'could not refresh the rule set; keeping the previous one'),
  );
  // The work surfaces (SPEC §7) follow the pipeline's events. The handlers are attached to the
  // transport directly rather than as @EventPattern methods: the API's global guard, interceptor
  // and error filter are HTTP's and must not see Kafka events.
  const projector = new WorkProjector(infra.dataSource, infra.logger, { spocUnit: config.SPOC_UNIT });
  const transport = new KafkaTransport({
    kafka: infra.kafka,
    groupId: 'ixr-intake',
    publisher: infra.publisher,
    logger: infra.logger,
    registry: infra.registry,
    source: 'ixr/intake-api',
    partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
    personalData: { mode: 'sealed' },
  });
  const deadLetters = new DeadLetterRecorder(infra.dataSource);
  for (const [topic, handle, extras] of [...projector.handlers(), ...deadLetters.handlers()]) {
    transport.addHandler(topic, (event: EventEnvelope) => handle(event), true, extras);
  }
  const events = new EventStreamHub(infra.dataSource, {
    connectionString: serviceDatabaseUrl('intake', config),
    heartbeatMs: config.EVENTS_HEARTBEAT_MS,
    logger: infra.logger,
  });
  await events.start();
  await startService({
    module: IntakeModule.forRoot({
      infra,
      verifier,
      rateLimiter,
      routingConfig,
      denialWindowMs: config.DENIAL_WINDOW_MS,
      partnerAddresses: partnerAddressPolicy(config.PARTNER_ALLOWED_HOSTS, isProductionMode(environment)),
      deadlines: activeRulesetDeadlinePolicy(routingConfig),
      events,
      reviews: { firstReviewDays: config.REVIEW_FIRST_DAYS, reviewEveryDays: config.REVIEW_EVERY_DAYS },
    }),
    infra,
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT_BYTES,
    frameworkErrors: answerFrameworkError,
    configure: (app) => {
      installHttpErrorHandling(app, infra.logger);
      // The operator console (SPEC §11), built by `npm run build` next to the compiled services.
      const consoleDir = config.CONSOLE_DIR ?? join(__dirname, '..', '..', '..', 'console');
      const consoleFiles = readConsoleFiles(consoleDir);
      if (consoleFiles.size === 0)
        infra.logger.warn({ consoleDir }, 'the console is not built: /console/ answers 404');
      registerConsoleRoutes(app.getHttpAdapter().getInstance(), consoleFiles);
    },
    extraIndicators: [
      {
        name: 'consumers',
        check: () =>
          transport.isReady()
            ? Promise.resolve()
            : Promise.reject(new Error('Kafka consumers have not joined their groups')),
      },
    ],
    onStarted: () =>
      transport.listen((error) => {
        if (error) infra.logger.error({ err: error }, 'the work-surface consumers could not start');
      }),
    onStopping: async () => {
      await events.stop();
      await transport.close();
    },
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`intake-api failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
