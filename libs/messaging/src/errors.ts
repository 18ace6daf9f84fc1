/** Errors a handler throws to steer the transport. Anything else is retried, then dead-lettered. */
export class MessagingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The message can never be processed (bad shape, unknown reference): dead-letter at once. */
export class InvalidMessageError extends MessagingError {
  constructor(
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super('MESSAGING.INVALID_MESSAGE', message, false);
  }
}

/** A business rule refuses the message for good: dead-letter at once with this code. */
export class PermanentHandlerError extends MessagingError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }
}

export function isRetryable(error: unknown): boolean {
  return !(error instanceof MessagingError) || error.retryable;
}

export function errorCode(error: unknown): string {
  return error instanceof MessagingError ? error.code : 'MESSAGING.HANDLER_FAILED';
}
