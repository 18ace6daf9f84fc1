import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { createTokenVerifier, TokenVerifier } from '@ixr/auth';
import { OutboxRelay } from '@ixr/messaging';
import { DataKeyVault, RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import { partnerAddressPolicy } from '@ixr/routing';
import { HTTP_SETUP, LOGGER, routingConfigProvider, serviceDatabaseUrl, type HttpSetup } from '@ixr/runtime';
import type { IntakeConfig } from './config';
import { readConsoleFiles, registerConsoleRoutes } from './console/console-files';
import { installHttpErrorHandling } from './http/http-setup';
import { activeRulesetDeadlinePolicy } from './requests/deadline-policy';
import { workConsumerProviders } from './work/work-consumers';
import { AccessRecorder, DENIAL_WINDOW_MS } from './auth/access-recorder';
import { AuditorReadsInterceptor } from './auth/auditor-reads.interceptor';
import { AuthGuard } from './auth/auth.guard';
import { RateLimiter } from './auth/rate-limiter';
import { renderDocsPage } from './docs/docs-page';
import { DOCS_PAGE, DocsController, OPENAPI_DOCUMENT } from './docs/docs.controller';
import { buildOpenApiDocument } from './docs/openapi.builder';
import { APP_LOGGER } from './http/app-logger';
import { AuditRecorder } from '@ixr/exchange-log-store';
import { AuditController } from './audit/audit.controller';
import { auditApi } from './audit/audit.providers';
import { CaseStepsController } from './cases/case-steps.controller';
import { CaseStepsService } from './cases/case-steps.service';
import { ForwardService } from './cases/forward.service';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { ChannelHealthController } from './channel-health/channel-health.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { RepliesController } from './replies/replies.controller';
import { RepliesService } from './replies/replies.service';
import { RequestViewService } from './requests/request-view.service';
import { RoutingAdminController } from './routing-admin/routing-admin.controller';
import { PARTNER_ADDRESS_POLICY, RoutingAdminService } from './routing-admin/routing-admin.service';
import { RequestsController } from './requests/requests.controller';
import { ProvisionsController } from './requests/provisions.controller';
import { StatisticsController } from './statistics/statistics.controller';
import { DataProtectionController } from './data-protection/data-protection.controller';
import {
  DataProtectionService,
  REVIEW_SCHEDULE,
  type ReviewSchedule,
} from './data-protection/data-protection.service';
import { PostgresRequestRows } from './requests/request-rows.store';
import { RequestWriter } from './requests/request-writer';
import { AssignRequestUseCase } from './work/assign-request.usecase';
import { EVENT_STREAM_HUB, EventStreamHub } from './work/event-stream.hub';
import { EventTickets } from './work/event-tickets';
import { InboxService } from './work/inbox.service';
import { RequestListService } from './work/request-list.service';
import { EventsController, InboxController, QueueController } from './work/work.controllers';
import { DEADLINE_POLICY, SubmitRequestUseCase } from './requests/submit-request.usecase';

/** The API's controllers; the OpenAPI document is built from their decorators. */
export const API_CONTROLLERS = [
  RequestsController,
  InboxController,
  QueueController,
  EventsController,
  ProvisionsController,
  RoutingAdminController,
  RepliesController,
  CaseStepsController,
  DeadLettersController,
  ChannelHealthController,
  StatisticsController,
  DataProtectionController,
  AuditController,
  DocsController,
];

/** The version of the /v1 API contract, as the OpenAPI document states it. */
export const API_VERSION = '1.0.0';

@Module({})
export class IntakeModule {
  /** `productionMode`: partner addresses are held to the allowed hosts (SPEC §6). */
  static forRoot(config: IntakeConfig, productionMode: boolean): DynamicModule {
    const verifier = createTokenVerifier({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      algorithms: config.JWT_ALGORITHMS,
      secret: config.JWT_SECRET,
      jwksFile: config.JWT_JWKS_FILE,
      jwksUrl: config.JWT_JWKS_URL,
    });
    const audit = auditApi();
    const controllers = [
      ...API_CONTROLLERS,
      ...audit.controllers.filter((c) => !API_CONTROLLERS.includes(c)),
    ];
    const document = buildOpenApiDocument(controllers, {
      version: API_VERSION,
      tokenAlgorithms: verifier.algorithms,
    });
    const rateLimit = { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST };
    return {
      module: IntakeModule,
      controllers,
      providers: [
        { provide: TokenVerifier, useValue: verifier },
        {
          provide: RateLimiter,
          useFactory: (logger: Logger) => {
            logger.info(
              { algorithms: verifier.algorithms, rateLimit },
              'token verification and rate limits configured',
            );
            return new RateLimiter(rateLimit, config.RATE_LIMIT_UNITS);
          },
          inject: [LOGGER],
        },
        routingConfigProvider({ refreshMs: config.RULESET_REFRESH_MS }),
        {
          provide: DEADLINE_POLICY,
          useFactory: (routing: RoutingConfigStore) => activeRulesetDeadlinePolicy(routing),
          inject: [RoutingConfigStore],
        },
        {
          provide: EVENT_STREAM_HUB,
          useFactory: (dataSource: DataSource, logger: Logger) =>
            new EventStreamHub(dataSource, {
              connectionString: serviceDatabaseUrl('intake', config),
              heartbeatMs: config.EVENTS_HEARTBEAT_MS,
              logger,
            }),
          inject: [DataSource, LOGGER],
        },
        ...workConsumerProviders({ spocUnit: config.SPOC_UNIT, concurrency: config.CONSUMER_CONCURRENCY }),
        {
          provide: HTTP_SETUP,
          useFactory:
            (logger: Logger): HttpSetup =>
            (app) => {
              installHttpErrorHandling(app, logger);
              // The operator console (SPEC §11), built by `npm run build` next to the compiled services.
              const consoleDir = config.CONSOLE_DIR ?? join(__dirname, '..', '..', '..', 'console');
              const consoleFiles = readConsoleFiles(consoleDir);
              if (consoleFiles.size === 0)
                logger.warn({ consoleDir }, 'the console is not built: /console/ answers 404');
              registerConsoleRoutes(app.getHttpAdapter().getInstance(), consoleFiles);
            },
          inject: [LOGGER],
        },
        {
          provide: PARTNER_ADDRESS_POLICY,
          useValue: partnerAddressPolicy(config.PARTNER_ALLOWED_HOSTS, productionMode),
        },
        { provide: DENIAL_WINDOW_MS, useValue: config.DENIAL_WINDOW_MS },
        { provide: APP_LOGGER, useExisting: LOGGER },
        { provide: OPENAPI_DOCUMENT, useValue: document },
        { provide: DOCS_PAGE, useValue: renderDocsPage(document) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditorReadsInterceptor },
        AccessRecorder,
        Clock,
        IdGenerator,
        {
          provide: RequestWriter,
          useFactory: (dataSource: DataSource, relay: OutboxRelay, dataKeys: DataKeyVault) =>
            new RequestWriter(new PostgresRequestRows(dataSource, dataKeys), relay),
          inject: [DataSource, OutboxRelay, DataKeyVault],
        },
        SubmitRequestUseCase,
        RequestViewService,
        AuditRecorder,
        RoutingAdminService,
        ...audit.providers,
        RepliesService,
        CaseStepsService,
        ForwardService,
        DeadLettersService,
        RequestListService,
        InboxService,
        AssignRequestUseCase,
        EventTickets,
        {
          provide: REVIEW_SCHEDULE,
          useValue: { firstReviewDays: config.REVIEW_FIRST_DAYS, reviewEveryDays: config.REVIEW_EVERY_DAYS },
        },
        {
          provide: DataProtectionService,
          useFactory: (
            dataSource: DataSource,
            audit: AuditRecorder,
            clock: Clock,
            ids: IdGenerator,
            schedule: ReviewSchedule,
          ) => new DataProtectionService(dataSource, audit, clock, ids, schedule),
          inject: [DataSource, AuditRecorder, Clock, IdGenerator, REVIEW_SCHEDULE],
        },
      ],
    };
  }
}
