import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';

/** Validates a query string against its schema; every bad or unknown parameter is named in the 400. */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) {
      const details = toValidationIssues(result.error);
      throw new ValidationFailedError(
        `the query is invalid: ${details.map((d) => d.path).join(', ')}`,
        details,
      );
    }
    return result.data;
  }
}
