import {
  checkDevelopmentDefaults,
  databaseDevelopmentDefault,
  ProductionModeError,
  withSecretFiles,
} from './production-mode';

describe('checkDevelopmentDefaults', () => {
  const defaults = [
    { setting: 'JWT_SECRET', applies: true, what: 'the development secret' },
    { setting: 'PARTNER_KEYS', applies: false, what: 'keys from the public seed' },
    { setting: 'LOG_SIGNING_KEY', applies: true, what: 'a generated key' },
  ];

  it('in production, refuses the first default that applies, naming its setting', () => {
    expect(() => checkDevelopmentDefaults('intake-api', defaults, { NODE_ENV: 'production' })).toThrow(
      ProductionModeError,
    );
    expect(() => checkDevelopmentDefaults('intake-api', defaults, { NODE_ENV: 'production' })).toThrow(
      /^JWT_SECRET: production mode \(NODE_ENV=production\) refuses the development secret/,
    );
  });

  it('in production, passes when no default applies', () => {
    const none = defaults.map((d) => ({ ...d, applies: false }));
    expect(checkDevelopmentDefaults('intake-api', none, { NODE_ENV: 'production' })).toEqual([]);
  });

  it('outside production, returns one announcement per default that applies', () => {
    const lines = checkDevelopmentDefaults('intake-api', defaults, { NODE_ENV: 'development' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('set JWT_SECRET');
    expect(lines[1]).toContain('set LOG_SIGNING_KEY');
  });

  it('the database default applies only when neither connection is set', () => {
    const of = (environment: NodeJS.ProcessEnv) =>
      databaseDevelopmentDefault(environment, 'ROUTER_DATABASE_URL', 'ixr_router');
    expect(of({}).applies).toBe(true);
    expect(of({}).what).toBe('the local development database (postgres://ixr_router@127.0.0.1:5432/ixr)');
    expect(of({ ROUTER_DATABASE_URL: 'postgres://x@h/db' }).applies).toBe(false);
    expect(of({ SERVICE_DATABASE_URL: 'postgres://x@h/db' }).applies).toBe(true);
    expect(of({ DATABASE_URL: 'postgres://x@h/db' }).applies).toBe(false);
  });
});

describe('withSecretFiles', () => {
  const files: Record<string, string> = { '/run/secrets/jwt': 'the-secret-text\n' };
  const read = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return text;
  };

  it('reads <NAME>_FILE into <NAME>, trimmed', () => {
    const env = withSecretFiles(['JWT_SECRET'], { JWT_SECRET_FILE: '/run/secrets/jwt' }, read);
    expect(env.JWT_SECRET).toBe('the-secret-text');
  });

  it('refuses both set, and names an unreadable file without its content', () => {
    expect(() =>
      withSecretFiles(['JWT_SECRET'], { JWT_SECRET: 'x', JWT_SECRET_FILE: '/run/secrets/jwt' }, read),
    ).toThrow('set either JWT_SECRET or JWT_SECRET_FILE, not both');
    expect(() => withSecretFiles(['JWT_SECRET'], { JWT_SECRET_FILE: '/nope' }, read)).toThrow(
      'JWT_SECRET_FILE: cannot read /nope (ENOENT)',
    );
  });
});
