import { z } from 'zod';
import { HOME_COUNTRY } from './country';
import { ISO_COUNTRY_CODES, ISO_LANGUAGE_CODES } from './iso-codes';
import { OFFENCE_CATEGORIES } from './offence';
import {
  ACCESSIBILITY,
  HANDLING_CODES,
  LOOKUPS,
  MISSION_TYPES,
  SIS_ARTICLES,
  URGENCY_GROUNDS,
  type OutboundRequestBody,
  type ProvisionMessage,
  type SisArticle,
} from './request';

export const MAX_TEXT_LENGTH = 4000;
const MAX_FIELD_LENGTH = 200;

// C0/C1 controls other than tab, line feed and carriage return; plus unpaired surrogates.
/* eslint-disable no-control-regex -- refusing control characters is the point */
const FORBIDDEN_CHARACTERS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/* eslint-enable no-control-regex */

/** Text as stored: NFC-normalised, trimmed, no control characters, bounded. */
function text(max: number) {
  return z
    .string()
    .refine((s) => !FORBIDDEN_CHARACTERS.test(s), 'must not contain control characters or invalid Unicode')
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));
}

const country = z
  .string()
  .refine((c) => ISO_COUNTRY_CODES.has(c), 'must be an ISO 3166-1 alpha-2 code in upper case, e.g. "NL"');
const field = text(MAX_FIELD_LENGTH);
const date = z.iso.date('must be a date YYYY-MM-DD');

const subject = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('person'),
      name: field.optional(),
      dateOfBirth: date.optional(),
      nationality: country.optional(),
      documentNumber: field.optional(),
    }),
    z.strictObject({
      type: z.literal('vehicle'),
      registration: field.optional(),
      country: country.optional(),
      vin: field.optional(),
      make: field.optional(),
    }),
    z.strictObject({
      type: z.literal('document'),
      kind: field.optional(),
      number: field.optional(),
      issuingCountry: country.optional(),
    }),
    z.strictObject({ type: z.literal('phone'), number: field }),
    z.strictObject({ type: z.literal('organisation'), name: field, country: country.optional() }),
    z.strictObject({ type: z.literal('place'), address: field, country: country.optional() }),
    z.strictObject({ type: z.literal('other'), description: text(MAX_TEXT_LENGTH) }),
  ],
  { error: 'must be one of: person, vehicle, document, phone, organisation, place, other' },
);

const urgency = z.discriminatedUnion(
  'urgent',
  [
    z.strictObject({ urgent: z.literal(false) }),
    z.strictObject({
      urgent: z.literal(true),
      ground: z.enum(URGENCY_GROUNDS),
      reason: text(MAX_TEXT_LENGTH),
    }),
  ],
  { error: 'must be {"urgent": false} or {"urgent": true, "ground", "reason"}' },
);

/** The body of `POST /v1/requests` (SPEC §2): unknown fields are rejected, every bad field named. */
export const outboundRequestBodySchema = z.strictObject({
  missionType: z.enum(MISSION_TYPES),
  targetCountries: z
    .array(country)
    .min(1, 'must name at least one country')
    .max(27, 'must name at most 27 countries')
    .refine((list) => new Set(list).size === list.length, 'must not contain duplicates')
    .refine((list) => !list.includes(HOME_COUNTRY), `must not include ${HOME_COUNTRY}, the requesting state`),
  offence: z.strictObject({ category: z.enum(OFFENCE_CATEGORIES), description: text(MAX_TEXT_LENGTH) }),
  informationSought: text(MAX_TEXT_LENGTH),
  purpose: text(MAX_TEXT_LENGTH),
  justification: text(MAX_TEXT_LENGTH),
  subjects: z
    .array(subject)
    .min(1, 'must list at least one subject')
    .max(50, 'must list at most 50 subjects'),
  urgency,
  accessibility: z.enum(ACCESSIBILITY),
  handlingCode: z.enum(HANDLING_CODES),
  language: z
    .string()
    .refine((l) => ISO_LANGUAGE_CODES.has(l), 'must be an ISO 639-1 code in lower case, e.g. "en"'),
  sisAlert: z
    .strictObject({
      reference: field,
      article: z.custom<SisArticle>((a) => (SIS_ARTICLES as readonly unknown[]).includes(a), {
        error: `must be one of ${SIS_ARTICLES.join(', ')}`,
      }),
    })
    .optional(),
  lookup: z.enum(LOOKUPS).optional(),
  borderRegion: z.boolean().optional(),
});

/**
 * The body of `POST /v1/provisions` (SPEC §8, Directive 2023/977 Art 7): information provided on
 * our own initiative — the request body with `informationProvided` instead of `informationSought`.
 */
export const provisionBodySchema = outboundRequestBodySchema
  .omit({ informationSought: true })
  .extend({ informationProvided: text(MAX_TEXT_LENGTH) });

/** A provision as the pipeline carries it: marked, so that rules may test the message kind. */
export const provisionMessageSchema = provisionBodySchema.extend({ kind: z.literal('provision') });

/** What the pipeline routes: a request (no kind, as before provisions) or a provision. */
export const messageBodySchema = z.union([outboundRequestBodySchema, provisionMessageSchema]);

// The schema and the hand-written domain type must agree, both ways.
type Parsed = z.infer<typeof outboundRequestBodySchema>;
type AssertEqual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const schemaMatchesDomainType: AssertEqual<Parsed, OutboundRequestBody> = true;
export const provisionMatchesDomainType: AssertEqual<
  z.infer<typeof provisionMessageSchema>,
  ProvisionMessage
> = true;

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Turns zod issues into `{ path, message }` with JSON-pointer-like dotted paths. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}
