import { z } from 'zod';

/** CloudEvents-style envelope (SPEC §1). `subject` is the request id, also the Kafka key. */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  time: string;
  subject: string;
  correlationid: string;
  datacontenttype: 'application/json';
  data: T;
}

export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(200),
  source: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).max(200),
  correlationid: z.string().min(1).max(200),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

/** Builds an envelope; ids and time come from the caller so that producers stay testable. */
export function createEnvelope<T>(fields: {
  id: string;
  type: string;
  source: string;
  time: Date | string;
  subject: string;
  correlationId?: string;
  data: T;
}): EventEnvelope<T> {
  return {
    specversion: '1.0',
    id: fields.id,
    type: fields.type,
    source: fields.source,
    time: typeof fields.time === 'string' ? fields.time : fields.time.toISOString(),
    subject: fields.subject,
    correlationid: fields.correlationId ?? fields.subject,
    datacontenttype: 'application/json',
    data: fields.data,
  };
}
