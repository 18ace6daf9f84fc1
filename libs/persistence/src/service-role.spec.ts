import type { DataSource } from 'typeorm';
import { assertAppendOnlyConnection, LOG_TABLES } from './service-role';

/** What the catalogue says about the login and the log tables; the e2e suite asks a real server. */
function catalogue(
  login: {
    login: string;
    superuser: boolean;
    member: boolean | null;
    createrole?: boolean;
    databaseOwner?: boolean;
    schemaOwner?: boolean;
  },
  tables: { name: string; owner: string; owned: boolean; changeable: boolean }[],
): DataSource {
  return {
    query: (sql: string) => Promise.resolve(sql.includes('FROM pg_class') ? tables : [login]),
  } as unknown as DataSource;
}

const appendOnly = (name: string) => ({ name, owner: 'ixr', owned: false, changeable: false });

describe('assertAppendOnlyConnection', () => {
  it('accepts a login that may only append, and says whether it is a member of ixr_service', async () => {
    const tables = LOG_TABLES.map(appendOnly);
    await expect(
      assertAppendOnlyConnection(catalogue({ login: 'ixr_app', superuser: false, member: true }, tables)),
    ).resolves.toEqual({ login: 'ixr_app', memberOfServiceRole: true });
    await expect(
      assertAppendOnlyConnection(catalogue({ login: 'other', superuser: false, member: null }, tables)),
    ).resolves.toEqual({ login: 'other', memberOfServiceRole: false });
  });

  it('refuses a login that owns the database or the schema, or may create roles', async () => {
    const tables = LOG_TABLES.map(appendOnly);
    await expect(
      assertAppendOnlyConnection(
        catalogue(
          { login: 'ixr_app', superuser: false, member: true, databaseOwner: true, schemaOwner: true },
          tables,
        ),
      ),
    ).rejects.toThrow('the database login "ixr_app" could change the exchange log (it owns the database)');
    await expect(
      assertAppendOnlyConnection(
        catalogue({ login: 'ixr_app', superuser: false, member: true, schemaOwner: true }, tables),
      ),
    ).rejects.toThrow('(it owns the schema public)');
    await expect(
      assertAppendOnlyConnection(
        catalogue({ login: 'ixr_app', superuser: false, member: true, createrole: true }, tables),
      ),
    ).rejects.toThrow('(it may create roles (CREATEROLE))');
  });

  it('refuses a superuser', async () => {
    await expect(
      assertAppendOnlyConnection(
        catalogue({ login: 'postgres', superuser: true, member: true }, LOG_TABLES.map(appendOnly)),
      ),
    ).rejects.toThrow('the database login "postgres" could change the exchange log (it is a superuser)');
  });

  it('refuses the owner of a log table, and a login with more than append, naming each table', async () => {
    const tables = LOG_TABLES.map(appendOnly);
    tables[0] = { name: 'exchange_log', owner: 'ixr', owned: true, changeable: true };
    tables[2] = { ...tables[2], changeable: true };
    await expect(
      assertAppendOnlyConnection(catalogue({ login: 'ixr', superuser: false, member: false }, tables)),
    ).rejects.toMatchObject({
      code: 'PERSISTENCE.PRIVILEGED_SERVICE_CONNECTION',
      message: expect.stringContaining(
        `(it owns exchange_log (as "ixr"); it holds UPDATE, DELETE or TRUNCATE on ${LOG_TABLES[2]})`,
      ) as unknown,
    });
  });

  it('refuses to vouch for a database whose log tables do not exist yet', async () => {
    await expect(
      assertAppendOnlyConnection(
        catalogue({ login: 'ixr_app', superuser: false, member: true }, [appendOnly('exchange_log')]),
      ),
    ).rejects.toThrow(
      'the tables exchange_log_nodes, exchange_log_checkpoints, exchange_log_keys do not exist: apply the migrations first (npm run migrate)',
    );
  });
});
