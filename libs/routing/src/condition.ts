import type { Condition } from './ruleset.schema';
import type { FactReader } from './facts';

/** Evaluates a condition against facts. Absent facts fail every test but `present: false`. */
export function holds(condition: Condition, read: FactReader): boolean {
  if ('always' in condition) return true;
  if ('all' in condition) return condition.all.every((c) => holds(c, read));
  if ('any' in condition) return condition.any.some((c) => holds(c, read));
  if ('not' in condition) return !holds(condition.not, read);
  const value = read(condition.fact);
  if ('present' in condition) return (value !== undefined) === condition.present;
  if (value === undefined) return false;
  if ('equals' in condition) return value === condition.equals;
  if ('in' in condition) return condition.in.includes(value);
  return typeof value === 'number' && value >= condition.atLeast;
}

/** Every fact name a condition reads, with the path of the test, in document order. */
export function factsOf(condition: Condition, path: string): Array<{ fact: string; path: string }> {
  if ('always' in condition) return [];
  if ('all' in condition) return condition.all.flatMap((c, i) => factsOf(c, `${path}.all[${i}]`));
  if ('any' in condition) return condition.any.flatMap((c, i) => factsOf(c, `${path}.any[${i}]`));
  if ('not' in condition) return factsOf(condition.not, `${path}.not`);
  return [{ fact: condition.fact, path }];
}
