import { z } from 'zod';
import { DEV_PARTNER_KEY_SEED, derivePartnerKey } from '@ixr/messaging';
import { dataKeyMasterDevelopmentDefault, type DevelopmentDefault, env } from '@ixr/platform';
import { checkServiceConfig, serviceConfigShape, serviceDatabaseDefault } from '@ixr/runtime';

const partnerKeys = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<channel>/<partner>": "<key>"}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z
        .string()
        .regex(
          /^[a-z_]+\/[A-Z0-9]+(-[A-Z0-9]+)*$/,
          'keys are "<channel>/<partner>": a country (siena/NL) or a directory id (pccc/PCCC-HEERLEN)',
        ),
      z.string().min(32, 'a partner key has at least 32 characters'),
    ),
  );

export const adaptersConfigSchema = z
  .object({
    ...serviceConfigShape('adapters', { port: 3002 }),
    /**
     * The base of the directory's relative partner endpoints (`/partners/siena/{destination}`);
     * locally the partner simulator. Absolute endpoints in the directory ignore it.
     */
    PARTNER_BASE_URL: z.url({ message: 'must be an http(s) URL' }).default('http://127.0.0.1:3100'),
    /** A partner call longer than this is aborted and counts as a failure of its circuit. */
    PARTNER_TIMEOUT_MS: env.positiveInt(5000),
    /** Quick attempts (with backoff and jitter) before a send waits in PostgreSQL for a later round. */
    DELIVERY_MAX_ATTEMPTS: env.positiveInt(5),
    /** Delays between later rounds: from the base, doubling, up to the max. */
    DELIVERY_RETRY_BASE_MS: env.positiveInt(1000),
    DELIVERY_RETRY_MAX_MS: env.positiveInt(15000),
    /** A send still impossible this long after it was first parked goes to the dead letters. */
    DELIVERY_RETRY_WINDOW_MS: env.positiveInt(15 * 60 * 1000),
    /** Deliveries of one Kafka batch claimed, sent side by side and completed together. */
    DELIVERY_GROUP_SIZE: z.coerce.number().int().min(1).max(500).default(32),
    /** A partner endpoint edit in the directory reaches the next partner call within this time. */
    DIRECTORY_MAX_AGE_MS: z.coerce.number().int().min(0).max(60000).default(500),
    /**
     * The longest the retry scheduler sleeps: it wakes when the next parked send is due, or when the
     * database announces a send parked (LISTEN/NOTIFY); this is the safety net's interval, for a
     * notification lost with its connection.
     */
    DELIVERY_RETRY_SCAN_MS: env.positiveInt(30_000),
    /** Circuit breaker per channel and destination: failure %, minimum calls, window, open time. */
    CIRCUIT_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
    CIRCUIT_VOLUME_THRESHOLD: env.positiveInt(5),
    CIRCUIT_WINDOW_MS: env.positiveInt(10000),
    CIRCUIT_RESET_MS: env.positiveInt(5000),
    /** How often circuits not closed are re-stamped for the router (nothing runs while all are closed). */
    CIRCUIT_REPORT_MS: env.positiveInt(1000),
    /**
     * Partner HMAC keys, one by one. Partners not listed get a key derived from PARTNER_KEY_SEED
     * when it is set; with neither set, from the public development seed (development and tests
     * only). Once PARTNER_KEYS is set, an unlisted partner is refused unless a seed is set too, so
     * nobody can sign as, say, Europol with the development seed of a deployment that listed its
     * partners.
     */
    PARTNER_KEYS: partnerKeys.default({}),
    PARTNER_KEY_SEED: z.string().min(16).optional(),
    /**
     * Hosts partner endpoints may use although they are loopback, private or cleartext
     * (comma-separated). Unset outside production: the local simulator's loopback hosts.
     */
    PARTNER_ALLOWED_HOSTS: z.string().optional(),
    /** How far a partner's signature timestamp may be from our clock. */
    INBOUND_MAX_SKEW_SECONDS: env.positiveInt(300),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
  })
  .superRefine(checkServiceConfig);
export type AdaptersConfig = z.infer<typeof adaptersConfigSchema>;

/** What the adapters fall back to outside production mode (refused in it: SPEC §6). */
export function adaptersDevelopmentDefaults(
  config: AdaptersConfig,
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault[] {
  const derivedFromPublicSeed = Object.entries(config.PARTNER_KEYS).filter(([partner, key]) => {
    const [channel = '', id = ''] = partner.split('/');
    return key === derivePartnerKey(DEV_PARTNER_KEY_SEED, { channel, id });
  });
  return [
    {
      setting: 'PARTNER_KEYS or PARTNER_KEY_SEED',
      applies: Object.keys(config.PARTNER_KEYS).length === 0 && config.PARTNER_KEY_SEED === undefined,
      what: 'partner keys derived from the public development seed (anyone could sign as a partner)',
    },
    {
      setting: 'PARTNER_KEY_SEED',
      applies: config.PARTNER_KEY_SEED === DEV_PARTNER_KEY_SEED,
      what: 'the public development seed of partner keys',
    },
    {
      setting: 'PARTNER_KEYS',
      applies: derivedFromPublicSeed.length > 0,
      what: `keys derived from the public development seed (${derivedFromPublicSeed.map(([p]) => p).join(', ')})`,
    },
    serviceDatabaseDefault('adapters', environment),
    dataKeyMasterDevelopmentDefault(environment),
  ];
}
