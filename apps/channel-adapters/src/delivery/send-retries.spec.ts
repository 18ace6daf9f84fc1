import { retryDelay } from './send-retries';

describe('retryDelay', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 8000, windowMs: 60_000 };

  it('doubles per round up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((r) => retryDelay(policy, r, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000,
    ]);
  });

  it('keeps half of the delay fixed and jitters the other half', () => {
    expect(retryDelay(policy, 3, () => 0)).toBe(2000);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(3000);
  });
});
