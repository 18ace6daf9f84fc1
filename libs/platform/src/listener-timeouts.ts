import { z } from 'zod';
import { loadConfig } from './config';

/**
 * Every HTTP listener's timeouts (headers, whole request body, idle socket, kept-alive wait), so
 * that a client sending its request slowly, or holding a connection open doing nothing, cannot pin
 * a service's sockets. Node answers a request not complete in time with 408 and closes it.
 */
export const listenerTimeoutsSchema = z
  .object({
    /** The request line and headers must have arrived within this time. */
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** The whole request, body included, must have arrived within this time. */
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** A socket with no traffic either way for this long is closed. */
    HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** How long a kept-alive connection waits for its next request. */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  })
  .refine((t) => t.HTTP_HEADERS_TIMEOUT_MS <= t.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
  });
export type ListenerTimeouts = z.infer<typeof listenerTimeoutsSchema>;

/** The timeouts from the environment, validated (an error names the setting). */
export function loadListenerTimeouts(environment: NodeJS.ProcessEnv = process.env): ListenerTimeouts {
  return loadConfig(listenerTimeoutsSchema, environment);
}

/** The Fastify server options that apply them. */
export function listenerTimeoutOptions(timeouts: ListenerTimeouts): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    connectionTimeout: timeouts.HTTP_IDLE_TIMEOUT_MS,
    keepAliveTimeout: timeouts.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: timeouts.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: timeouts.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: timeouts.HTTP_REQUEST_TIMEOUT_MS,
      // Node looks for expired requests this often (30 s by default: far past a short timeout).
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(timeouts.HTTP_HEADERS_TIMEOUT_MS / 4)),
      ),
    },
  };
}
