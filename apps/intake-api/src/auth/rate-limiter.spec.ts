import { parseRateLimitOverrides, RateLimiter } from './rate-limiter';

describe('RateLimiter (token bucket per unit)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, new Map(), clock);
    expect([1, 2, 3].map(() => limiter.take('PZ-5339').allowed)).toEqual([true, true, true]);
    expect(limiter.take('PZ-5339')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // one token back at 2/s
    expect(limiter.take('PZ-5339').allowed).toBe(true);
    expect(limiter.take('PZ-5339').allowed).toBe(false);
  });

  it('keeps units apart, and applies a unit override', () => {
    const limiter = new RateLimiter(
      { perSecond: 1, burst: 1 },
      new Map([['CGI-SPOC', { perSecond: 100, burst: 5 }]]),
      clock,
    );
    expect(limiter.take('PZ-1').allowed).toBe(true);
    expect(limiter.take('PZ-1').allowed).toBe(false);
    expect(limiter.take('PZ-2').allowed).toBe(true);
    expect(Array.from({ length: 5 }, () => limiter.take('CGI-SPOC').allowed)).toEqual(Array(5).fill(true));
    expect(limiter.take('CGI-SPOC').allowed).toBe(false);
  });

  it('rounds the wait up to whole seconds for a slow rate', () => {
    const limiter = new RateLimiter({ perSecond: 0.2, burst: 1 }, new Map(), clock);
    limiter.take('PZ-1');
    expect(limiter.take('PZ-1')).toEqual({ allowed: false, retryAfterSeconds: 5 });
  });

  it('bounds its memory: the least recently used bucket goes first', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, new Map(), clock, 2);
    limiter.take('A');
    limiter.take('B');
    limiter.take('C'); // evicts A, whose bucket starts full again
    expect(limiter.take('A').allowed).toBe(true);
    expect(limiter.take('C').allowed).toBe(false);
  });

  it('parses overrides and names a bad one', () => {
    expect(parseRateLimitOverrides('CGI-SPOC=500/1000, PZ-5339=0.5/2')).toEqual(
      new Map([
        ['CGI-SPOC', { perSecond: 500, burst: 1000 }],
        ['PZ-5339', { perSecond: 0.5, burst: 2 }],
      ]),
    );
    expect(parseRateLimitOverrides('')).toEqual(new Map());
    expect(() => parseRateLimitOverrides('pz=1/1')).toThrow('"pz=1/1" is not UNIT=perSecond/burst');
    expect(() => parseRateLimitOverrides('PZ-1=0/1')).toThrow('must be positive');
  });
});
