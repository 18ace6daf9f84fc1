import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { canonicalJson } from '@ixr/exchange-log';
import { ValidationFailedError } from '@ixr/platform';

/**
 * The `Idempotency-Key` header of SPEC §2, as every command of the intake applies it: the same key
 * with the same body returns the first answer and changes nothing; the same key with another body
 * is a 409. Keys are scoped to the caller's unit.
 */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

/** The header's key, or undefined without one; a malformed key is a 400 naming the header. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new ValidationFailedError('the Idempotency-Key header is invalid', [
      { path: 'header:Idempotency-Key', message: 'must be 1-200 characters of A-Z a-z 0-9 _ . : -' },
    ]);
  }
  return header;
}

/** What "the same body" means: the canonical JSON of what was asked, hashed. */
export function bodyHashOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** A concurrent command with the same key won the race on `constraint` (unique violation 23505). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; constraint?: string } })
    .driverError;
  return (
    error instanceof QueryFailedError &&
    driverError?.code === '23505' &&
    driverError.constraint === constraint
  );
}
