import { session } from './session';

/** One field the API named as wrong (SPEC §2 error details). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Any refusal of the API, with its message shown as it came (SPEC §2 error shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldProblem[],
  ) {
    super(message);
  }
}

export interface CallOptions {
  body?: unknown;
  justification?: string;
  idempotencyKey?: string;
  accept?: string;
}

/** Calls the public API on this origin with the signed-in token; every refusal becomes an ApiError. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const justification = options.justification ?? session.justification();
  if (justification) headers['x-justification'] = justification;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'CONSOLE.OFFLINE', 'The IXR API cannot be reached: check the connection.', []);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (CSV, text): kept as text
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; details?: FieldProblem[] } })?.error;
    if (response.status === 401) session.expired();
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `The API answered ${response.status}.`,
      error?.details ?? [],
    );
  }
  return body as T;
}

export const get = <T>(path: string, options?: CallOptions) => call<T>('GET', path, options);
export const post = <T>(path: string, body?: unknown, options?: CallOptions) =>
  call<T>('POST', path, { ...options, body: body ?? {} });

/** A query string from the set values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
