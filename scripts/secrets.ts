import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSigningKey } from '@ixr/exchange-log';

/**
 * `npm run secrets -- [dir]` (default ./secrets): the files docker-compose.yml mounts as Docker
 * secrets, each readable by its owner only. Existing files are kept (re-running never rotates a
 * key by accident). The log's origin and the export key's name follow LOG_ORIGIN and
 * AUDIT_EXPORT_KEY_NAME when set.
 */
function main(): void {
  const dir = resolve(process.argv[2] ?? 'secrets');
  if (process.argv.length > 3 || process.argv[2]?.startsWith('-')) {
    process.stderr.write(
      'usage: npm run secrets -- [dir]   (writes the Docker secrets of docker-compose.yml)\n',
    );
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = generateSigningKey(process.env.LOG_ORIGIN ?? 'ixr.local/exchange-log');
  const audit = generateSigningKey(process.env.AUDIT_EXPORT_KEY_NAME ?? 'ixr.local/audit-export');
  // Each group is written whole or kept whole: the log's signing key and verifier key must match.
  const groups: Array<Record<string, string>> = [
    { jwt_secret: randomBytes(48).toString('base64url') },
    { partner_key_seed: randomBytes(32).toString('base64url') },
    { log_signing_key: log.signerKey, log_verifier_key: log.verifierKey },
    { audit_signing_key: audit.signerKey },
    // Wraps the per-request data keys of personal data (SPEC §10); losing it loses that data.
    { data_key_master: randomBytes(32).toString('base64') },
  ];
  for (const group of groups) {
    const names = Object.keys(group);
    const present = names.filter((name) => existsSync(join(dir, name)));
    if (present.length === names.length) {
      process.stdout.write(`kept     ${names.join(', ')}\n`);
      continue;
    }
    if (present.length > 0) {
      process.stderr.write(
        `${present.join(', ')} exist(s) without ${names.join(', ')}: remove or complete them\n`,
      );
      process.exit(1);
    }
    for (const [name, text] of Object.entries(group)) {
      writeFileSync(join(dir, name), `${text}\n`, { mode: 0o600, flag: 'wx' });
      process.stdout.write(`written  ${join(dir, name)}\n`);
    }
  }
  process.stdout.write('Keep this directory out of version control (./secrets is in .gitignore).\n');
}

main();
