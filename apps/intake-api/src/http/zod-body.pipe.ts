import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';

/** Validates a body against its schema; every bad field is named in the 400. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationFailedError('the request body must be a JSON object', [
        { path: '(body)', message: 'expected a JSON object' },
      ]);
    }
    const result = this.schema.safeParse(value);
    if (!result.success) {
      const details = toValidationIssues(result.error);
      throw new ValidationFailedError(
        `the request body is invalid: ${details.map((d) => d.path).join(', ')}`,
        details,
      );
    }
    return result.data;
  }
}
