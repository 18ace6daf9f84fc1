import { Registry } from 'prom-client';
import { DeliveryRejectedError } from '../adapters/channel-adapter';
import { CircuitOpenError, PartnerTimeoutError, PartnerUnavailableError } from '../adapters/partner-errors';
import { CircuitBreakers, type CircuitChange } from './circuit-breakers';

const options = {
  timeoutMs: 100,
  resetMs: 200,
  errorThresholdPercentage: 50,
  volumeThreshold: 2,
  rollingWindowMs: 10_000,
};

function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('CircuitBreakers', () => {
  let breakers: CircuitBreakers;
  let changes: CircuitChange[];
  let partnerUp: boolean;
  let registry: Registry;

  beforeEach(() => {
    changes = [];
    partnerUp = false;
    registry = new Registry();
    breakers = new CircuitBreakers(
      options,
      () => (partnerUp ? Promise.resolve() : Promise.reject(new PartnerUnavailableError('still down'))),
      (c) => changes.push(c),
      registry,
    );
  });
  afterEach(() => breakers.shutdown());

  const failing = () => Promise.reject(new PartnerUnavailableError('answered 500'));

  it('opens after failures, then fails fast without calling the partner', async () => {
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow('answered 500');
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow('answered 500');
    expect(breakers.stateOf('siena', 'NL')).toBe('open');
    let called = false;
    await expect(
      breakers.run('siena', 'NL', () => {
        called = true;
        return Promise.resolve('sent');
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    expect(changes.map((c) => `${c.channel}/${c.destination}:${c.state}`)).toEqual(['siena/NL:open']);
    // One circuit per channel and destination: DE is unaffected.
    await expect(breakers.run('siena', 'DE', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('does not count a refusal (4xx) against the partner’s health', async () => {
    const refuse = () => Promise.reject(new DeliveryRejectedError('400 bad message'));
    for (let i = 0; i < 4; i++) await expect(breakers.run('siena', 'NL', refuse)).rejects.toThrow('400');
    expect(breakers.stateOf('siena', 'NL')).toBe('closed');
  });

  it('aborts the call itself at the timeout', async () => {
    let aborted: unknown;
    const hanging = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          reject(new Error('aborted'));
        });
      });
    const started = Date.now();
    await expect(breakers.run('interpol', 'US', hanging)).rejects.toBeInstanceOf(PartnerTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(aborted).toBeInstanceOf(PartnerTimeoutError);
  });

  it('probes when half-open and closes once the partner answers again', async () => {
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow();
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow();
    // The first probe fails: open again.
    await until(() => changes.filter((c) => c.state === 'half_open').length >= 1);
    await until(() => changes.filter((c) => c.state === 'open').length >= 2);
    partnerUp = true;
    await until(() => breakers.stateOf('siena', 'NL') === 'closed');
    expect(changes.map((c) => c.state)).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
    await expect(breakers.run('siena', 'NL', () => Promise.resolve('sent'))).resolves.toBe('sent');
  });

  it('exports state and event counts as metrics', async () => {
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow();
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow();
    await expect(breakers.run('siena', 'NL', failing)).rejects.toThrow();
    const text = await registry.metrics();
    expect(text).toContain('ixr_circuit_state{channel="siena",destination="NL"} 2');
    expect(text).toContain('ixr_circuit_events_total{channel="siena",destination="NL",event="failure"} 2');
    expect(text).toContain('ixr_circuit_events_total{channel="siena",destination="NL",event="reject"} 1');
    expect(text).toContain('ixr_circuit_events_total{channel="siena",destination="NL",event="open"} 1');
  });
});
