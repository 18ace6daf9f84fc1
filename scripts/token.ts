import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importJWK, type JWK, type KeyLike } from 'jose';
import { DEV_SECRET, ROLES, signDevToken, signTokenWithKey, type Claims, type Role } from '@ixr/auth';
import { UNIT_LEVELS, type UnitLevel } from '@ixr/domain';

const USAGE = `usage: npm run token -- --unit <UNIT-ID> --roles <role[,role]> [--sub <person>] [--level local|federal|cyber] [--expires 12h] [--key private-jwk.json]
roles: ${ROLES.join(', ')}
--key signs RS256/ES256 with a private JWK (its "alg" and "kid" are used), for an intake configured with JWT_JWKS_FILE/URL;
without it the token is HS256 with JWT_SECRET (or the development secret).`;

/** Mints a development token signed with JWT_SECRET (or the local development secret). */
async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        unit: { type: 'string' },
        roles: { type: 'string' },
        sub: { type: 'string' },
        level: { type: 'string' },
        expires: { type: 'string', default: '12h' },
        key: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.unit) fail(`--unit is required\n${USAGE}`);
  if (!values.roles) fail(`--roles is required\n${USAGE}`);
  const roles = values.roles.split(',').map((r) => r.trim());
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) fail(`unknown role(s): ${unknown.join(', ')} (roles: ${ROLES.join(', ')})`);
  const level = (values.level ?? inferLevel(values.unit)) as UnitLevel;
  if (!(UNIT_LEVELS as readonly string[]).includes(level))
    fail(`--level must be one of ${UNIT_LEVELS.join(', ')}`);
  if (!/^[A-Z0-9][A-Z0-9_-]{0,63}$/.test(values.unit)) fail('--unit must be a unit id such as PZ-5339');
  if (!/^\d+[smhd]$/.test(values.expires ?? '')) fail('--expires must look like 30m, 12h or 7d');
  const claims: Claims = {
    sub: values.sub ?? `dev-${values.unit.toLowerCase()}`,
    unit: values.unit,
    level,
    roles: roles as Role[],
  };
  const token = values.key
    ? await signWithKeyFile(claims, values.key, values.expires)
    : await signDevToken(claims, { secret: process.env.JWT_SECRET ?? DEV_SECRET, expiresIn: values.expires });
  process.stdout.write(`${token}\n`);
}

async function signWithKeyFile(claims: Claims, file: string, expiresIn: string | undefined): Promise<string> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (error) {
    fail(`--key ${file}: ${(error as Error).message}`);
  }
  if (jwk.alg !== 'RS256' && jwk.alg !== 'ES256') fail('--key: the JWK must say "alg": "RS256" or "ES256"');
  if (!jwk.d) fail('--key: the JWK has no private part ("d")');
  const privateKey = (await importJWK(jwk, jwk.alg)) as KeyLike;
  return signTokenWithKey(claims, { privateKey, alg: jwk.alg, kid: jwk.kid, expiresIn });
}

function inferLevel(unit: string): UnitLevel {
  if (unit.startsWith('PZ-')) return 'local';
  if (unit.includes('CYBER')) return 'cyber';
  return 'federal';
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

void main();
