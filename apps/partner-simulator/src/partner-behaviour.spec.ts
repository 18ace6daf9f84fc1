import { behaviourSchema, PartnerState } from './partner-behaviour';

describe('PartnerState', () => {
  const message = (key: string, destination = 'NL') => ({
    channel: 'siena',
    destination,
    idempotencyKey: key,
    reference: `SIENA-${destination}-${key}`,
    receivedAt: '2026-01-01T00:00:00Z',
    message: { requestId: 'r-1' },
  });

  it('counts every receipt per idempotency key and lists the duplicates', () => {
    const state = new PartnerState({ mode: 'ok', latencyMs: 0 });
    state.record(message('a'));
    state.record(message('b'));
    expect(state.record(message('a')).count).toBe(2);
    expect(state.countOf('a')).toBe(2);
    expect(state.countOf('b')).toBe(1);
    expect(state.countOf('c')).toBe(0);
    expect(state.stats()).toMatchObject({
      received: 3,
      unique: 2,
      duplicates: [{ idempotencyKey: 'a', count: 2, channel: 'siena', destination: 'NL' }],
    });
  });

  it('finds a held message without counting it, only at its own partner', () => {
    const state = new PartnerState({ mode: 'ok', latencyMs: 0 });
    state.record(message('a'));
    expect(state.find('siena', 'NL', 'a')?.reference).toBe('SIENA-NL-a');
    expect(state.find('siena', 'DE', 'a')).toBeUndefined();
    expect(state.countOf('a')).toBe(1);
  });

  it('applies a partner’s behaviour, then the channel’s, then the default', () => {
    const state = new PartnerState({ mode: 'ok', latencyMs: 0 });
    state.setBehaviour('siena', '*', behaviourSchema.parse({ mode: 'slow', latencyMs: 50 }));
    state.setBehaviour('siena', 'NL', behaviourSchema.parse({ mode: 'refuse' }));
    expect(state.behaviourOf('siena', 'NL').mode).toBe('refuse');
    expect(state.behaviourOf('siena', 'DE').mode).toBe('slow');
    expect(state.behaviourOf('interpol', 'US').mode).toBe('ok');
    expect(behaviourSchema.safeParse({ mode: 'explode' }).success).toBe(false);
    expect(behaviourSchema.safeParse({ answerAfterMs: -1 }).success).toBe(false);
  });
});
