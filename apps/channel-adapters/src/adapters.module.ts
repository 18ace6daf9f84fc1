import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@ixr/messaging';
import { Clock, IdGenerator } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import { AdapterRegistry, createAdapterRegistry } from './adapters/adapter.registry';
import { PartnerHttpClient } from './adapters/partner-http.client';
import { AdaptersController } from './adapters.controller';
import { DeliverUseCase, DeliveryPolicy } from './deliver.usecase';

export interface AdaptersModuleOptions {
  infra: Infrastructure;
  partner: { baseUrl: string; timeoutMs: number };
  maxAttempts: number;
}

@Module({})
export class AdaptersModule {
  static forRoot(options: AdaptersModuleOptions): DynamicModule {
    if (!options.infra.relay) throw new Error('the channel adapters need an outbox relay');
    const clock = new Clock();
    return {
      module: AdaptersModule,
      controllers: [AdaptersController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: Clock, useValue: clock },
        {
          provide: AdapterRegistry,
          useValue: createAdapterRegistry(
            new PartnerHttpClient(options.partner),
            options.infra.dataSource,
            clock,
          ),
        },
        { provide: DeliveryPolicy, useValue: new DeliveryPolicy(options.maxAttempts) },
        IdGenerator,
        DeliverUseCase,
      ],
    };
  }
}
