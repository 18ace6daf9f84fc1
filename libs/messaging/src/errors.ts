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

/**
 * Thrown by a batch handler when only some events of its batch failed: the others are done and are
 * not handled again. The transport takes each failed event on alone, as if its handler had just
 * failed with that error (retried from attempt 2, dead-lettered, or waited for if transient).
 */
export class BatchItemErrors extends Error {
  /** `errors`: the failed events' indexes in the batch, with their errors. */
  constructor(readonly errors: ReadonlyMap<number, unknown>) {
    super(`${errors.size} event(s) of the batch failed`);
    this.name = new.target.name;
  }
}

/**
 * A batch handler's work done group by group (bounded transactions, bounded partner calls in
 * flight), keeping the consumer in its group between them. `runGroup` returns the errors of the
 * group's events by their index in the group; they are reported together as BatchItemErrors. When
 * a later group fails as a whole (the database away, a rebalance), what earlier groups reported is
 * kept and that group and the ones after it are handed back, each event on its own.
 */
export async function handleInGroups<T>(
  items: readonly T[],
  size: number,
  heartbeat: (() => Promise<void>) | undefined,
  runGroup: (group: readonly T[]) => Promise<ReadonlyMap<number, unknown>>,
): Promise<void> {
  const errors = new Map<number, unknown>();
  const step = Math.max(1, size);
  for (let start = 0; start < items.length; start += step) {
    try {
      if (start > 0) await heartbeat?.();
      const failed = await runGroup(items.slice(start, start + step));
      for (const [index, error] of failed) errors.set(start + index, error);
    } catch (error) {
      if (errors.size === 0) throw error;
      for (let index = start; index < items.length; index++) errors.set(index, error);
      break;
    }
  }
  if (errors.size > 0) throw new BatchItemErrors(errors);
}

export function isRetryable(error: unknown): boolean {
  return !(error instanceof MessagingError) || error.retryable;
}

export function errorCode(error: unknown): string {
  return error instanceof MessagingError ? error.code : 'MESSAGING.HANDLER_FAILED';
}
