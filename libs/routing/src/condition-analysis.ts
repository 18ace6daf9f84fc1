import { factSpec, type FactSpec } from './facts';
import type { Condition, Scalar } from './ruleset.schema';

/**
 * Static analysis of conditions, for the validator: can a condition ever hold, must it always
 * hold? Conditions are turned into negation normal form; a conjunction of fact tests is checked
 * exactly, fact by fact, against the fact's type, its closed set of values and whether it may be
 * absent. Anything more tangled is given the benefit of the doubt (reported as satisfiable), so
 * a "never fires" report is always right, though some dead rules may go unreported.
 */

type Constraint =
  | { fact: string; kind: 'eq'; value: Scalar }
  | { fact: string; kind: 'neq'; value: Scalar }
  | { fact: string; kind: 'in'; values: readonly Scalar[] }
  | { fact: string; kind: 'nin'; values: readonly Scalar[] }
  | { fact: string; kind: 'present' }
  | { fact: string; kind: 'absent' }
  | { fact: string; kind: 'gte'; value: number }
  | { fact: string; kind: 'lt'; value: number };

type Nnf =
  | { t: 'true' }
  | { t: 'false' }
  | { t: 'and'; of: Nnf[] }
  | { t: 'or'; of: Nnf[] }
  | { t: 'leaf'; c: Constraint };

function leaf(condition: Extract<Condition, { fact: string }>, negated: boolean): Constraint {
  const fact = condition.fact;
  if ('present' in condition) return { fact, kind: condition.present !== negated ? 'present' : 'absent' };
  if ('equals' in condition) return { fact, kind: negated ? 'neq' : 'eq', value: condition.equals };
  if ('in' in condition) return { fact, kind: negated ? 'nin' : 'in', values: condition.in };
  return { fact, kind: negated ? 'lt' : 'gte', value: condition.atLeast };
}

function nnf(condition: Condition, negated: boolean): Nnf {
  if ('always' in condition) return { t: negated ? 'false' : 'true' };
  if ('not' in condition) return nnf(condition.not, !negated);
  if ('all' in condition) return { t: negated ? 'or' : 'and', of: condition.all.map((c) => nnf(c, negated)) };
  if ('any' in condition) return { t: negated ? 'and' : 'or', of: condition.any.map((c) => nnf(c, negated)) };
  return { t: 'leaf', c: leaf(condition, negated) };
}

function typeOk(spec: FactSpec, value: Scalar): boolean {
  return typeof value === spec.type && (spec.values === undefined || spec.values.includes(value));
}

/** Can all these tests on one fact hold at once? */
function consistent(spec: FactSpec | undefined, constraints: readonly Constraint[]): boolean {
  if (spec === undefined) return true; // unknown facts are reported elsewhere
  const needsValue = constraints.some(
    (c) => c.kind === 'eq' || c.kind === 'in' || c.kind === 'present' || c.kind === 'gte',
  );
  const wantsAbsent = constraints.some((c) => c.kind === 'absent');
  if (wantsAbsent) return !needsValue && spec.optional;
  const absentPossible = spec.optional && !needsValue;
  if (absentPossible) return true; // neq, nin and lt all hold for an absent fact

  let candidates: Scalar[] | undefined =
    spec.values !== undefined ? [...spec.values] : spec.type === 'boolean' ? [true, false] : undefined;
  for (const c of constraints) {
    if (c.kind === 'eq')
      candidates = (candidates ?? [c.value]).filter((v) => v === c.value && typeOk(spec, v));
    if (c.kind === 'in')
      candidates = (candidates ?? c.values.filter((v) => typeOk(spec, v))).filter((v) =>
        c.values.includes(v),
      );
  }
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  for (const c of constraints) {
    if (c.kind === 'gte') low = Math.max(low, c.value);
    if (c.kind === 'lt') high = Math.min(high, c.value);
  }
  const excluded = constraints.flatMap((c) =>
    c.kind === 'neq' ? [c.value] : c.kind === 'nin' ? c.values : [],
  );
  const fits = (v: Scalar) =>
    !excluded.includes(v) &&
    (typeof v !== 'number' ? low === -Infinity && high === Infinity : v >= low && v < high);
  if (candidates !== undefined) return candidates.some(fits);
  // An open domain (free string or number): only a numeric range can be empty.
  if (low !== Number.NEGATIVE_INFINITY || high !== Number.POSITIVE_INFINITY)
    return spec.type === 'number' && low < high;
  return true;
}

function satisfiable(node: Nnf): boolean {
  switch (node.t) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'leaf':
      return consistent(factSpec(node.c.fact), [node.c]);
    case 'or':
      return node.of.some(satisfiable);
    case 'and': {
      const flat: Nnf[] = [];
      const flatten = (n: Nnf) => (n.t === 'and' ? n.of.forEach(flatten) : flat.push(n));
      node.of.forEach(flatten);
      if (!flat.every(satisfiable)) return false;
      const byFact = new Map<string, Constraint[]>();
      for (const n of flat) {
        if (n.t !== 'leaf') continue;
        byFact.set(n.c.fact, [...(byFact.get(n.c.fact) ?? []), n.c]);
      }
      return [...byFact].every(([fact, constraints]) => consistent(factSpec(fact), constraints));
    }
  }
}

/** False only when the condition can be shown never to hold. */
export function canHold(condition: Condition): boolean {
  return satisfiable(nnf(condition, false));
}

/** True only when the condition can be shown always to hold (its negation can never hold). */
export function alwaysHolds(condition: Condition): boolean {
  return !satisfiable(nnf(condition, true));
}
