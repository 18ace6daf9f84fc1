import type { PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { toValidationIssues } from '@ixr/domain';
import { ValidationFailedError } from '@ixr/platform';

/** Validates a query string against its schema; every bad or unknown parameter is named in the 400. */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) {
      // An unknown parameter is named by itself (a body's would be "(body)").
      const details = result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys' && issue.path.length === 0
          ? issue.keys.map((key) => ({ path: key, message: 'unknown parameter' }))
          : toValidationIssues(new z.ZodError([issue])),
      );
      throw new ValidationFailedError(
        `the query is invalid: ${details.map((d) => d.path).join(', ')}`,
        details,
      );
    }
    return result.data;
  }
}
