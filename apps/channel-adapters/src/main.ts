import 'reflect-metadata';
import { checkDevelopmentDefaults, loadConfig, withSecretFiles } from '@ixr/platform';
import { serviceInfrastructure, startService } from '@ixr/runtime';
import { AdaptersModule } from './adapters.module';
import { adaptersConfigSchema, adaptersDevelopmentDefaults } from './config';

async function bootstrap(): Promise<void> {
  const environment = withSecretFiles(['PARTNER_KEYS', 'PARTNER_KEY_SEED', 'DATA_KEY_MASTER']);
  const config = loadConfig(adaptersConfigSchema, environment);
  const developmentDefaults = checkDevelopmentDefaults(
    'channel-adapters',
    adaptersDevelopmentDefaults(config, environment),
  );
  await startService({
    infrastructure: serviceInfrastructure('channel-adapters', 'adapters', config, {
      outbox: true,
      createsDataKeys: true,
    }),
    developmentDefaults,
    module: AdaptersModule.forRoot(config),
    port: config.PORT,
    host: config.HOST,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`channel-adapters failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
