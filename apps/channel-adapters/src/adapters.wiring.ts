import { randomUUID } from 'node:crypto';
import type { Infrastructure } from '@ixr/runtime';
import { DEV_PARTNER_KEY_SEED } from '@ixr/messaging';
import { Clock, IdGenerator, isProductionMode } from '@ixr/platform';
import { partnerAddressPolicy } from '@ixr/routing';
import { createAdapterRegistry } from './adapters/adapter.registry';
import { PartnerEndpoints, type DirectorySource } from './adapters/partner-endpoints';
import { PartnerHttpClient } from './adapters/partner-http.client';
import { CircuitBreakers } from './circuits/circuit-breakers';
import { CircuitStateReporter } from './circuits/circuit-state.reporter';
import type { AdaptersConfig } from './config';
import { DeliverUseCase } from './delivery/deliver.usecase';
import { GuardedSend } from './delivery/guarded-send';
import { SendLedger, type SendTable } from './delivery/send-ledger';
import { SendRetries, SendRetryScheduler } from './delivery/send-retries';
import { InboundReceiver } from './inbound/inbound-receiver';
import { PartnerKeys } from './inbound/partner-keys';
import { SendReplyUseCase } from './replies/send-reply.usecase';

export type AdapterParts = ReturnType<typeof wireAdapters>;

/**
 * The channel adapters' object graph, built once from configuration (STYLE §2: one place to swap
 * parts) by the one factory provider of `AdaptersModule`: the breakers, their probe and the partner
 * client refer to each other, which Nest's constructor injection cannot express.
 */
export function wireAdapters(config: AdaptersConfig, infra: Infrastructure, directories: DirectorySource) {
  if (!infra.relay) throw new Error('the channel adapters need an outbox relay');
  const { dataSource, relay, logger, registry } = infra;
  const clock = new Clock();
  const ids = new IdGenerator();
  const reporter = new CircuitStateReporter(
    dataSource,
    infra.publisher,
    ids,
    `channel-adapters-${process.pid}-${randomUUID().slice(0, 8)}`,
    logger,
    config.CIRCUIT_REPORT_MS,
  );
  // The probe of a half-open circuit is a plain call to the partner (it must not go through the breaker).
  const probe = (channel: string, destination: string, signal: AbortSignal): Promise<void> =>
    http.probe(channel, destination, signal);
  const breakers: CircuitBreakers = new CircuitBreakers(
    {
      timeoutMs: config.PARTNER_TIMEOUT_MS,
      resetMs: config.CIRCUIT_RESET_MS,
      errorThresholdPercentage: config.CIRCUIT_ERROR_PERCENT,
      volumeThreshold: config.CIRCUIT_VOLUME_THRESHOLD,
      rollingWindowMs: config.CIRCUIT_WINDOW_MS,
    },
    probe,
    reporter.onChange,
    registry,
  );
  const http: PartnerHttpClient = new PartnerHttpClient(
    new PartnerEndpoints(
      directories,
      config.PARTNER_BASE_URL,
      config.DIRECTORY_MAX_AGE_MS,
      partnerAddressPolicy(config.PARTNER_ALLOWED_HOSTS, isProductionMode()),
    ),
    breakers,
  );
  const adapters = createAdapterRegistry(http);
  const retries = new SendRetries({
    baseDelayMs: config.DELIVERY_RETRY_BASE_MS,
    maxDelayMs: config.DELIVERY_RETRY_MAX_MS,
    windowMs: config.DELIVERY_RETRY_WINDOW_MS,
  });
  const sender = (table: SendTable) =>
    new GuardedSend(dataSource, relay, new SendLedger(dataSource, table), retries, clock, ids, logger, {
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      // A lookup and a send, each bounded by the breaker's timeout, and a margin.
      leaseMs: 2 * config.PARTNER_TIMEOUT_MS + 2000,
      windowMs: config.DELIVERY_RETRY_WINDOW_MS,
      groupSize: config.DELIVERY_GROUP_SIZE,
    });
  const scheduler = new SendRetryScheduler(
    dataSource,
    relay,
    logger,
    config.DELIVERY_RETRY_SCAN_MS,
    infra.wakeups,
  );
  const deliveries = sender('deliveries');
  return {
    deliver: new DeliverUseCase(adapters, deliveries),
    replies: new SendReplyUseCase(adapters, sender('reply_sends'), deliveries),
    dataSource,
    inbound: new InboundReceiver(
      dataSource,
      relay,
      new PartnerKeys(config.PARTNER_KEYS, partnerKeySeed(config)),
      directories,
      clock,
      ids,
      config.INBOUND_MAX_SKEW_SECONDS,
    ),
    background: {
      start: () => {
        reporter.start();
        scheduler.start();
      },
      // Before the consumers drain: in-flight sends still finish through their breakers; this
      // instance's circuit rows go, since its breakers die with it.
      stop: async () => {
        await scheduler.stop();
        await reporter.stop();
      },
    },
  };
}

/** The seed unlisted partners' keys derive from: none once partners are listed, unless set. */
export function partnerKeySeed(
  config: Pick<AdaptersConfig, 'PARTNER_KEYS' | 'PARTNER_KEY_SEED'>,
): string | undefined {
  if (config.PARTNER_KEY_SEED !== undefined) return config.PARTNER_KEY_SEED;
  return Object.keys(config.PARTNER_KEYS).length === 0 ? DEV_PARTNER_KEY_SEED : undefined;
}
