import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEnvelope, EVENT_TYPES, TOPICS, type DeliveryOutcome } from '@ixr/messaging';
import {
  assertServiceConnection,
  createDataSource,
  LOG_TABLES,
  loginOf,
  OWNING_SERVICES,
  privilegesOf,
  SERVICE_APPS,
  SERVICE_LOGINS,
  TABLES,
  writersOf,
  type OwningService,
  type TableName,
} from '@ixr/persistence';
import { DeliveryOutcomesUseCase } from '../apps/router/src/delivery-outcomes.usecase';
import { withLogin } from '../scripts/dev/postgres';
import { DEFAULT_PORTS, startServiceProcess } from '../scripts/dev/services';
import { api, requestBody, tokenFor } from './support/api';
import { TestStack, waitFor } from './support/stack';
import { testEnvironment } from './support/test-env';

const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const;

/**
 * One login per service (SPEC §6, issue 11): each service connects as its own login, granted
 * exactly the tables of its row in TABLES; every write beyond them is refused by PostgreSQL
 * (42501), and a service whose login holds more than its grants does not start.
 */
describe('each service connects as its own login, granted exactly its tables', () => {
  const stack = new TestStack();
  const { databaseUrl, serviceDatabaseUrls } = testEnvironment();

  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  async function asService<T>(service: OwningService, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: serviceDatabaseUrls[service] });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /**
   * A statement of each kind that needs no other privilege than its own (the permission check comes
   * before any row), in a transaction rolled back whatever happens.
   */
  async function statement(write: (typeof WRITES)[number], table: string): Promise<string> {
    const { rows } = await stack.db.query<{ column: string }>(
      `SELECT column_name AS column FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
        ORDER BY ordinal_position LIMIT 1`,
      [table],
    );
    switch (write) {
      case 'INSERT':
        return `INSERT INTO ${table} DEFAULT VALUES`;
      case 'UPDATE':
        return `UPDATE ${table} SET "${rows[0].column}" = DEFAULT WHERE false`;
      case 'DELETE':
        return `DELETE FROM ${table} WHERE false`;
      case 'TRUNCATE':
        return `TRUNCATE ${table}`;
    }
  }

  it('a request goes through the whole pipeline with every service connected as its own login', async () => {
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
        [OWNING_SERVICES.map((service) => `ixr-${SERVICE_APPS[service]}`)],
      );
      return new Set(rows.map((r) => r.app)).size === OWNING_SERVICES.length ? rows : undefined;
    }, 'a database session of every service');
    expect(sessions).toEqual(
      OWNING_SERVICES.map((service) => ({
        app: `ixr-${SERVICE_APPS[service]}`,
        login: loginOf(serviceDatabaseUrls[service]).user,
      })).sort((a, b) => a.app.localeCompare(b.app)),
    );
    for (const service of OWNING_SERVICES) {
      expect(loginOf(serviceDatabaseUrls[service]).user).toBe(SERVICE_LOGINS[service]);
    }
  });

  it.each(OWNING_SERVICES)('as %s, every write beyond its grants is refused with 42501', async (service) => {
    const allowed = privilegesOf(service);
    const refused: string[] = [];
    await asService(service, async (client) => {
      for (const table of Object.keys(TABLES) as TableName[]) {
        for (const write of WRITES) {
          if (write !== 'TRUNCATE' && allowed.get(table)?.has(write)) continue;
          const sql = await statement(write, table);
          await client.query('BEGIN');
          try {
            await expect(client.query(sql)).rejects.toMatchObject({
              code: '42501',
              message: `permission denied for table ${table}`,
            });
            refused.push(`${write} ${table}`);
          } finally {
            await client.query('ROLLBACK');
          }
        }
      }
    });
    // TRUNCATE everywhere, and at least the other services' tables: the check above ran for each.
    expect(refused.length).toBeGreaterThanOrEqual(Object.keys(TABLES).length);
    for (const table of LOG_TABLES) {
      for (const write of ['UPDATE', 'DELETE', 'TRUNCATE']) expect(refused).toContain(`${write} ${table}`);
      if (service !== 'log') expect(refused).toContain(`INSERT ${table}`);
    }
  });

  it.each([
    ['router', 'INSERT INTO requests DEFAULT VALUES', 'requests'],
    ['router', "UPDATE requests SET status = 'routed', routed_at = now() WHERE false", 'requests'],
    ['router', 'INSERT INTO replies DEFAULT VALUES', 'replies'],
    ['router', 'UPDATE replies SET closed_at = now() WHERE false', 'replies'],
    ['adapters', "UPDATE replies SET status = 'delivered', attempts = 1 WHERE false", 'replies'],
  ] as const)(
    'only the intake writes requests and replies: as %s, "%s" is refused with 42501',
    async (service, sql, table) => {
      await asService(service, async (client) => {
        await expect(client.query(sql)).rejects.toMatchObject({
          code: '42501',
          message: `permission denied for table ${table}`,
        });
      });
      // The owner's same statement is granted (rolled back: it must change nothing here).
      await asService('intake', async (client) => {
        await client.query('BEGIN');
        try {
          if (sql.startsWith('UPDATE')) await expect(client.query(sql)).resolves.toBeDefined();
          else await expect(client.query(sql)).rejects.not.toMatchObject({ code: '42501' });
        } finally {
          await client.query('ROLLBACK');
        }
      });
    },
  );

  it('the decision and the outcome of a request reach its row through the intake alone', async () => {
    const requester = await tokenFor('PZ-5339', ['requester']);
    const submitted = await api<{ id: string }>(stack.url('intake-api', ''), 'POST', '/v1/requests', {
      token: requester,
      body: requestBody({ targetCountries: ['DE'] }),
    });
    expect(submitted.status).toBe(202);
    const row = await waitFor(async () => {
      const { rows } = await stack.db.query<{ status: string; deadline_basis: string | null }>(
        `SELECT r.status, r.deadline_basis FROM requests r
           JOIN routed_requests rr ON rr.request_id = r.id WHERE r.id = $1 AND r.routed_at IS NOT NULL`,
        [submitted.body.id],
      );
      return rows[0];
    }, 'the routed request, stored by the intake from the router’s event');
    expect(row.deadline_basis).toMatch(/^(urgent_direct_8h|urgent_indirect_3d|standard_7d|none)$/);
    for (const table of ['requests', 'replies'] as const) expect(writersOf(table)).toEqual(['intake']);
  });

  it('a table a service does not read is refused to it as well', async () => {
    await asService('router', async (client) => {
      await expect(client.query('SELECT 1 FROM exchange_log LIMIT 1')).rejects.toMatchObject({
        code: '42501',
      });
      await expect(client.query('SELECT 1 FROM work_requests LIMIT 1')).rejects.toMatchObject({
        code: '42501',
      });
    });
    await asService('adapters', (client) =>
      expect(client.query('SELECT 1 FROM requests LIMIT 1')).rejects.toMatchObject({ code: '42501' }),
    );
  });

  it("the outbox is every service's, but each login sees and writes only its own rows", async () => {
    const marker = `login-e2e-${process.pid}`;
    await asService('intake', (client) =>
      client.query(`INSERT INTO outbox (topic, key, value) VALUES ('ixr.none', $1, '{}')`, [marker]),
    );
    try {
      const { rows } = await stack.db.query<{ writer: string }>('SELECT writer FROM outbox WHERE key = $1', [
        marker,
      ]);
      expect(rows).toEqual([{ writer: SERVICE_LOGINS.intake }]);
      await asService('router', async (client) => {
        const seen = await client.query('SELECT 1 FROM outbox WHERE key = $1', [marker]);
        expect(seen.rowCount).toBe(0);
        await expect(
          client.query(`INSERT INTO outbox (topic, key, value, writer) VALUES ('ixr.none', $1, '{}', $2)`, [
            marker,
            SERVICE_LOGINS.intake,
          ]),
        ).rejects.toMatchObject({ code: '42501' });
      });
    } finally {
      await stack.db.query('DELETE FROM outbox WHERE key = $1', [marker]);
    }
  });

  it("the adapters record no outcome on the router's deliveries and fill no unit's inbox: only events reach them", async () => {
    const { rows } = await stack.db.query<{ id: string; request_id: string }>(
      'SELECT d.id, d.request_id FROM deliveries d JOIN delivery_sends s ON s.id = d.id LIMIT 1',
    );
    expect(rows).toHaveLength(1); // the pipeline test above sent a request
    await asService('adapters', async (client) => {
      await expect(
        client.query(`UPDATE deliveries SET status = 'delivered' WHERE id = $1`, [rows[0].id]),
      ).rejects.toMatchObject({ code: '42501', message: 'permission denied for table deliveries' });
      await expect(
        client.query(
          `INSERT INTO unit_inbox (delivery_id, unit, request_id, channel, role, received_at)
           VALUES (gen_random_uuid(), 'PZ-5339', $1, 'national_unit', 'primary', now())`,
          [rows[0].request_id],
        ),
      ).rejects.toMatchObject({ code: '42501', message: 'permission denied for table unit_inbox' });
      // Their own send ledger is theirs to write.
      const ledger = await client.query('UPDATE delivery_sends SET attempts = attempts WHERE id = $1', [
        rows[0].id,
      ]);
      expect(ledger.rowCount).toBe(1);
    });
    // The intake reads the ledger for the request view; the log has no business there.
    await asService('log', (client) =>
      expect(client.query('SELECT 1 FROM delivery_sends LIMIT 1')).rejects.toMatchObject({ code: '42501' }),
    );
    await asService('intake', async (client) => {
      await client.query('SELECT 1 FROM delivery_sends LIMIT 1');
      await expect(
        client.query('UPDATE delivery_sends SET attempts = attempts WHERE id = $1', [rows[0].id]),
      ).rejects.toMatchObject({ code: '42501' });
    });
  });

  it("the router records each outcome event once, never over a final one, and fills a national delivery's inbox", async () => {
    const {
      rows: [request],
    } = await stack.db.query<{ id: string }>('SELECT id FROM requests LIMIT 1');
    const deliveryId = randomUUID();
    await stack.db.query(
      `INSERT INTO deliveries (id, request_id, channel, destination, role, rule_id, status, attempts, dispatched_at)
       VALUES ($1, $2, 'national_unit', 'PZ-OUTCOME', 'primary', 'e2e', 'pending', 0, now())`,
      [deliveryId, request.id],
    );
    const outcome = (kind: DeliveryOutcome['outcome'], at: Date) =>
      createEnvelope<DeliveryOutcome>({
        id: randomUUID(),
        type: EVENT_TYPES[TOPICS.deliveryOutcome],
        source: 'ixr/channel-adapters',
        time: at,
        subject: request.id,
        data: {
          deliveryId,
          requestId: request.id,
          channel: 'national_unit',
          destination: 'PZ-OUTCOME',
          outcome: kind,
          attempts: 1,
          at: at.toISOString(),
          ...(kind === 'delivered' ? { partnerReference: 'inbox:PZ-OUTCOME' } : { error: 'refused' }),
        },
      });
    const dataSource = createDataSource({
      url: serviceDatabaseUrls.router,
      poolSize: 1,
      applicationName: 'ixr-e2e-outcomes',
    });
    await dataSource.initialize();
    try {
      const outcomes = new DeliveryOutcomesUseCase(dataSource);
      const delivered = outcome('delivered', new Date('2026-01-01T10:00:00Z'));
      const late = outcome('failed', new Date('2026-01-01T09:00:00Z'));
      await outcomes.execute([delivered]);
      await outcomes.execute([delivered, late]); // redelivered, and a late one out of order
      const { rows } = await stack.db.query(
        'SELECT status, attempts, partner_reference, last_error, completed_at FROM deliveries WHERE id = $1',
        [deliveryId],
      );
      expect(rows).toEqual([
        {
          status: 'delivered',
          attempts: 1,
          partner_reference: 'inbox:PZ-OUTCOME',
          last_error: null,
          completed_at: new Date('2026-01-01T10:00:00Z'),
        },
      ]);
      const inbox = await stack.db.query(
        'SELECT unit, request_id, role FROM unit_inbox WHERE delivery_id = $1',
        [deliveryId],
      );
      expect(inbox.rows).toEqual([{ unit: 'PZ-OUTCOME', request_id: request.id, role: 'primary' }]);
      const processed = await stack.db.query(
        `SELECT event_id FROM processed_events WHERE consumer = 'router-delivery-outcomes' AND event_id = ANY($1)`,
        [[delivered.id, late.id]],
      );
      expect(processed.rowCount).toBe(2);
    } finally {
      await dataSource.destroy();
      await stack.db.query('DELETE FROM unit_inbox WHERE delivery_id = $1', [deliveryId]);
      await stack.db.query('DELETE FROM deliveries WHERE id = $1', [deliveryId]);
    }
  });

  it('data keys: every service reads every key, each writes and deletes only the keys it made', async () => {
    const keyId = `login-e2e-key-${process.pid}`;
    await asService('intake', (client) =>
      client.query(`INSERT INTO data_keys (key_id, wrapped, created_at) VALUES ($1, '\\x00', now())`, [
        keyId,
      ]),
    );
    try {
      const { rows } = await stack.db.query<{ writer: string }>(
        'SELECT writer FROM data_keys WHERE key_id = $1',
        [keyId],
      );
      expect(rows).toEqual([{ writer: SERVICE_LOGINS.intake }]);
      for (const service of OWNING_SERVICES) {
        const seen = await asService(service, (client) =>
          client.query('SELECT 1 FROM data_keys WHERE key_id = $1', [keyId]),
        );
        expect(seen.rowCount).toBe(1);
      }
      await asService('adapters', async (client) => {
        // Another service's key is out of reach: not deleted, not changed, not written in its name.
        expect((await client.query('DELETE FROM data_keys WHERE key_id = $1', [keyId])).rowCount).toBe(0);
        expect(
          (await client.query(`UPDATE data_keys SET wrapped = '\\x01' WHERE key_id = $1`, [keyId])).rowCount,
        ).toBe(0);
        await expect(
          client.query(
            `INSERT INTO data_keys (key_id, wrapped, created_at, writer) VALUES ($1, '\\x00', now(), $2)`,
            [`${keyId}-forged`, SERVICE_LOGINS.intake],
          ),
        ).rejects.toMatchObject({ code: '42501' });
        // Its own key it writes and deletes.
        await client.query(
          `INSERT INTO data_keys (key_id, wrapped, created_at) VALUES ($1, '\\x00', now())`,
          [`${keyId}-own`],
        );
        expect(
          (await client.query('DELETE FROM data_keys WHERE key_id = $1', [`${keyId}-own`])).rowCount,
        ).toBe(1);
      });
      for (const service of ['router', 'log'] as const) {
        await asService(service, (client) =>
          expect(
            client.query(`INSERT INTO data_keys (key_id, wrapped, created_at) VALUES ($1, '\\x00', now())`, [
              `${keyId}-${service}`,
            ]),
          ).rejects.toMatchObject({ code: '42501', message: 'permission denied for table data_keys' }),
        );
      }
      const { rows: after } = await stack.db.query<{ wrapped: Buffer }>(
        'SELECT wrapped FROM data_keys WHERE key_id = $1',
        [keyId],
      );
      expect(after.map((r) => r.wrapped.toString('hex'))).toEqual(['00']);
    } finally {
      await stack.db.query('DELETE FROM data_keys WHERE key_id LIKE $1', [`${keyId}%`]);
    }
  });

  it("a service given the owner's connection refuses to start, and says why", async () => {
    const output: string[] = [];
    const refused = startServiceProcess(
      'router',
      { ...stack.env, ROUTER_DATABASE_URL: databaseUrl },
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
        `router failed to start: the database login "${owner}" holds more than the grants of the router ` +
          `service \\((it is a superuser|it owns the database|it owns)`,
      ),
    );
  });

  it('a login holding one privilege more than its grants is refused, naming it', async () => {
    const widened = `ixr_e2e_widened_${process.pid}`;
    await stack.db.query(`CREATE ROLE ${widened} LOGIN PASSWORD 'e2e'`);
    for (const [table, privileges] of privilegesOf('router')) {
      await stack.db.query(`GRANT ${[...privileges].join(', ')} ON ${table} TO ${widened}`);
    }
    await stack.db.query(`GRANT DELETE ON exchange_log_checkpoints TO ${widened}`);
    const check = async (url: string) => {
      const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'ixr-e2e-login-check' });
      await dataSource.initialize();
      try {
        return await assertServiceConnection(dataSource, 'router');
      } finally {
        await dataSource.destroy();
      }
    };
    try {
      await expect(check(withLogin(databaseUrl, { user: widened, password: 'e2e' }))).rejects.toThrow(
        `the database login "${widened}" holds more than the grants of the router service ` +
          '(DELETE on exchange_log_checkpoints)',
      );
      await stack.db.query(`REVOKE DELETE ON exchange_log_checkpoints FROM ${widened}`);
      await expect(check(withLogin(databaseUrl, { user: widened, password: 'e2e' }))).resolves.toEqual({
        login: widened,
      });
      await expect(check(serviceDatabaseUrls.router)).resolves.toEqual({ login: SERVICE_LOGINS.router });
    } finally {
      await stack.db.query(`DROP OWNED BY ${widened}`);
      await stack.db.query(`DROP ROLE ${widened}`);
    }
  });
});
