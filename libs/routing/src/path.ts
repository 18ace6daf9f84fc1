/** A path into a JSON document, printed as `rules[3].when.all[0].fact` (root: empty string). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** One problem found in a document, located by its path. */
export interface PathIssue {
  path: string;
  message: string;
}
