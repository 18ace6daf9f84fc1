export interface ErrorDetail {
  path: string;
  message: string;
}

/** Base of IXR's errors: a stable code, a readable message, optional per-field details. */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends AppError {
  readonly code = 'INTAKE.VALIDATION_FAILED';
}
export class UnauthenticatedError extends AppError {
  readonly code = 'AUTH.UNAUTHENTICATED';
}
export class ForbiddenError extends AppError {
  readonly code = 'AUTH.FORBIDDEN';
}
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
}
export class IdempotencyConflictError extends AppError {
  readonly code = 'INTAKE.IDEMPOTENCY_CONFLICT';
}
export class JustificationRequiredError extends AppError {
  readonly code = 'AUDIT.JUSTIFICATION_REQUIRED';
}
export class DependencyUnavailableError extends AppError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
}
