import { readFileSync } from 'node:fs';

/**
 * Production mode (SPEC §6): `NODE_ENV=production` admits no development default. Each app lists
 * the defaults it would fall back to (a development secret, a key derived from a public seed, a
 * generated key); in production the first one stops the boot with one line naming the setting,
 * elsewhere each is announced once at start. The values themselves are never printed.
 */
export interface DevelopmentDefault {
  /** The setting (or settings, `A or B`) that would replace the default. */
  readonly setting: string;
  /** True when the running configuration falls back to the development default. */
  readonly applies: boolean;
  /** What the default is, without its value: "the development secret from the repository". */
  readonly what: string;
}

export class ProductionModeError extends Error {
  readonly code = 'CONFIG.DEVELOPMENT_DEFAULT_IN_PRODUCTION';
  constructor(
    readonly service: string,
    readonly setting: string,
    what: string,
  ) {
    super(`${setting}: production mode (NODE_ENV=production) refuses ${what}; set ${setting}`);
    this.name = 'ProductionModeError';
  }
}

export function isProductionMode(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment.NODE_ENV === 'production';
}

/**
 * Throws on the first development default in production mode; otherwise returns one line per
 * default that applies, for the app to log once at start.
 */
export function checkDevelopmentDefaults(
  service: string,
  defaults: readonly DevelopmentDefault[],
  environment: NodeJS.ProcessEnv = process.env,
): string[] {
  const applying = defaults.filter((d) => d.applies);
  const first = applying[0];
  if (first !== undefined && isProductionMode(environment)) {
    throw new ProductionModeError(service, first.setting, first.what);
  }
  return applying.map(
    (d) => `development default: ${d.what} (set ${d.setting}; refused when NODE_ENV=production)`,
  );
}

/** Every service: the default connection is the local development database, without a password. */
export function databaseDevelopmentDefault(
  environment: NodeJS.ProcessEnv,
  variable: string,
  login: string,
): DevelopmentDefault {
  return {
    setting: variable,
    applies: !environment[variable] && !environment.DATABASE_URL,
    what: `the local development database (postgres://${login}@127.0.0.1:5432/ixr)`,
  };
}

/** Every service: without DATA_KEY_MASTER, data keys are wrapped by a key derived from a public seed. */
export function dataKeyMasterDevelopmentDefault(environment: NodeJS.ProcessEnv): DevelopmentDefault {
  return {
    setting: 'DATA_KEY_MASTER or DATA_KEY_MASTER_FILE',
    applies: !environment.DATA_KEY_MASTER && !environment.DATA_KEY_MASTER_FILE,
    what: 'the development master key of the personal-data keys (derived from a public seed)',
  };
}

/**
 * `<NAME>_FILE` for each named secret (Docker secrets, a mounted file): the file's text, trimmed,
 * becomes `<NAME>` in the returned environment. Both set, or an unreadable file, is an error naming
 * the setting. Settings that have their own `_FILE` handling (the signing keys) are not listed.
 */
export function withSecretFiles(
  names: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): NodeJS.ProcessEnv {
  const result = { ...environment };
  for (const name of names) {
    const file = environment[`${name}_FILE`];
    if (!file) continue;
    if (environment[name] !== undefined) throw new Error(`set either ${name} or ${name}_FILE, not both`);
    try {
      result[name] = read(file).trim();
    } catch (error) {
      throw new Error(
        `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return result;
}
