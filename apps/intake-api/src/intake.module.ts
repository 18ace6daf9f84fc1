import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { TokenVerifier } from '@ixr/auth';
import { OutboxRelay } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import { Clock, IdGenerator } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import { AuthGuard } from './auth/auth.guard';
import { AuditRecorder } from './audit/audit-recorder';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { RepliesController } from './replies/replies.controller';
import { RepliesService } from './replies/replies.service';
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
  deadlines: DeadlinePolicy;
  routingConfig: RoutingConfigStore;
}

@Module({})
export class IntakeModule {
  static forRoot(options: IntakeModuleOptions): DynamicModule {
    if (!options.infra.relay) throw new Error('the intake API needs an outbox relay');
    return {
      module: IntakeModule,
      controllers: [RequestsController, RoutingAdminController, RepliesController, DeadLettersController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: TokenVerifier, useValue: options.verifier },
        { provide: DEADLINE_POLICY, useValue: options.deadlines },
        { provide: RoutingConfigStore, useValue: options.routingConfig },
        { provide: APP_GUARD, useClass: AuthGuard },
        Clock,
        IdGenerator,
        SubmitRequestUseCase,
        RequestViewService,
        AuditRecorder,
        RoutingAdminService,
        RepliesService,
        DeadLettersService,
      ],
    };
  }
}
