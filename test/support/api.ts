import { DEV_SECRET, signDevToken, type Role } from '@ixr/auth';
import { sampleRequestBody, type OutboundRequestBody, type UnitLevel } from '@ixr/domain';

export async function tokenFor(unit: string, roles: Role[], level: UnitLevel = 'local'): Promise<string> {
  return signDevToken({ sub: `test-${unit.toLowerCase()}`, unit, level, roles }, { secret: DEV_SECRET });
}

/** A valid request body; override what the test is about. */
export function requestBody(overrides: Partial<OutboundRequestBody> = {}): OutboundRequestBody {
  return sampleRequestBody(overrides);
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
