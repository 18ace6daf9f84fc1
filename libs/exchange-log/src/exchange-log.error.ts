/**
 * Stable codes for everything this library refuses. Callers map them (HTTP 4xx, CLI exit codes)
 * without parsing messages; messages are for the human reading the log.
 */
export type ExchangeLogErrorCode =
  | 'EXCHANGE_LOG.NOT_CANONICAL_JSON'
  | 'EXCHANGE_LOG.INVALID_ARGUMENT'
  | 'EXCHANGE_LOG.NODE_UNAVAILABLE'
  | 'EXCHANGE_LOG.ENTRY_MALFORMED'
  | 'EXCHANGE_LOG.KEY_MALFORMED'
  | 'EXCHANGE_LOG.CHECKPOINT_MALFORMED'
  | 'EXCHANGE_LOG.CHECKPOINT_UNTRUSTED'
  | 'EXCHANGE_LOG.CHECKPOINT_BAD_SIGNATURE'
  | 'EXCHANGE_LOG.CHECKPOINT_WRONG_ORIGIN'
  | 'EXCHANGE_LOG.NOTE_MALFORMED'
  | 'EXCHANGE_LOG.NOTE_UNTRUSTED'
  | 'EXCHANGE_LOG.NOTE_BAD_SIGNATURE'
  | 'EXCHANGE_LOG.BUNDLE_MALFORMED'
  | 'EXCHANGE_LOG.KEY_UNAVAILABLE';

export class ExchangeLogError extends Error {
  constructor(
    readonly code: ExchangeLogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function invalidArgument(message: string): ExchangeLogError {
  return new ExchangeLogError('EXCHANGE_LOG.INVALID_ARGUMENT', message);
}
