/** `{name}` placeholders in a reason template; names are letters only. */
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Shown for a placeholder that has no value in this decision (e.g. `{centre}` without a centre). */
export const MISSING_VALUE = 'n/a';

export function renderReason(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) =>
    Object.hasOwn(values, name) ? (values[name] ?? MISSING_VALUE) : MISSING_VALUE,
  );
}

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
