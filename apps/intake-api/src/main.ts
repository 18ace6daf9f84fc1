import 'reflect-metadata';
import { checkDevelopmentDefaults, isProductionMode, loadConfig, withSecretFiles } from '@ixr/platform';
import { serviceInfrastructure, startService } from '@ixr/runtime';
import { auditDevelopmentDefaults } from '@ixr/exchange-log-store';
import { intakeConfigSchema, intakeDevelopmentDefaults } from './config';
import { answerFrameworkError } from './http/error.filter';
import { IntakeModule } from './intake.module';

async function bootstrap(): Promise<void> {
  const environment = withSecretFiles(['JWT_SECRET', 'DATA_KEY_MASTER']);
  const config = loadConfig(intakeConfigSchema, environment);
  const developmentDefaults = checkDevelopmentDefaults('intake-api', [
    ...intakeDevelopmentDefaults(config, environment),
    ...auditDevelopmentDefaults(),
  ]);
  await startService({
    infrastructure: serviceInfrastructure('intake-api', 'intake', config, {
      outbox: true,
      createsDataKeys: true,
    }),
    developmentDefaults,
    module: IntakeModule.forRoot(config, isProductionMode(environment)),
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT_BYTES,
    frameworkErrors: answerFrameworkError,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`intake-api failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
