/** Socket-level codes of Node: the peer is not there (or went away) — not the message's fault. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs that say the server cannot be used right now: class 08 (connection
 * exception), 57P01-57P03 (administrator shutdown, crash shutdown, cannot connect now), 53300 (too
 * many connections) and 55000 raised at connect for a database that refuses connections.
 */
const DATABASE_STATES = /^(08\d{3}|57P0[123]|53300)$/;

const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down|in recovery mode)|is not currently accepting connections|Client has encountered a connection error|Connection is not established|terminating connection due to administrator command/i;

/**
 * True when an error says a dependency (PostgreSQL, above all) is unreachable rather than that the
 * message is bad. The transport then waits for the dependency without spending the message's
 * bounded attempts, so an outage never turns good messages into dead letters.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const e = current as {
      code?: unknown;
      driverError?: { code?: unknown; message?: unknown };
      message?: unknown;
      cause?: unknown;
    };
    const code = typeof e.driverError?.code === 'string' ? e.driverError.code : e.code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || DATABASE_STATES.test(code))) return true;
    if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
    current = e.cause ?? e.driverError;
  }
  return false;
}
