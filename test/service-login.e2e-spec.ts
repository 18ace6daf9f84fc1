import { Client } from 'pg';
import {
  assertAppendOnlyConnection,
  createDataSource,
  LOG_TABLES,
  loginOf,
  SERVICE_ROLE,
} from '@ixr/persistence';
import { withLogin } from '../scripts/dev/postgres';
import { DEFAULT_PORTS, startServiceProcess } from '../scripts/dev/services';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { testEnvironment } from './support/test-env';

/**
 * Append-only enforced by the database (issue 4, point 3) holds only if the running services
 * connect as a login that can append and nothing more: a member of ixr_service, never the owner
 * of the log tables nor a superuser. The stack runs as in production (its own login); the owner's
 * connection is the tests' only.
 */
describe('the services connect as their own login, which may only append to the log', () => {
  const stack = new TestStack();
  const { databaseUrl, serviceDatabaseUrl } = testEnvironment();
  const serviceLogin = loginOf(serviceDatabaseUrl).user;
  // The partner simulator plays the foreign partners: it has no database connection.
  const DATABASE_SERVICES = ['intake-api', 'router', 'channel-adapters', 'exchange-log'] as const;
  const COLUMN: Record<string, string> = {
    exchange_log: 'entry',
    exchange_log_nodes: 'hash',
    exchange_log_checkpoints: 'note',
    exchange_log_keys: 'vkey',
  };

  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('a request goes through the whole pipeline with every service connected as that login', async () => {
    const requester = await tokenFor('PZ-5339', ['requester']);
    const submitted = await api<{ id: string }>(stack.url('intake-api', ''), 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['NL'] }),
    });
    expect(submitted.status).toBe(202);
    await waitFor(async () => {
      const { rows } = await stack.db.query(
        "SELECT 1 FROM exchange_log WHERE request_id = $1 AND kind = 'delivered'",
        [submitted.body.id],
      );
      return rows.length > 0;
    }, 'a delivered entry of the request');

    const sessions = await waitFor(async () => {
      const { rows } = await stack.db.query<{ app: string; login: string }>(
        `SELECT DISTINCT application_name AS app, usename AS login FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = ANY($1) ORDER BY 1, 2`,
        [DATABASE_SERVICES.map((name) => `ixr-${name}`)],
      );
      return new Set(rows.map((r) => r.app)).size === DATABASE_SERVICES.length ? rows : undefined;
    }, 'a database session of every service');
    expect(sessions).toEqual(
      [...DATABASE_SERVICES].sort().map((name) => ({ app: `ixr-${name}`, login: serviceLogin })),
    );

    const { rows } = await stack.db.query<{ superuser: boolean; member: boolean; owner: string }>(
      `SELECT r.rolsuper AS superuser, pg_has_role(r.oid, $2, 'MEMBER') AS member,
              (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'exchange_log') AS owner
         FROM pg_roles r WHERE r.rolname = $1`,
      [serviceLogin, SERVICE_ROLE],
    );
    expect(rows).toEqual([{ superuser: false, member: true, owner: expect.any(String) }]);
    expect(rows[0].owner).not.toBe(serviceLogin);
  });

  it('as that login, UPDATE, DELETE and TRUNCATE of the log tables are refused: permission denied', async () => {
    const client = new Client({ connectionString: serviceDatabaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ entries: string }>(
        'SELECT count(*) AS entries FROM exchange_log',
      );
      expect(Number(rows[0].entries)).toBeGreaterThan(0);
      for (const table of LOG_TABLES) {
        for (const sql of [
          `UPDATE ${table} SET ${COLUMN[table]} = ${COLUMN[table]}`,
          `DELETE FROM ${table}`,
          `TRUNCATE ${table}`,
        ]) {
          await expect(client.query(sql)).rejects.toMatchObject({
            code: '42501',
            message: `permission denied for table ${table}`,
          });
        }
      }
    } finally {
      await client.end();
    }
  });

  it('ixr_service may read and write every other table, and use every sequence', async () => {
    const { rows } = await stack.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> ALL($1)
          AND c.relname NOT LIKE 'typeorm_migrations%'
          AND CASE c.relkind
                WHEN 'r' THEN NOT (has_table_privilege($2, c.oid, 'SELECT') AND has_table_privilege($2, c.oid, 'INSERT')
                                   AND has_table_privilege($2, c.oid, 'UPDATE') AND has_table_privilege($2, c.oid, 'DELETE'))
                WHEN 'S' THEN NOT has_sequence_privilege($2, c.oid, 'USAGE')
                ELSE false
              END
        ORDER BY 1`,
      [LOG_TABLES, SERVICE_ROLE],
    );
    expect(rows).toEqual([]);
    const { rows: tables } = await stack.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(Number(tables[0].n)).toBeGreaterThan(LOG_TABLES.length + 5);
  });

  it("a service given the owner's connection refuses to start, and says why", async () => {
    const output: string[] = [];
    const refused = startServiceProcess(
      'router',
      { ...stack.env, SERVICE_DATABASE_URL: databaseUrl },
      (_name, line) => output.push(line),
      DEFAULT_PORTS.router + 50,
    );
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      refused.exited,
      new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 30_000))),
    ]);
    clearTimeout(timer);
    await refused.kill();
    expect(code).toBe(1);
    const owner = loginOf(databaseUrl).user;
    expect(output.join('\n')).toMatch(
      new RegExp(
        `router failed to start: the database login "${owner}" could change the exchange log ` +
          `\\((it is a superuser|it owns exchange_log)`,
      ),
    );
  });

  it('a member of ixr_service granted more than append on a log table is refused as well', async () => {
    const widened = `ixr_e2e_widened_${process.pid}`;
    await stack.db.query(`CREATE ROLE ${widened} LOGIN PASSWORD 'e2e' IN ROLE ${SERVICE_ROLE}`);
    await stack.db.query(`GRANT DELETE ON exchange_log_checkpoints TO ${widened}`);
    const check = async (url: string) => {
      const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'ixr-e2e-login-check' });
      await dataSource.initialize();
      try {
        return await assertAppendOnlyConnection(dataSource);
      } finally {
        await dataSource.destroy();
      }
    };
    try {
      await expect(check(withLogin(databaseUrl, { user: widened, password: 'e2e' }))).rejects.toThrow(
        `the database login "${widened}" could change the exchange log ` +
          '(it holds UPDATE, DELETE or TRUNCATE on exchange_log_checkpoints)',
      );
      await expect(check(serviceDatabaseUrl)).resolves.toEqual({
        login: serviceLogin,
        memberOfServiceRole: true,
      });
    } finally {
      await stack.db.query(`DROP OWNED BY ${widened}`);
      await stack.db.query(`DROP ROLE ${widened}`);
    }
  });
});
