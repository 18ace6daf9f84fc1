import 'reflect-metadata';
import { checkDevelopmentDefaults, loadConfig, withSecretFiles } from '@ixr/platform';
import { serviceInfrastructure, startService } from '@ixr/runtime';
import { routerConfigSchema, routerDevelopmentDefaults } from './config';
import { RouterModule } from './router.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(routerConfigSchema, withSecretFiles(['DATA_KEY_MASTER']));
  const developmentDefaults = checkDevelopmentDefaults('router', routerDevelopmentDefaults());
  await startService({
    infrastructure: serviceInfrastructure('router', 'router', config, {
      outbox: true,
      createsDataKeys: false,
    }),
    developmentDefaults,
    module: RouterModule.forRoot(config),
    port: config.PORT,
    host: config.HOST,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`router failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
