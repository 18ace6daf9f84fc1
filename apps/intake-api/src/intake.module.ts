import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TokenVerifier } from '@ixr/auth';
import { OutboxRelay } from '@ixr/messaging';
import { DataKeyVault, RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import type { PartnerAddressPolicy } from '@ixr/routing';
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
import { EVENT_STREAM_HUB, type EventStreamHub } from './work/event-stream.hub';
import { EventTickets } from './work/event-tickets';
import { InboxService } from './work/inbox.service';
import { RequestListService } from './work/request-list.service';
import { EventsController, InboxController, QueueController } from './work/work.controllers';
import {
  DEADLINE_POLICY,
  SubmitRequestUseCase,
  type DeadlinePolicy,
} from './requests/submit-request.usecase';

export interface IntakeModuleOptions {
  infra: Infrastructure;
  verifier: TokenVerifier;
  rateLimiter: RateLimiter;
  deadlines: DeadlinePolicy;
  routingConfig: RoutingConfigStore;
  events: EventStreamHub;
  partnerAddresses: PartnerAddressPolicy;
  denialWindowMs?: number;
  /** When data-protection reviews fall due (SPEC §10). */
  reviews: ReviewSchedule;
}

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
  static forRoot(options: IntakeModuleOptions): DynamicModule {
    if (!options.infra.relay) throw new Error('the intake API needs an outbox relay');
    const audit = auditApi();
    const controllers = [
      ...API_CONTROLLERS,
      ...audit.controllers.filter((c) => !API_CONTROLLERS.includes(c)),
    ];
    const document = buildOpenApiDocument(controllers, {
      version: API_VERSION,
      tokenAlgorithms: options.verifier.algorithms,
    });
    return {
      module: IntakeModule,
      controllers,
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: DataKeyVault, useValue: options.infra.dataKeys },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: TokenVerifier, useValue: options.verifier },
        { provide: DEADLINE_POLICY, useValue: options.deadlines },
        { provide: RoutingConfigStore, useValue: options.routingConfig },
        { provide: RateLimiter, useValue: options.rateLimiter },
        { provide: EVENT_STREAM_HUB, useValue: options.events },
        { provide: PARTNER_ADDRESS_POLICY, useValue: options.partnerAddresses },
        { provide: DENIAL_WINDOW_MS, useValue: options.denialWindowMs ?? 60_000 },
        { provide: APP_LOGGER, useValue: options.infra.logger },
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
        { provide: REVIEW_SCHEDULE, useValue: options.reviews },
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
