import 'reflect-metadata';
import { kafkaSecurityOptions } from '@ixr/messaging';
import { createTokenVerifier } from '@ixr/auth';
import { loadConfig } from '@ixr/platform';
import { createInfrastructure, startService } from '@ixr/runtime';
import { RateLimiter } from './auth/rate-limiter';
import { intakeConfigSchema } from './config';
import { answerFrameworkError } from './http/error.filter';
import { installHttpErrorHandling } from './http/http-setup';
import { IntakeModule } from './intake.module';
import { RoutingConfigStore } from '@ixr/persistence';
import { activeRulesetDeadlinePolicy } from './requests/deadline-policy';

async function bootstrap(): Promise<void> {
  const config = loadConfig(intakeConfigSchema);
  const infra = await createInfrastructure({
    service: 'intake-api',
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.SERVICE_DATABASE_URL ?? config.DATABASE_URL,
    dbPoolSize: config.DB_POOL_SIZE,
    kafka: { brokers: config.KAFKA_BROKERS, ...kafkaSecurityOptions(config) },
    outbox: true,
  });
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
  await startService({
    module: IntakeModule.forRoot({
      infra,
      verifier,
      rateLimiter,
      routingConfig,
      deadlines: activeRulesetDeadlinePolicy(routingConfig),
      reviews: { firstReviewDays: config.REVIEW_FIRST_DAYS, reviewEveryDays: config.REVIEW_EVERY_DAYS },
    }),
    infra,
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT_BYTES,
    frameworkErrors: answerFrameworkError,
    configure: (app) => installHttpErrorHandling(app, infra.logger),
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`intake-api failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
