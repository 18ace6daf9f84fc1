const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string holds half of a surrogate pair: not Unicode text, no UTF-8 can hold it. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** The path (`a.0.b`) of the first string or key of a parsed JSON value holding a lone surrogate. */
export function loneSurrogatePath(root: unknown): string | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string' && hasLoneSurrogate(value)) return path.join('.') || '(body)';
    if (value === null || typeof value !== 'object') continue;
    for (const [key, item] of Object.entries(value)) {
      if (hasLoneSurrogate(key)) return [...path, key].join('.');
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}
