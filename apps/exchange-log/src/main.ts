import 'reflect-metadata';
import { checkDevelopmentDefaults, loadConfig, withSecretFiles } from '@ixr/platform';
import { serviceInfrastructure, startService } from '@ixr/runtime';
import { exchangeLogConfigSchema, exchangeLogDevelopmentDefaults } from './config';
import { ExchangeLogModule } from './exchange-log.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(exchangeLogConfigSchema, withSecretFiles(['DATA_KEY_MASTER']));
  const developmentDefaults = checkDevelopmentDefaults(
    'exchange-log',
    exchangeLogDevelopmentDefaults(config),
  );
  await startService({
    infrastructure: serviceInfrastructure('exchange-log', 'log', config, {
      outbox: true,
      createsDataKeys: false,
    }),
    developmentDefaults,
    module: ExchangeLogModule.forRoot(config),
    port: config.PORT,
    host: config.HOST,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`exchange-log failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
