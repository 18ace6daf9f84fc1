import { Module, type DynamicModule } from '@nestjs/common';
import { DEFAULT_RETRY_POLICY } from '@ixr/messaging';
import { RoutingConfigStore } from '@ixr/persistence';
import {
  BACKGROUND_WORK,
  HTTP_SETUP,
  INFRASTRUCTURE,
  openPersonalData,
  routingConfigProvider,
  serviceTransportProvider,
  type BackgroundWork,
  type HttpSetup,
  type Infrastructure,
} from '@ixr/runtime';
import { AdaptersController } from './adapters.controller';
import { wireAdapters, type AdapterParts } from './adapters.wiring';
import type { AdaptersConfig } from './config';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { registerInboundRoutes } from './inbound/inbound.routes';
import { SendReplyUseCase } from './replies/send-reply.usecase';

/** The adapters' parts, built together by `wireAdapters` (their breakers and client refer to each other). */
const ADAPTER_PARTS = Symbol('ADAPTER_PARTS');

@Module({})
export class AdaptersModule {
  static forRoot(config: AdaptersConfig): DynamicModule {
    return {
      module: AdaptersModule,
      controllers: [AdaptersController],
      providers: [
        serviceTransportProvider((infra) => ({
          groupId: 'ixr-channel-adapters',
          source: 'ixr/channel-adapters',
          partitionsConsumedConcurrently: config.CONSUMER_CONCURRENCY,
          personalData: openPersonalData(infra),
          // The quick attempts; after them a send is parked (see GuardedSend), never dead-lettered at once.
          retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: config.DELIVERY_MAX_ATTEMPTS },
        })),
        // The directory names each partner's endpoint; read at every partner call, so edits apply at once.
        routingConfigProvider({}),
        {
          provide: ADAPTER_PARTS,
          useFactory: (infra: Infrastructure, directories: RoutingConfigStore) =>
            wireAdapters(config, infra, directories),
          inject: [INFRASTRUCTURE, RoutingConfigStore],
        },
        {
          provide: DeliverUseCase,
          useFactory: (parts: AdapterParts) => parts.deliver,
          inject: [ADAPTER_PARTS],
        },
        {
          provide: SendReplyUseCase,
          useFactory: (parts: AdapterParts) => parts.replies,
          inject: [ADAPTER_PARTS],
        },
        {
          provide: HTTP_SETUP,
          useFactory:
            (parts: AdapterParts, infra: Infrastructure): HttpSetup =>
            (app) =>
              registerInboundRoutes(
                app.getHttpAdapter().getInstance(),
                parts.inbound,
                infra.logger,
                infra.registry,
              ),
          inject: [ADAPTER_PARTS, INFRASTRUCTURE],
        },
        {
          provide: BACKGROUND_WORK,
          useFactory: (parts: AdapterParts): BackgroundWork[] => [parts.background],
          inject: [ADAPTER_PARTS],
        },
      ],
    };
  }
}
