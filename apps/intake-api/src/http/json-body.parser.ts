import { isUtf8 } from 'node:buffer';
import { AppError, ValidationFailedError } from '@ixr/platform';

/** 415: a body that is not JSON in UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). */
export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'HTTP.UNSUPPORTED_MEDIA_TYPE';
}

/** Deeper than any IXR document (rule-set conditions included); refused before parsing. */
export const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__']);
const LONE_SURROGATE = '(lone surrogate)';
const LONE_SURROGATE_PATTERN = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function reject(message: string, path = '(body)', detail = message): never {
  throw new ValidationFailedError(message, [{ path, message: detail }]);
}

/**
 * The one JSON body parser of the API. Before anything reads the body it must be UTF-8 (invalid
 * bytes would otherwise turn silently into U+FFFD and be stored), nest at most MAX_JSON_DEPTH
 * levels, parse, and hold no `__proto__` key nor a `constructor.prototype` — the keys of
 * prototype-pollution attacks, refused wherever they are — nor a lone surrogate (`"\ud800"`), a
 * string no UTF-8 column or document can hold (it failed later as a 500).
 */
export function parseJsonBody(
  raw: Buffer,
  contentType: string | undefined,
  maxDepth = MAX_JSON_DEPTH,
): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaTypeError(
      `charset ${charset} is not accepted: send application/json in UTF-8`,
      [{ path: 'header:Content-Type', message: 'charset must be utf-8' }],
    );
  }
  if (raw.length === 0) reject('the request body is empty; send a JSON object');
  if (!isUtf8(raw)) reject('the request body is not valid UTF-8');
  const text = raw.toString('utf8');
  const depth = nestingDepth(text);
  if (depth > maxDepth) reject(`the request body nests deeper than ${maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    reject(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  const forbidden = findForbiddenKey(value);
  if (forbidden?.key === LONE_SURROGATE)
    reject('the request body holds a lone surrogate (not Unicode text)', forbidden.path, 'lone surrogate');
  if (forbidden)
    reject(`the request body holds a forbidden key: ${forbidden.key}`, forbidden.path, 'forbidden key');
  return value;
}

/** Deepest nesting of objects and arrays, outside strings; linear, without recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

function findForbiddenKey(root: unknown): { key: string; path: string } | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string' && LONE_SURROGATE_PATTERN.test(value)) {
      return { key: LONE_SURROGATE, path: path.join('.') || '(body)' };
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, item] of Object.entries(value)) {
      const here = [...path, key];
      if (FORBIDDEN_KEYS.has(key)) return { key, path: here.join('.') };
      if (LONE_SURROGATE_PATTERN.test(key)) return { key: LONE_SURROGATE, path: here.join('.') };
      if (key === 'constructor' && item !== null && typeof item === 'object' && 'prototype' in item) {
        return { key: 'constructor.prototype', path: here.join('.') };
      }
      stack.push({ value: item, path: here });
    }
  }
  return undefined;
}
