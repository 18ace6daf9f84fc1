import { type KeyFiles, signingKeyFromSeed } from '@ixr/exchange-log';
import { ConfigError } from '@ixr/platform';
import { loadAuditConfig, loadAuditSettings, loadExporter } from './audit.config';

const log = signingKeyFromSeed('ixr.local/exchange-log', Buffer.alloc(32, 1));
const exporter = signingKeyFromSeed('ixr.local/audit-export', Buffer.alloc(32, 2));

function files(initial: Record<string, string> = {}): KeyFiles & { written: Map<string, string> } {
  const all = new Map(Object.entries(initial));
  const written = new Map<string, string>();
  return {
    written,
    exists: (p) => all.has(p),
    read: (p) => {
      if (!all.has(p)) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return all.get(p)!;
    },
    writeSecret: (p, t) => void (all.set(p, t), written.set(p, t)),
    write: (p, t) => void (all.set(p, t), written.set(p, t)),
  };
}

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('audit settings', () => {
  it('trusts the configured log keys (one per line or comma-separated)', () => {
    const keys = `${log.verifierKey}\n${exporter.verifierKey}\n`;
    expect(loadAuditConfig({ LOG_VERIFIER_KEY_FILE: '/k' }, files({ '/k': keys })).configuredLogKeys).toEqual(
      [log.verifierKey, exporter.verifierKey],
    );
    expect(
      loadAuditConfig({ LOG_VERIFIER_KEY: `${log.verifierKey},${exporter.verifierKey}` }, files())
        .configuredLogKeys,
    ).toHaveLength(2);
    expect(loadAuditConfig({}, files()).configuredLogKeys).toEqual([]);
  });

  it('names the setting of an unreadable or malformed key, and never starts with it', () => {
    expect(problemOf(() => loadAuditConfig({ LOG_VERIFIER_KEY_FILE: '/missing' }, files()))).toMatch(
      /^LOG_VERIFIER_KEY_FILE=\/missing: cannot read the log's public key \(ENOENT/,
    );
    const malformed = problemOf(() => loadAuditConfig({ LOG_VERIFIER_KEY: 'not-a-key' }, files()));
    expect(malformed).toMatch(/^LOG_VERIFIER_KEY: an entry is not a verifier key/);
    expect(malformed).not.toContain('not-a-key');
    expect(
      problemOf(() => loadAuditConfig({ LOG_VERIFIER_KEY_FILE: '/empty' }, files({ '/empty': '\n' }))),
    ).toMatch(/holds no key/);
    const { config } = loadAuditConfig({ AUDIT_SIGNING_KEY_FILE: '/nope' }, files());
    expect(problemOf(() => loadExporter(config, files()))).toMatch(
      /^AUDIT_SIGNING_KEY_FILE=\/nope: cannot read the signing key/,
    );
  });

  it('uses the configured exporter key, else generates a development key once', () => {
    const configured = loadAuditSettings({ AUDIT_SIGNING_KEY: exporter.signerKey }, files());
    expect(configured.exporter.verifierKey).toBe(exporter.verifierKey);
    const disk = files();
    const generated = loadAuditSettings({ AUDIT_DEV_KEY_FILE: '/dev/export.key' }, disk);
    expect([...disk.written.keys()]).toEqual(['/dev/export.key', '/dev/export.vkey']);
    expect(loadAuditSettings({ AUDIT_DEV_KEY_FILE: '/dev/export.key' }, disk).exporter.verifierKey).toBe(
      generated.exporter.verifierKey,
    );
  });
});
