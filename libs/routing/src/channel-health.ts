import { z } from 'zod';

/**
 * Which circuits are open right now, as plain data: the caller takes a snapshot from its
 * circuit breakers and passes it in (and records it, so that a replay sees the same state).
 * An entry without `destination` opens the channel for every destination.
 */
export interface OpenCircuit {
  channel: string;
  destination?: string;
}

export interface ChannelHealth {
  open: OpenCircuit[];
}

export const ALL_CIRCUITS_CLOSED: ChannelHealth = Object.freeze({ open: [] });

export const channelHealthSchema = z
  .object({
    open: z.array(
      z.object({ channel: z.string().min(1), destination: z.string().min(1).optional() }).strict(),
    ),
  })
  .strict();

export function isCircuitOpen(health: ChannelHealth, channel: string, destination: string): boolean {
  return health.open.some(
    (c) => c.channel === channel && (c.destination === undefined || c.destination === destination),
  );
}
