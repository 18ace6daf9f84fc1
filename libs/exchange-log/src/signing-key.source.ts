import { ExchangeLogError } from './exchange-log.error';
import {
  generateSigningKey,
  type NoteSigner,
  parseSignerKey,
  type SigningKeyPair,
  verifierKeyOf,
} from './signed-note.keys';

/** The file system as the key loader needs it: one port, so the rules below test without a disk. */
export interface KeyFiles {
  exists(path: string): boolean;
  /** Throws (with the system's reason) when the file cannot be read. */
  read(path: string): string;
  /** Creates missing directories; the secret file must be readable by its owner only. */
  writeSecret(path: string, text: string): void;
  write(path: string, text: string): void;
}

export interface SignerKeySource {
  /** Name of the configuration setting, for error messages (e.g. `LOG_SIGNING_KEY`). */
  readonly setting: string;
  /** The `PRIVATE+KEY+...` text itself (from a secret store through the environment). */
  readonly inline?: string;
  /** A file holding it (`<setting>_FILE`). */
  readonly file?: string;
  /** When neither is configured: where the development key lives, generated on first use. */
  readonly devFile?: string;
  /** Key name of a generated development key (by convention the log's origin). */
  readonly name: string;
}

export interface LoadedSignerKey {
  readonly signer: NoteSigner;
  /** The public key to publish (`<name>+<id>+<base64>`). */
  readonly verifierKey: string;
  readonly origin: 'configured' | 'configured-file' | 'development-file' | 'development-generated';
  readonly path?: string;
}

function unavailable(message: string): ExchangeLogError {
  return new ExchangeLogError('EXCHANGE_LOG.KEY_UNAVAILABLE', message);
}

function parse(text: string, where: string): { signer: NoteSigner; verifierKey: string } {
  const skey = text.trim();
  try {
    return { signer: parseSignerKey(skey), verifierKey: verifierKeyOf(skey) };
  } catch (error) {
    throw new ExchangeLogError(
      'EXCHANGE_LOG.KEY_MALFORMED',
      `${where} does not hold an Ed25519 signer key (PRIVATE+KEY+<name>+<id>+<key>): ${(error as Error).message}`,
    );
  }
}

/**
 * Resolves the signing key: the configured key text, else the configured file (an unreadable or
 * malformed one is an error naming the setting — never a silent fallback), else a development key
 * kept in `devFile` and generated there on first use, with its public key beside it (`.vkey`).
 */
export function loadSignerKey(
  source: SignerKeySource,
  files: KeyFiles,
  generate: (name: string) => SigningKeyPair = generateSigningKey,
): LoadedSignerKey {
  if (source.inline !== undefined && source.file !== undefined) {
    throw unavailable(`set either ${source.setting} or ${source.setting}_FILE, not both`);
  }
  if (source.inline !== undefined) return { ...parse(source.inline, source.setting), origin: 'configured' };
  if (source.file !== undefined) {
    let text: string;
    try {
      text = files.read(source.file);
    } catch (error) {
      throw unavailable(
        `${source.setting}_FILE=${source.file}: cannot read the signing key (${(error as Error).message})`,
      );
    }
    return {
      ...parse(text, `${source.setting}_FILE=${source.file}`),
      origin: 'configured-file',
      path: source.file,
    };
  }
  if (source.devFile === undefined) {
    throw unavailable(`no signing key: set ${source.setting} or ${source.setting}_FILE`);
  }
  if (files.exists(source.devFile)) {
    return {
      ...parse(files.read(source.devFile), `development key ${source.devFile}`),
      origin: 'development-file',
      path: source.devFile,
    };
  }
  const pair = generate(source.name);
  files.writeSecret(source.devFile, `${pair.signerKey}\n`);
  files.write(`${source.devFile.replace(/\.key$/, '')}.vkey`, `${pair.verifierKey}\n`);
  return {
    ...parse(pair.signerKey, `generated key for ${source.name}`),
    origin: 'development-generated',
    path: source.devFile,
  };
}
