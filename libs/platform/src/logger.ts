import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * Application logs are not the exchange log: they may be read by operators without a need to know,
 * shipped to other systems and kept longer. So personal data of requests (Directive 2016/680) and
 * secrets never reach them. Three layers, because one slip is enough to leak:
 * 1. keys that hold personal data or secrets are replaced wherever they appear, at any depth
 *    (a request body, a Kafka payload, a database error's query parameters, a token);
 * 2. strings that look like a bearer token or a JWT are masked wherever they appear, messages
 *    included (an error message that quotes a header);
 * 3. pino's own redaction for the well-known paths, a last net that costs nothing.
 */
export const REDACTED = '[redacted]';

/** Keys (compared in lower case) whose values never reach a log line. */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  // secrets
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'jwt',
  'apikey',
  'api_key',
  'x-api-key',
  'privatekey',
  'private_key',
  'sasl',
  'ssl',
  // personal data and operational content of a request (SPEC §2 body) and of events
  'body',
  'payload',
  'request',
  'subjects',
  'informationsought',
  'purpose',
  'justification',
  'x-justification',
  'offence',
  'description',
  'dateofbirth',
  'documentnumber',
  'nationality',
  'registration',
  'vin',
  'address',
  // a database error carries the values of its query
  'parameters',
  'drivererror',
]);

/** Key fragments that mark a secret whatever the rest of the name (`JWT_SECRET`, `kafkaPassword`). */
const SENSITIVE_KEY_PARTS = [
  'secret',
  'password',
  'passwd',
  'token',
  'authorization',
  'apikey',
  'api_key',
  'private',
];

function isSensitiveKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SENSITIVE_KEYS.has(lower) || SENSITIVE_KEY_PARTS.some((part) => lower.includes(part));
}

/** pino paths redacted at serialisation: the first net for the usual places. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  '*.body',
  'subjects',
  '*.subjects',
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

const TOKEN_PATTERNS: RegExp[] = [
  // a JWT (header.payload.signature, base64url, the header starting with '{"' = eyJ)
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // any bearer or basic credential
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
];
const MAX_DEPTH = 8;

/** Masks tokens inside a string. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** A copy of `value` without sensitive keys and token-looking strings; errors become plain objects. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  if (value instanceof Error) {
    return scrubValue(pino.stdSerializers.err(value), depth, seen);
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) ? REDACTED : scrubValue(item, depth + 1, seen);
  }
  return out;
}

export function createLogger(
  service: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (object) => scrubValue(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        // Messages and format arguments are strings pino writes as they are: mask tokens in them.
        const clean = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
        method.apply(this, clean as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Bridges Nest's logger interface to pino: one structured JSON line per event. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) {
      this.logger[level]({ err: message, context }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...message, context });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
