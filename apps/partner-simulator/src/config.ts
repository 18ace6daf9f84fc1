import { z } from 'zod';
import { env } from '@ixr/platform';

export const simulatorConfigSchema = z.object({
  PORT: env.port(3100),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: env.logLevel(),
  /** Default acknowledgement latency of every partner, in ms. */
  SIMULATOR_ACK_LATENCY_MS: z.coerce.number().int().min(0).max(60000).default(0),
});
