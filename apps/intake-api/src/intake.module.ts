import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TokenVerifier } from '@ixr/auth';
import { OutboxRelay } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import { AccessRecorder } from './auth/access-recorder';
import { AuditorReadsInterceptor } from './auth/auditor-reads.interceptor';
import { AuthGuard } from './auth/auth.guard';
import { RateLimiter } from './auth/rate-limiter';
import { APP_LOGGER } from './http/app-logger';
import { AuditRecorder } from './audit/audit-recorder';
import { RequestViewService } from './requests/request-view.service';
import { RoutingAdminController } from './routing-admin/routing-admin.controller';
import { RoutingAdminService } from './routing-admin/routing-admin.service';
import { RequestsController } from './requests/requests.controller';
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
}

@Module({})
export class IntakeModule {
  static forRoot(options: IntakeModuleOptions): DynamicModule {
    if (!options.infra.relay) throw new Error('the intake API needs an outbox relay');
    return {
      module: IntakeModule,
      controllers: [RequestsController, RoutingAdminController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: TokenVerifier, useValue: options.verifier },
        { provide: DEADLINE_POLICY, useValue: options.deadlines },
        { provide: RoutingConfigStore, useValue: options.routingConfig },
        { provide: RateLimiter, useValue: options.rateLimiter },
        { provide: APP_LOGGER, useValue: options.infra.logger },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditorReadsInterceptor },
        AccessRecorder,
        Clock,
        IdGenerator,
        SubmitRequestUseCase,
        RequestViewService,
        AuditRecorder,
        RoutingAdminService,
      ],
    };
  }
}
