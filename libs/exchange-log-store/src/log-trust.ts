import { type NoteVerifier, parseVerifierKey } from '@ixr/exchange-log';
import type { LogReader } from './log.reader';

/**
 * Which public keys the audit trusts for the log's checkpoints. A key configured out of band is
 * the real anchor; without one, the keys the writer published in the database are used — enough
 * to catch tampering by anyone without the private key, and reported as such.
 */
export interface LogTrust {
  readonly origin: string;
  readonly source: 'configured' | 'published-in-database';
  readonly keys: readonly string[];
  readonly verifiers: readonly NoteVerifier[];
}

export async function resolveLogTrust(
  reader: LogReader,
  origin: string,
  configuredKeys: readonly string[],
): Promise<LogTrust> {
  const source = configuredKeys.length > 0 ? 'configured' : 'published-in-database';
  const keys = configuredKeys.length > 0 ? configuredKeys : await reader.publishedKeys();
  return { origin, source, keys, verifiers: keys.map((k) => parseVerifierKey(k)) };
}
