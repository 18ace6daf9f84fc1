import type { DataSource } from 'typeorm';
import { assertServiceConnection, LOG_TABLES } from './service-role';
import { privilegesOf, type OwningService } from './table-owners';

interface Login {
  login: string;
  superuser?: boolean;
  createrole?: boolean;
  bypassrls?: boolean;
  databaseOwner?: boolean;
  schemaOwner?: boolean;
  memberOf?: string[] | null;
}
type Held = { name: string; owned: boolean; privilege: string };

/** What the catalogue says about the login and its privileges; the e2e suite asks a real server. */
function catalogue(login: Login, held: Held[]): DataSource {
  const facts = {
    superuser: false,
    createrole: false,
    bypassrls: false,
    databaseOwner: false,
    schemaOwner: false,
    memberOf: null,
    ...login,
  };
  return {
    query: (sql: string) => Promise.resolve(sql.includes('CROSS JOIN unnest') ? held : [facts]),
  } as unknown as DataSource;
}

/** Exactly the grants of a service, as the catalogue would list them. */
function grantsOf(service: OwningService): Held[] {
  return [...privilegesOf(service)].flatMap(([name, privileges]) =>
    [...privileges].map((privilege) => ({ name, owned: false, privilege })),
  );
}

describe('assertServiceConnection', () => {
  it('accepts a login holding exactly its service grants', async () => {
    for (const service of ['intake', 'router', 'adapters', 'log'] as const) {
      await expect(
        assertServiceConnection(catalogue({ login: `ixr_${service}` }, grantsOf(service)), service),
      ).resolves.toEqual({ login: `ixr_${service}` });
    }
  });

  it('refuses a login holding one privilege more than its grants, naming it', async () => {
    const held = [...grantsOf('intake'), { name: 'exchange_log', owned: false, privilege: 'INSERT' }];
    await expect(assertServiceConnection(catalogue({ login: 'ixr_intake' }, held), 'intake')).rejects.toThrow(
      'the database login "ixr_intake" holds more than the grants of the intake service (INSERT on exchange_log)',
    );
    const router = [
      ...grantsOf('router'),
      { name: 'deadline_milestones', owned: false, privilege: 'TRUNCATE' },
    ];
    await expect(assertServiceConnection(catalogue({ login: 'r' }, router), 'router')).rejects.toThrow(
      '(TRUNCATE on deadline_milestones)',
    );
  });

  it('refuses the log writer any UPDATE or DELETE of its own append-only tables', async () => {
    for (const table of LOG_TABLES) {
      const held = [...grantsOf('log'), { name: table, owned: false, privilege: 'DELETE' }];
      await expect(assertServiceConnection(catalogue({ login: 'ixr_log' }, held), 'log')).rejects.toThrow(
        `(DELETE on ${table})`,
      );
    }
  });

  it('refuses a superuser, an owner, a member of another role, CREATEROLE and BYPASSRLS', async () => {
    const refused = async (login: Login, held: Held[], reason: string) =>
      expect(assertServiceConnection(catalogue(login, held), 'router')).rejects.toThrow(reason);
    await refused({ login: 'postgres', superuser: true }, grantsOf('router'), '(it is a superuser)');
    await refused(
      { login: 'x', databaseOwner: true, schemaOwner: true },
      grantsOf('router'),
      '(it owns the database)',
    );
    await refused({ login: 'x', schemaOwner: true }, grantsOf('router'), '(it owns the schema public)');
    await refused(
      { login: 'x', memberOf: ['ixr_service'] },
      grantsOf('router'),
      '(it is a member of ixr_service)',
    );
    await refused({ login: 'x', createrole: true }, grantsOf('router'), '(it may create roles (CREATEROLE))');
    await refused({ login: 'x', bypassrls: true }, grantsOf('router'), 'BYPASSRLS');
    await refused(
      { login: 'ixr' },
      [...grantsOf('router'), { name: 'exchange_log', owned: true, privilege: 'SELECT' }],
      '(it owns exchange_log)',
    );
  });

  it('refuses a login lacking its grants: the migrations have not run', async () => {
    const held = grantsOf('adapters').filter((g) => g.name !== 'send_retries');
    await expect(assertServiceConnection(catalogue({ login: 'a' }, held), 'adapters')).rejects.toThrow(
      'the database login "a" lacks the grants of the adapters service on send_retries: apply the migrations first (npm run migrate)',
    );
  });
});
