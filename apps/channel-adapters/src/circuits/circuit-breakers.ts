import type { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CircuitOpenError, PartnerTimeoutError } from '../adapters/partner-errors';
import { DeliveryRejectedError } from '../adapters/channel-adapter';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitChange {
  channel: string;
  destination: string;
  state: CircuitState;
  at: Date;
  reason: string;
}

export interface CircuitOptions {
  /** A partner call longer than this is aborted (the HTTP request is cancelled) and counts as a failure. */
  timeoutMs: number;
  /** How long an open circuit waits before letting one probe through (half-open). */
  resetMs: number;
  /** Failures (in %) of the calls in the rolling window that open the circuit… */
  errorThresholdPercentage: number;
  /** …once at least this many calls were made in the window. */
  volumeThreshold: number;
  rollingWindowMs: number;
}

/** One partner call: its own abort controller, so a timeout cancels this call and no other. */
interface PartnerCall {
  controller: AbortController;
  run(signal: AbortSignal): Promise<unknown>;
}

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * One opossum circuit breaker per channel and destination (issue: a partner that fails is left
 * alone for a while, then probed). A timeout really aborts the HTTP call; a refusal (4xx) is an
 * answer, not a failure, and never opens the circuit. When a circuit turns half-open, a probe
 * (`probe`) is sent at once, so it closes again as soon as the partner is back even when no
 * delivery is waiting for it. Every transition goes to `onChange` and to the metrics.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[PartnerCall], unknown>>();
  private readonly stateGauge?: Gauge<'channel' | 'destination'>;
  private readonly events?: Counter<'channel' | 'destination' | 'event'>;

  constructor(
    private readonly options: CircuitOptions,
    private readonly probe: (channel: string, destination: string, signal: AbortSignal) => Promise<void>,
    private readonly onChange: (change: CircuitChange) => void = () => undefined,
    registry?: Registry,
  ) {
    if (registry) {
      this.stateGauge = new Gauge({
        name: 'ixr_circuit_state',
        help: 'Circuit breaker state per partner: 0 closed, 1 half-open, 2 open',
        labelNames: ['channel', 'destination'],
        registers: [registry],
      });
      this.events = new Counter({
        name: 'ixr_circuit_events_total',
        help: 'Circuit breaker events per partner (success, failure, timeout, reject, open, half_open, close)',
        labelNames: ['channel', 'destination', 'event'],
        registers: [registry],
      });
    }
  }

  /** Runs a partner call through the partner's breaker; fails fast with CircuitOpenError while open. */
  async run<T>(channel: string, destination: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const breaker = this.breakerFor(channel, destination);
    try {
      return (await breaker.fire({ controller: new AbortController(), run: call })) as T;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') {
        throw new CircuitOpenError(`the circuit to ${channel} partner ${destination} is open`);
      }
      if (code === 'ETIMEDOUT' && !(error instanceof PartnerTimeoutError)) {
        throw new PartnerTimeoutError(
          `${channel} partner ${destination} did not answer within ${this.options.timeoutMs} ms`,
        );
      }
      throw error;
    }
  }

  stateOf(channel: string, destination: string): CircuitState {
    const breaker = this.breakers.get(key(channel, destination));
    return breaker ? stateOf(breaker) : 'closed';
  }

  states(): { channel: string; destination: string; state: CircuitState }[] {
    return [...this.breakers.entries()].map(([k, breaker]) => {
      const [channel = '', destination = ''] = k.split('\u0000');
      return { channel, destination, state: stateOf(breaker) };
    });
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerFor(channel: string, destination: string): CircuitBreaker<[PartnerCall], unknown> {
    const id = key(channel, destination);
    const existing = this.breakers.get(id);
    if (existing) return existing;
    const breaker = new CircuitBreaker<[PartnerCall], unknown>((call) => call.run(call.controller.signal), {
      name: `${channel}/${destination}`,
      timeout: this.options.timeoutMs,
      resetTimeout: this.options.resetMs,
      errorThresholdPercentage: this.options.errorThresholdPercentage,
      volumeThreshold: this.options.volumeThreshold,
      rollingCountTimeout: this.options.rollingWindowMs,
      rollingCountBuckets: 10,
      rollingPercentilesEnabled: false,
      // The partner answered: a refusal says nothing about its health.
      errorFilter: (error: unknown) => error instanceof DeliveryRejectedError,
    });
    const labels = { channel, destination };
    // opossum passes the call's arguments with 'timeout'; @types/opossum omits them.
    (breaker as EventEmitter).on('timeout', (_error: unknown, _latency: unknown, args: unknown) => {
      // opossum gives up waiting; cancel the HTTP call itself so no socket lingers.
      const [call] = args as [PartnerCall];
      call.controller.abort(new PartnerTimeoutError(`timed out after ${this.options.timeoutMs} ms`));
      this.events?.inc({ ...labels, event: 'timeout' });
    });
    breaker.on('success', () => this.events?.inc({ ...labels, event: 'success' }));
    breaker.on('failure', () => this.events?.inc({ ...labels, event: 'failure' }));
    breaker.on('reject', () => this.events?.inc({ ...labels, event: 'reject' }));
    breaker.on('open', () => this.changed(channel, destination, 'open', 'failure rate above threshold'));
    breaker.on('close', () => this.changed(channel, destination, 'closed', 'probe succeeded'));
    breaker.on('halfOpen', () => {
      this.changed(channel, destination, 'half_open', `open for ${this.options.resetMs} ms: probing`);
      // One probe; if a delivery gets there first, the probe is rejected and that delivery probes.
      breaker
        .fire({
          controller: new AbortController(),
          run: (signal) => this.probe(channel, destination, signal),
        })
        .catch(() => undefined);
    });
    this.stateGauge?.set(labels, 0);
    this.breakers.set(id, breaker);
    return breaker;
  }

  private changed(channel: string, destination: string, state: CircuitState, reason: string): void {
    this.stateGauge?.set({ channel, destination }, STATE_VALUE[state]);
    this.events?.inc({ channel, destination, event: state });
    this.onChange({ channel, destination, state, at: new Date(), reason });
  }
}

function key(channel: string, destination: string): string {
  return `${channel}\u0000${destination}`;
}

function stateOf(breaker: CircuitBreaker<[PartnerCall], unknown>): CircuitState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half_open';
  return 'closed';
}
