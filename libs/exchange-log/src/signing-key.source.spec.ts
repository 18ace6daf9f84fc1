import { ExchangeLogError } from './exchange-log.error';
import { signingKeyFromSeed } from './signed-note.keys';
import { type KeyFiles, loadSignerKey } from './signing-key.source';

const pair = signingKeyFromSeed('ixr.example/log', Buffer.alloc(32, 5));

/** A strict in-memory file system: reading a missing file fails like the real one. */
function memoryFiles(
  initial: Record<string, string> = {},
): KeyFiles & { files: Map<string, string>; secrets: Set<string> } {
  const files = new Map(Object.entries(initial));
  const secrets = new Set<string>();
  return {
    files,
    secrets,
    exists: (path) => files.has(path),
    read: (path) => {
      const text = files.get(path);
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    writeSecret: (path, text) => {
      files.set(path, text);
      secrets.add(path);
    },
    write: (path, text) => void files.set(path, text),
  };
}

function errorOf(run: () => unknown): ExchangeLogError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeLogError) return error;
    throw error;
  }
  throw new Error('expected an ExchangeLogError');
}

describe('loadSignerKey', () => {
  const base = { setting: 'LOG_SIGNING_KEY', name: 'ixr.example/log', devFile: '.data/log/log.key' };

  it('uses the configured key text', () => {
    const loaded = loadSignerKey({ ...base, inline: pair.signerKey }, memoryFiles());
    expect(loaded).toMatchObject({ origin: 'configured', verifierKey: pair.verifierKey });
    expect(loaded.signer.name).toBe('ixr.example/log');
  });

  it('reads the configured file, trimming its newline', () => {
    const files = memoryFiles({ '/etc/ixr/log.key': `${pair.signerKey}\n` });
    expect(loadSignerKey({ ...base, file: '/etc/ixr/log.key' }, files)).toMatchObject({
      origin: 'configured-file',
      verifierKey: pair.verifierKey,
    });
  });

  it('names the setting and the reason when the configured file is unreadable or not a key', () => {
    const missing = errorOf(() => loadSignerKey({ ...base, file: '/nope.key' }, memoryFiles()));
    expect(missing.code).toBe('EXCHANGE_LOG.KEY_UNAVAILABLE');
    expect(missing.message).toMatch(/LOG_SIGNING_KEY_FILE=\/nope\.key: cannot read the signing key \(ENOENT/);
    const junk = errorOf(() => loadSignerKey({ ...base, file: '/junk' }, memoryFiles({ '/junk': 'hello' })));
    expect(junk.code).toBe('EXCHANGE_LOG.KEY_MALFORMED');
    expect(junk.message).toMatch(/LOG_SIGNING_KEY_FILE=\/junk does not hold an Ed25519 signer key/);
    const both = errorOf(() => loadSignerKey({ ...base, inline: pair.signerKey, file: '/x' }, memoryFiles()));
    expect(both.message).toMatch(/either LOG_SIGNING_KEY or LOG_SIGNING_KEY_FILE/);
  });

  it('a configured key that is unreadable never falls back to the development key', () => {
    const files = memoryFiles({ [base.devFile]: pair.signerKey });
    expect(() => loadSignerKey({ ...base, file: '/missing' }, files)).toThrow(/cannot read/);
  });

  it('generates a development key once, secret file plus public .vkey, then reuses it', () => {
    const files = memoryFiles();
    const first = loadSignerKey(base, files, () => pair);
    expect(first.origin).toBe('development-generated');
    expect(files.secrets.has(base.devFile)).toBe(true);
    expect(files.files.get('.data/log/log.vkey')).toBe(`${pair.verifierKey}\n`);
    const second = loadSignerKey(base, files, () => {
      throw new Error('must not generate twice');
    });
    expect(second).toMatchObject({ origin: 'development-file', verifierKey: pair.verifierKey });
  });

  it('without any source, says which settings to use', () => {
    expect(errorOf(() => loadSignerKey({ setting: 'X', name: 'n' }, memoryFiles())).message).toMatch(
      /set X or X_FILE/,
    );
  });
});
