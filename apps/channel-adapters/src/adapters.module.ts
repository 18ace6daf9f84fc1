import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdaptersController } from './adapters.controller';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { SendReplyUseCase } from './replies/send-reply.usecase';

/** The use cases behind the Kafka handlers, built in main.ts (adapters.wiring.ts). */
export interface AdaptersModuleOptions {
  deliver: DeliverUseCase;
  replies: SendReplyUseCase;
  dataSource: DataSource;
}

@Module({})
export class AdaptersModule {
  static forRoot(options: AdaptersModuleOptions): DynamicModule {
    return {
      module: AdaptersModule,
      controllers: [AdaptersController],
      providers: [
        { provide: DeliverUseCase, useValue: options.deliver },
        { provide: SendReplyUseCase, useValue: options.replies },
        { provide: DataSource, useValue: options.dataSource },
      ],
    };
  }
}
