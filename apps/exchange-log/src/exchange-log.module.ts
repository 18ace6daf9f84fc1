import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@ixr/messaging';
import { Clock } from '@ixr/platform';
import type { Infrastructure } from '@ixr/runtime';
import {
  CheckpointSigner,
  LOG_WRITER_OPTIONS,
  LogWriter,
  type LogWriterOptions,
} from '@ixr/exchange-log-store';
import { DispatchReleaser } from './dispatch-releaser';
import { LogController } from './log.controller';

@Module({})
export class ExchangeLogModule {
  static forRoot(options: {
    infra: Infrastructure;
    signer: CheckpointSigner;
    writer: LogWriterOptions;
  }): DynamicModule {
    if (!options.infra.relay) throw new Error('the exchange log needs an outbox relay to release deliveries');
    return {
      module: ExchangeLogModule,
      controllers: [LogController],
      providers: [
        { provide: DataSource, useValue: options.infra.dataSource },
        { provide: OutboxRelay, useValue: options.infra.relay },
        { provide: CheckpointSigner, useValue: options.signer },
        { provide: LOG_WRITER_OPTIONS, useValue: options.writer },
        Clock,
        LogWriter,
        DispatchReleaser,
      ],
    };
  }
}
