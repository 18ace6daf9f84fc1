import { z } from 'zod';
import { DEADLINE_BASES, ROUTE_ROLES, type DeadlineBasis, type RouteRole } from '@ixr/domain';
import { formatPath, type PathIssue } from './path';

/**
 * A rule set is data (SPEC §4): this file defines its shape. What the words mean — which
 * facts exist, which channels — is checked by `validateRuleset`, so that a document with a
 * typo still parses and every problem can be reported with its path at once.
 */

/** Where a rule applies. `outbound.target` runs once per target country, in request order. */
export const RULE_SCOPES = ['outbound.target', 'outbound.request', 'inbound.request', 'deadline'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

export type Scalar = string | number | boolean;

/**
 * The condition vocabulary: `always`, `all`, `any`, `not`, and four tests on one fact —
 * `equals`, `in`, `present`, `atLeast`. An absent fact fails every test but `present: false`.
 */
export type Condition =
  { always: true } | { all: Condition[] } | { any: Condition[] } | { not: Condition } | FactTest;

export type FactTest =
  | { fact: string; equals: Scalar }
  | { fact: string; in: Scalar[] }
  | { fact: string; present: boolean }
  | { fact: string; atLeast: number };

/** How a route's destination is found (see README, "Destinations"). */
export const DESTINATION_KINDS = [
  'country',
  'pccc_centre',
  'liaison_post',
  'spoc_unit',
  'spoc_duty_desk',
  'contact_point',
  'origin_country',
] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];
export type DestinationSpec = DestinationKind | { literal: string };

export interface RouteAction {
  type: 'route';
  channel: string;
  role: RouteRole;
  destination: DestinationSpec;
  reason: string;
}

/** Replaces the country's primary route by the first usable fallback the directory lists for its channel. */
export interface FallbackAction {
  type: 'fallback';
  reason: string;
}

/** Sets `europolCopy`; with `copy: true` and `route`, also adds that route (reason = this reason). */
export interface EuropolCopyAction {
  type: 'europol_copy';
  copy: boolean;
  reason: string;
  route?: { channel: string; role: RouteRole; destination: DestinationSpec };
}

/** The reply deadline, counted from receipt in plain UTC time (nights and weekends count). */
export interface DeadlineAction {
  type: 'deadline';
  basis: DeadlineBasis;
  after: { hours: number } | { days: number } | null;
}

export type RuleAction = RouteAction | FallbackAction | EuropolCopyAction | DeadlineAction;

export interface Rule {
  id: string;
  description?: string;
  scope: RuleScope;
  /** Rules sharing a group are first-match: once one of them acts, the rest of the group is skipped. */
  group?: string;
  /** Lower runs first; ties keep document order. */
  priority: number;
  when: Condition;
  then: RuleAction;
}

export interface Ruleset {
  version: string;
  description: string;
  rules: Rule[];
}

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
const FORMS = ['always', 'all', 'any', 'not'] as const;
const TESTS = ['equals', 'in', 'present', 'atLeast'] as const;

interface ConditionInput {
  always?: true;
  all?: ConditionInput[];
  any?: ConditionInput[];
  not?: ConditionInput;
  fact?: string;
  equals?: Scalar;
  in?: Scalar[];
  present?: boolean;
  atLeast?: number;
}

/**
 * One object schema with every key optional plus a check that exactly one form is used:
 * unlike a union, this keeps error paths pointing inside nested conditions.
 */
export const conditionSchema: z.ZodType<ConditionInput> = z.lazy(() =>
  z
    .object({
      always: z.literal(true).optional(),
      all: z.array(conditionSchema).optional(),
      any: z.array(conditionSchema).optional(),
      not: conditionSchema.optional(),
      fact: z.string().min(1).optional(),
      equals: scalarSchema.optional(),
      in: z.array(scalarSchema).min(1).optional(),
      present: z.boolean().optional(),
      atLeast: z.number().finite().optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      const forms = FORMS.filter((k) => value[k] !== undefined);
      const tests = TESTS.filter((k) => value[k] !== undefined);
      const hasFact = value.fact !== undefined;
      const ok = hasFact
        ? forms.length === 0 && tests.length === 1
        : forms.length === 1 && tests.length === 0;
      if (!ok) {
        ctx.addIssue({
          code: 'custom',
          message: hasFact
            ? `a fact test needs exactly one of ${TESTS.join(', ')}`
            : `a condition needs exactly one of ${FORMS.join(', ')} or a fact test`,
        });
      }
    }),
);

const destinationSchema = z.union([
  z.enum(DESTINATION_KINDS),
  z.object({ literal: z.string().min(1) }).strict(),
]);
const channelNameSchema = z.string().min(1);
const reasonSchema = z.string().min(1).max(1000);

const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('route'),
      channel: channelNameSchema,
      role: z.enum(ROUTE_ROLES),
      destination: destinationSchema,
      reason: reasonSchema,
    })
    .strict(),
  z.object({ type: z.literal('fallback'), reason: reasonSchema }).strict(),
  z
    .object({
      type: z.literal('europol_copy'),
      copy: z.boolean(),
      reason: reasonSchema,
      route: z
        .object({ channel: channelNameSchema, role: z.enum(ROUTE_ROLES), destination: destinationSchema })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('deadline'),
      basis: z.enum(DEADLINE_BASES),
      after: z
        .union([
          z.object({ hours: z.number().int().positive() }).strict(),
          z.object({ days: z.number().int().positive() }).strict(),
        ])
        .nullable(),
    })
    .strict(),
]);

export const RULE_ID_PATTERN = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/;

const ruleSchema = z
  .object({
    id: z
      .string()
      .regex(RULE_ID_PATTERN, 'rule ids are upper-case words joined by dashes, e.g. OUT-EU-SIENA'),
    description: z.string().optional(),
    scope: z.enum(RULE_SCOPES),
    group: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'group names are lower-case words joined by dashes')
      .optional(),
    priority: z.number().int(),
    when: conditionSchema,
    then: actionSchema,
  })
  .strict();

export const rulesetSchema = z
  .object({
    version: z.string().min(1).max(100),
    description: z.string(),
    rules: z.array(ruleSchema),
  })
  .strict();

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: PathIssue[] };

export function zodIssues(error: z.ZodError): PathIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Checks the shape of a rule-set document (already JSON-parsed). */
export function parseRuleset(json: unknown): ParseResult<Ruleset> {
  const result = rulesetSchema.safeParse(json);
  if (!result.success) return { ok: false, errors: zodIssues(result.error) };
  // The schema has checked every condition has exactly one form, which is what `Condition` says.
  return { ok: true, value: result.data as Ruleset };
}

/** Same as `parseRuleset`, from JSON text. */
export function parseRulesetText(text: string): ParseResult<Ruleset> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    return { ok: false, errors: [{ path: '', message: `not JSON: ${(error as Error).message}` }] };
  }
  return parseRuleset(json);
}
