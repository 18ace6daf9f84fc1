import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EventPublisher, OutboxRelay } from '@ixr/messaging';
import type { Infrastructure } from './infrastructure';
import { InfrastructureModule, LOGGER } from './infrastructure.module';

@Injectable()
class NeedsParts {
  constructor(
    readonly dataSource: DataSource,
    readonly relay: OutboxRelay,
    readonly publisher: EventPublisher,
    @Inject(LOGGER) readonly logger: unknown,
  ) {}
}

/** An app's module: it does not import InfrastructureModule, its sibling under the root. */
@Module({ providers: [NeedsParts] })
class AppModule {}

@Module({})
class RootModule {}

const rootWith = (infra: Infrastructure) => ({
  module: RootModule,
  imports: [InfrastructureModule.forRoot(infra), AppModule],
});

function fakeInfrastructure(withRelay: boolean): Infrastructure {
  return {
    service: 'router',
    logger: { name: 'logger' },
    registry: {},
    dataSource: { name: 'data source' },
    dataKeys: {},
    kafka: {},
    publisher: { name: 'publisher' },
    relay: withRelay ? { name: 'relay' } : undefined,
    indicators: [],
    close: () => Promise.resolve(),
  } as unknown as Infrastructure;
}

describe('InfrastructureModule', () => {
  it("gives every module of the app the service's parts, without importing it", async () => {
    const infra = fakeInfrastructure(true);
    const app = await NestFactory.createApplicationContext(rootWith(infra), {
      logger: false,
      abortOnError: false,
    });
    const parts = app.get(NeedsParts);
    expect(parts.dataSource).toBe(infra.dataSource);
    expect(parts.relay).toBe(infra.relay);
    expect(parts.publisher).toBe(infra.publisher);
    expect(parts.logger).toBe(infra.logger);
    await app.close();
  });

  it('provides no outbox relay to a service without one: a provider needing it stops the boot', async () => {
    await expect(
      NestFactory.createApplicationContext(rootWith(fakeInfrastructure(false)), {
        logger: false,
        abortOnError: false,
      }),
    ).rejects.toThrow(/OutboxRelay/);
  });
});
