import { QueryFailedError } from 'typeorm';
import { AppError, DependencyUnavailableError } from '@ixr/platform';

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
]);

/**
 * A database that cannot be reached becomes a 503 "nothing was stored" (SPEC §2); other errors
 * pass through unchanged.
 */
export function toDependencyError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code =
    (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
    (error as { code?: string }).code;
  const message = (error as Error)?.message ?? '';
  const connectionLost =
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down)|is not currently accepting connections/i.test(
      message,
    );
  if (connectionLost && !(error instanceof QueryFailedError && code === '23505')) {
    return new DependencyUnavailableError('the database is unavailable; nothing was stored, please retry');
  }
  return error;
}
