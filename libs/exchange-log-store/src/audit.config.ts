import { z } from 'zod';
import { type KeyFiles, loadSignerKey, parseVerifierKey } from '@ixr/exchange-log';
import { ConfigError, type DevelopmentDefault, env, loadConfig } from '@ixr/platform';
import type { ExportSigner } from './evidence-export';
import { nodeKeyFiles } from './signing-key.files';

const optionalText = z.string().trim().min(1).optional();

/** The audit tools' settings (the intake API's audit routes and `npm run audit` read the same). */
export const auditConfigSchema = z.object({
  /** The log's origin, as its checkpoints name it. */
  LOG_ORIGIN: z.string().min(1).default('ixr.local/exchange-log'),
  /** The log's public key(s) (`<name>+<id>+<key>`, one per line), or a file holding them. */
  LOG_VERIFIER_KEY: optionalText,
  LOG_VERIFIER_KEY_FILE: optionalText,
  /** The exporter's Ed25519 signer key for bundle manifests, or a file; else a development key. */
  AUDIT_SIGNING_KEY: optionalText,
  AUDIT_SIGNING_KEY_FILE: optionalText,
  AUDIT_DEV_KEY_FILE: z.string().min(1).default('.data/audit/export.key'),
  AUDIT_EXPORT_KEY_NAME: z
    .string()
    .regex(/^[^\s+]+$/, 'one word without spaces or "+"')
    .default('ixr.local/audit-export'),
  /** The SPOC unit the router is configured with: replay decides as the router did. */
  SPOC_UNIT: z.string().min(1).default('CGI-SPOC'),
  AUDIT_EXPORT_MAX_ENTRIES: env.positiveInt(100_000),
});

export interface AuditSettings {
  readonly origin: string;
  /** Empty: trust the keys the log writer published in the database (reported as such). */
  readonly configuredLogKeys: readonly string[];
  readonly exporter: ExportSigner;
  readonly spocUnit: string;
  readonly exportMaxEntries: number;
}
export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');

export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** The settings every audit read needs (no secret: the CLI's verify, timeline and replay stop here). */
export function loadAuditConfig(
  environment: NodeJS.ProcessEnv = process.env,
  files: KeyFiles = nodeKeyFiles,
): { config: AuditConfig; configuredLogKeys: string[] } {
  const config = loadConfig(auditConfigSchema, environment);
  return {
    config,
    configuredLogKeys: verifierKeys(config.LOG_VERIFIER_KEY, config.LOG_VERIFIER_KEY_FILE, files),
  };
}

/** The exporter's signing key, for bundle manifests. */
export function loadExporter(config: AuditConfig, files: KeyFiles = nodeKeyFiles): ExportSigner {
  try {
    const key = loadSignerKey(
      {
        setting: 'AUDIT_SIGNING_KEY',
        inline: config.AUDIT_SIGNING_KEY,
        file: config.AUDIT_SIGNING_KEY_FILE,
        devFile: config.AUDIT_DEV_KEY_FILE,
        name: config.AUDIT_EXPORT_KEY_NAME,
      },
      files,
    );
    return { signer: key.signer, verifierKey: key.verifierKey };
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
}

/** Validated at boot: an unreadable key file or a malformed key stops the start, naming the setting. */
export function loadAuditSettings(
  environment: NodeJS.ProcessEnv = process.env,
  files = nodeKeyFiles,
): AuditSettings {
  const { config, configuredLogKeys } = loadAuditConfig(environment, files);
  return {
    origin: config.LOG_ORIGIN,
    configuredLogKeys,
    exporter: loadExporter(config, files),
    spocUnit: config.SPOC_UNIT,
    exportMaxEntries: config.AUDIT_EXPORT_MAX_ENTRIES,
  };
}

function verifierKeys(inline: string | undefined, file: string | undefined, files: KeyFiles): string[] {
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(['set either LOG_VERIFIER_KEY or LOG_VERIFIER_KEY_FILE, not both']);
  }
  let text = inline ?? '';
  const setting = file !== undefined ? `LOG_VERIFIER_KEY_FILE=${file}` : 'LOG_VERIFIER_KEY';
  if (file !== undefined) {
    try {
      text = files.read(file);
    } catch (error) {
      throw new ConfigError([`${setting}: cannot read the log's public key (${(error as Error).message})`]);
    }
  }
  const keys = text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter(Boolean);
  for (const key of keys) {
    try {
      parseVerifierKey(key);
    } catch (error) {
      throw new ConfigError([
        `${setting}: an entry is not a verifier key (<name>+<id>+<key>): ${(error as Error).message}`,
      ]);
    }
  }
  if (file !== undefined && keys.length === 0) throw new ConfigError([`${setting}: the file holds no key`]);
  return keys;
}

/** What the audit tools fall back to outside production mode (refused in it: SPEC §6). */
export function auditDevelopmentDefaults(environment: NodeJS.ProcessEnv = process.env): DevelopmentDefault[] {
  return [
    {
      setting: 'LOG_VERIFIER_KEY or LOG_VERIFIER_KEY_FILE',
      applies: !environment.LOG_VERIFIER_KEY && !environment.LOG_VERIFIER_KEY_FILE,
      what: "trusting the log's public keys found in the database it audits",
    },
    {
      setting: 'AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE',
      applies: !environment.AUDIT_SIGNING_KEY && !environment.AUDIT_SIGNING_KEY_FILE,
      what: 'a development key generated on disk for signing evidence bundles',
    },
  ];
}
