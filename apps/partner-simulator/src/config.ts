import { z } from 'zod';
import { DEV_PARTNER_KEY_SEED } from '@ixr/messaging';
import { baseConfigShape } from '@ixr/runtime';

/** The base of every app's configuration (it has no database or Kafka: no `serviceConfigShape`). */
export const simulatorConfigSchema = z.object({
  ...baseConfigShape({ port: 3100 }),
  /** Default acknowledgement latency of every partner, in ms. */
  SIMULATOR_ACK_LATENCY_MS: z.coerce.number().int().min(0).max(60000).default(0),
  /** Default delay after which every partner answers a request it received; unset: no answers. */
  SIMULATOR_ANSWER_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).optional(),
  /** IXR's inbound endpoint (the channel adapters), where partners send requests and answers. */
  IXR_INBOUND_URL: z.url({ message: 'must be an http(s) URL' }).default('http://127.0.0.1:3002'),
  /** The seed the partners' HMAC keys derive from; IXR's adapters must use the same. */
  PARTNER_KEY_SEED: z.string().min(16).default(DEV_PARTNER_KEY_SEED),
});
