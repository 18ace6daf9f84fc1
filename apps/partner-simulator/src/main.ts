import Fastify from 'fastify';
import {
  createLogger,
  listenerTimeoutOptions,
  loadConfig,
  loadListenerTimeouts,
  withSecretFiles,
} from '@ixr/platform';
import { simulatorConfigSchema } from './config';
import { PartnerState } from './partner-behaviour';
import { PartnerSender } from './partner-sender';
import { registerSimulatorRoutes } from './simulator.routes';

async function bootstrap(): Promise<void> {
  const config = loadConfig(simulatorConfigSchema, withSecretFiles(['PARTNER_KEY_SEED']));
  const logger = createLogger('partner-simulator', config.LOG_LEVEL);
  const app = Fastify({
    ...listenerTimeoutOptions(loadListenerTimeouts()),
    logger: false,
    bodyLimit: 1024 * 1024,
  });
  const state = new PartnerState({
    mode: 'ok',
    latencyMs: config.SIMULATOR_ACK_LATENCY_MS,
    answerAfterMs: config.SIMULATOR_ANSWER_AFTER_MS,
  });
  const sender = new PartnerSender(
    { inboundUrl: config.IXR_INBOUND_URL, keySeed: config.PARTNER_KEY_SEED },
    state,
    logger,
  );
  registerSimulatorRoutes(app, state, sender);
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT }, 'partner-simulator started');
  const stop = (): void => {
    sender.stop();
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`partner-simulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
