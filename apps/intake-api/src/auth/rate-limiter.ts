import { AppError } from '@ixr/platform';

/** A unit's allowance: a sustained rate and the burst it may spend at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** 429 with Retry-After (SPEC §2): the unit spent its allowance. */
export class RateLimitedError extends AppError {
  readonly code = 'INTAKE.RATE_LIMITED';
  constructor(
    unit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`unit ${unit} sends more requests than it is allowed; retry in ${retryAfterSeconds} s`);
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per unit, in memory: each intake instance enforces its share, which is what a
 * limit against a runaway client or script needs (a shared store would only matter for exact
 * global quotas). Idle buckets are full anyway, so the oldest are dropped when the map grows.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaults: RateLimit,
    private readonly overrides: ReadonlyMap<string, RateLimit> = new Map(),
    private readonly now: () => number = () => Date.now(),
    private readonly maxBuckets = 10_000,
  ) {}

  /** Takes one token for `unit`, or says how many seconds until one is available. */
  take(unit: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const limit = this.overrides.get(unit) ?? this.defaults;
    const now = this.now();
    const bucket = this.buckets.get(unit) ?? { tokens: limit.burst, at: now };
    const tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    this.buckets.delete(unit);
    if (tokens >= 1) {
      this.remember(unit, { tokens: tokens - 1, at: now });
      return { allowed: true };
    }
    this.remember(unit, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.perSecond)) };
  }

  private remember(unit: string, bucket: Bucket): void {
    // A Map iterates in insertion order: the first key is the least recently used.
    this.buckets.set(unit, bucket);
    if (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}

/** Parses `UNIT=perSecond/burst,UNIT=…` (RATE_LIMIT_UNITS), e.g. `CGI-SPOC=500/1000`. */
export function parseRateLimitOverrides(text: string): Map<string, RateLimit> {
  const map = new Map<string, RateLimit>();
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([A-Z0-9][A-Z0-9_-]{0,63})=(\d+(?:\.\d+)?)\/(\d+)$/.exec(item);
    if (!match) throw new Error(`"${item}" is not UNIT=perSecond/burst (e.g. CGI-SPOC=500/1000)`);
    const perSecond = Number(match[2]);
    const burst = Number(match[3]);
    if (perSecond <= 0 || burst < 1) throw new Error(`"${item}": the rate and the burst must be positive`);
    map.set(match[1], { perSecond, burst });
  }
  return map;
}
