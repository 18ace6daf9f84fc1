/** Stable error codes of the routing engine (STYLE §6): callers map them to retry, dead-letter or 4xx. */
export const ROUTING_ERROR_CODES = [
  'ROUTING.NO_ROUTE',
  'ROUTING.INVALID_RULESET',
  'ROUTING.INVALID_INPUT',
] as const;
export type RoutingErrorCode = (typeof ROUTING_ERROR_CODES)[number];

export class RoutingError extends Error {
  override readonly name = 'RoutingError';

  constructor(
    readonly code: RoutingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
