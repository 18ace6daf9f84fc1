import { z } from 'zod';
import {
  baseConfigShape,
  checkServiceConfig,
  serviceConfigShape,
  serviceDatabaseDefault,
  serviceDatabaseUrl,
} from './service-config';

describe('serviceConfigShape', () => {
  const schema = z
    .object({ ...serviceConfigShape('router', { port: 3001 }) })
    .superRefine(checkServiceConfig);

  it('gives every service the same base, with its own database variable and login', () => {
    const config = schema.parse({});
    expect(config).toMatchObject({
      PORT: 3001,
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://ixr_router@127.0.0.1:5432/ixr',
      DB_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
    });
    expect(serviceDatabaseUrl('router', config)).toBe('postgres://ixr_router@127.0.0.1:5432/ixr');
    const own = schema.parse({ ROUTER_DATABASE_URL: 'postgres://ixr_router:pw@db:5432/ixr' });
    expect(serviceDatabaseUrl('router', own)).toBe('postgres://ixr_router:pw@db:5432/ixr');
    expect(Object.keys(serviceConfigShape('log', { port: 3003 }))).toContain('LOG_DATABASE_URL');
  });

  it('names a bad setting', () => {
    const parsed = schema.safeParse({ ROUTER_DATABASE_URL: 'mysql://x' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['ROUTER_DATABASE_URL'],
      message: 'expected a postgres:// URL',
    });
  });

  it('announces the local database as a development default unless a connection is given', () => {
    expect(serviceDatabaseDefault('adapters', {})).toMatchObject({
      setting: 'ADAPTERS_DATABASE_URL',
      applies: true,
    });
    expect(serviceDatabaseDefault('adapters', { ADAPTERS_DATABASE_URL: 'postgres://a@h/db' }).applies).toBe(
      false,
    );
  });

  it('starts from the base every app extends: where it listens and how much it logs', () => {
    const base = Object.keys(baseConfigShape({ port: 3100 }));
    expect(base).toEqual(['PORT', 'HOST', 'LOG_LEVEL']);
    expect(Object.keys(serviceConfigShape('intake', { port: 3000 }))).toEqual(expect.arrayContaining(base));
    expect(z.object(baseConfigShape({ port: 3100 })).parse({})).toEqual({
      PORT: 3100,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
  });
});
