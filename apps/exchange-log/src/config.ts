import { z } from 'zod';
import { dataKeyMasterDevelopmentDefault, type DevelopmentDefault, env } from '@ixr/platform';
import { checkServiceConfig, serviceConfigShape, serviceDatabaseDefault } from '@ixr/runtime';

const optionalText = z.string().trim().min(1).optional();

export const exchangeLogConfigSchema = z
  .object({
    ...serviceConfigShape('log', { port: 3003, dbPoolSize: 5 }),
    CONSUMER_CONCURRENCY: env.positiveInt(6),
    /** The log's name in its checkpoints (C2SP origin), also the name of its signing key. */
    LOG_ORIGIN: z
      .string()
      .regex(/^[^\s+]+$/, 'must be one word without spaces or "+" (e.g. ixr.police.example/exchange-log)')
      .default('ixr.local/exchange-log'),
    /** The Ed25519 signer key (PRIVATE+KEY+<name>+<id>+<key>), or a file holding it. */
    LOG_SIGNING_KEY: optionalText,
    LOG_SIGNING_KEY_FILE: optionalText,
    /** Without either: a development key kept here, generated on first start (its .vkey beside it). */
    LOG_DEV_KEY_FILE: z.string().min(1).default('.data/exchange-log/log.key'),
    /**
     * A copy of the latest signed checkpoint kept outside the database (another disk or host): a
     * database restored from an older backup, whose own checkpoints went back with it, is caught.
     */
    LOG_CHECKPOINT_FILE: optionalText,
    /** A signed checkpoint at least every N entries... */
    CHECKPOINT_EVERY: env.positiveInt(1000),
    /** ...and, when the log grew, every T milliseconds. */
    CHECKPOINT_INTERVAL_MS: env.positiveInt(5000),
  })
  .superRefine(checkServiceConfig);
export type ExchangeLogConfig = z.infer<typeof exchangeLogConfigSchema>;

/** What the log writer falls back to outside production mode (refused in it: SPEC §6). */
export function exchangeLogDevelopmentDefaults(
  config: ExchangeLogConfig,
  environment: NodeJS.ProcessEnv = process.env,
): DevelopmentDefault[] {
  return [
    {
      setting: 'LOG_SIGNING_KEY or LOG_SIGNING_KEY_FILE',
      applies: config.LOG_SIGNING_KEY === undefined && config.LOG_SIGNING_KEY_FILE === undefined,
      what: `a development checkpoint key generated on disk (${config.LOG_DEV_KEY_FILE})`,
    },
    serviceDatabaseDefault('log', environment),
    dataKeyMasterDevelopmentDefault(environment),
  ];
}
