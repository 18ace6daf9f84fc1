import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@ixr/messaging';
import type { Infrastructure } from '@ixr/runtime';
import { DispatchReleaser } from './dispatch-releaser';
import { LogController } from './log.controller';
import { LogWriter } from './log-writer';

@Module({})
export class ExchangeLogModule {
  static forRoot(options: { infra: Infrastructure }): DynamicModule {
    if (!options.infra.relay) throw new Error('the exchange log needs an outbox relay to release deliveries');
    return {
      module: ExchangeLogModule,
      controllers: [LogController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        LogWriter,
        DispatchReleaser,
      ],
    };
  }
}
