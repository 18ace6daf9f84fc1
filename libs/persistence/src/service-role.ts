import type { DataSource, EntityManager } from 'typeorm';
import {
  OWNING_SERVICES,
  privilegesOf,
  SERVICE_APPS,
  SERVICE_LOGINS,
  STANDALONE_SEQUENCES,
  TABLES,
  type OwningService,
  type TableGrant,
  type TableName,
  type TablePrivilege,
} from './table-owners';

/** The append-only tables: only the log's login may INSERT, nobody may UPDATE, DELETE or TRUNCATE. */
export const LOG_TABLES = (Object.entries(TABLES) as [TableName, TableGrant][])
  .filter(([, grant]) => grant.appendOnly)
  .map(([name]) => name);

/** The group role of the one shared login of earlier versions: stripped of its grants by the migrations. */
export const LEGACY_SERVICE_ROLE = 'ixr_service';

/** Raised at boot when a service's login holds more than its grants (or could rewrite the log). */
export class PrivilegedServiceConnectionError extends Error {
  readonly code = 'PERSISTENCE.PRIVILEGED_SERVICE_CONNECTION';
}

/** The service whose app is named so (`intake-api` → intake), or undefined for an app without a database. */
export function serviceOfApp(app: string): OwningService | undefined {
  return OWNING_SERVICES.find((service) => SERVICE_APPS[service] === app);
}

interface LoginFacts {
  login: string;
  superuser: boolean;
  createrole: boolean;
  bypassrls: boolean;
  databaseOwner: boolean;
  schemaOwner: boolean;
  memberOf: string[] | null;
}

interface HeldPrivilege {
  name: string;
  owned: boolean;
  privilege: string;
}

const CHECKED_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/**
 * The boot check of every service: its login must hold exactly the grants of its service in
 * TABLES (table-owners.ts) and nothing more — not a superuser (who may switch the log's triggers
 * off), not the owner of a table, the database or the schema, not a member of another role, no
 * CREATEROLE or BYPASSRLS, and no privilege on any table beyond its grants. A login with more would
 * void "only the owner writes" and "only ixr_log appends" without anyone noticing, so the service
 * does not start. Returns the login.
 */
export async function assertServiceConnection(
  dataSource: DataSource,
  service: OwningService,
): Promise<{ login: string }> {
  const [facts] = await dataSource.query<LoginFacts[]>(
    `SELECT current_user AS login, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
            r.rolbypassrls AS bypassrls,
            (SELECT pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_database d
              WHERE d.datname = current_database()) AS "databaseOwner",
            (SELECT pg_has_role(current_user, n.nspowner, 'MEMBER') FROM pg_namespace n
              WHERE n.nspname = 'public') AS "schemaOwner",
            (SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m
               JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS "memberOf"
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const held = await dataSource.query<HeldPrivilege[]>(
    `SELECT c.relname AS name, pg_has_role(current_user, c.relowner, 'MEMBER') AS owned, p.privilege
       FROM pg_class c CROSS JOIN unnest($1::text[]) AS p(privilege)
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        AND (pg_has_role(current_user, c.relowner, 'MEMBER')
             OR CASE WHEN p.privilege IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
                     THEN has_any_column_privilege(c.oid, p.privilege)
                     ELSE has_table_privilege(c.oid, p.privilege) END)
      ORDER BY 1, 3`,
    [CHECKED_PRIVILEGES],
  );
  const problems = [...loginProblems(facts), ...privilegeProblems(service, held)];
  if (problems.length > 0) {
    throw new PrivilegedServiceConnectionError(
      `the database login "${facts.login}" holds more than the grants of the ${service} service ` +
        `(${problems.join('; ')}): connect it as its own login ${SERVICE_LOGINS[service]}, created and ` +
        `granted by npm run migrate (README "Database logins")`,
    );
  }
  const expected = privilegesOf(service);
  const lacking = [...expected].filter(([table, privileges]) =>
    [...privileges].some((p) => !held.some((row) => row.name === table && row.privilege === p)),
  );
  if (lacking.length > 0) {
    throw new Error(
      `the database login "${facts.login}" lacks the grants of the ${service} service on ` +
        `${lacking.map(([table]) => table).join(', ')}: apply the migrations first (npm run migrate)`,
    );
  }
  return { login: facts.login };
}

function loginProblems(facts: LoginFacts): string[] {
  if (facts.superuser) return ['it is a superuser'];
  const problems: string[] = [];
  if (facts.createrole) problems.push('it may create roles (CREATEROLE)');
  if (facts.bypassrls) problems.push('it bypasses row-level security (BYPASSRLS)');
  if (facts.databaseOwner) problems.push('it owns the database');
  else if (facts.schemaOwner) problems.push('it owns the schema public');
  for (const role of facts.memberOf ?? []) problems.push(`it is a member of ${role}`);
  return problems;
}

function privilegeProblems(service: OwningService, held: HeldPrivilege[]): string[] {
  const expected = privilegesOf(service);
  const problems: string[] = [];
  const owned = new Set<string>();
  for (const row of held) {
    if (row.owned) {
      if (!owned.has(row.name)) problems.push(`it owns ${row.name}`);
      owned.add(row.name);
      continue;
    }
    const allowed = expected.get(row.name as TableName);
    if (!allowed?.has(row.privilege as TablePrivilege)) problems.push(`${row.privilege} on ${row.name}`);
  }
  return problems;
}

export interface ServiceLogin {
  user: string;
  /** Empty: no password (trust or peer authentication). */
  password: string;
}

/** The login (user and password) a postgres:// URL connects as. */
export function loginOf(url: string): ServiceLogin {
  const parsed = new URL(url);
  if (!parsed.username) throw new Error(`the services' database URL names no user: ${parsed.host}`);
  return { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/**
 * Creates each service's login role unless it exists already (an existing role is left exactly as
 * it is, its password included: roles are shared by every database of the server and may be
 * managed by a DBA). Four services, four different logins. Returns what it did, for the migrate output.
 */
export async function ensureServiceLogins(
  dataSource: DataSource,
  logins: Record<OwningService, ServiceLogin>,
): Promise<string[]> {
  const names = OWNING_SERVICES.map((service) => logins[service].user);
  if (new Set(names).size !== names.length) {
    throw new Error(`each service needs its own database login, got ${names.join(', ')}`);
  }
  const lines: string[] = [];
  for (const service of OWNING_SERVICES) lines.push(await ensureLogin(dataSource, service, logins[service]));
  return lines;
}

async function ensureLogin(
  dataSource: DataSource,
  service: OwningService,
  login: ServiceLogin,
): Promise<string> {
  const [existing] = await dataSource.query<unknown[]>(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [
    login.user,
  ]);
  if (existing)
    return `the ${service} service connects as "${login.user}" (an existing role, left unchanged)`;
  const [allowed] = await dataSource.query<unknown[]>(
    `SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)`,
  );
  if (!allowed) {
    throw new Error(
      `the ${service} service's login "${login.user}" does not exist and cannot be created here: ` +
        `a DBA must run CREATE ROLE ${login.user} LOGIN PASSWORD '…', then npm run migrate grants it`,
    );
  }
  // DDL takes no parameters: format() quotes the name and the password on the server.
  const [{ ddl }] = await dataSource.query<{ ddl: string }[]>(
    `SELECT format('CREATE ROLE %I LOGIN NOINHERIT PASSWORD %L', $1::text, $2::text) AS ddl`,
    [login.user, login.password === '' ? null : login.password],
  );
  try {
    await dataSource.query(ddl);
  } catch (error) {
    // Created meanwhile by the migration of another database of the same server.
    if (!['42710', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
  return `the ${service} service connects as "${login.user}" (created)`;
}

/**
 * Grants each service's login exactly the privileges of TABLES (and the sequences of the tables it
 * inserts into), after revoking whatever it held: the same grants on every run, in one transaction.
 * A table of the database that TABLES does not name stops it: every table has an owner.
 */
export async function applyTableGrants(
  dataSource: DataSource,
  logins: Record<OwningService, string>,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const tables = await manager.query<{ name: string }[]>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace
          AND relkind IN ('r', 'p') AND relname <> 'typeorm_migrations' ORDER BY 1`,
    );
    const unknown = tables.map((t) => t.name).filter((name) => !(name in TABLES));
    if (unknown.length > 0) {
      throw new Error(
        `the tables ${unknown.join(', ')} have no owner: declare them in TABLES ` +
          `(libs/persistence/src/table-owners.ts)`,
      );
    }
    const quoted = await quoteIdentifiers(
      manager,
      OWNING_SERVICES.map((s) => logins[s]),
    );
    const all = OWNING_SERVICES.map((s) => quoted[logins[s]]).join(', ');
    await manager.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${all}`);
    await manager.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${all}`);
    await manager.query(`GRANT USAGE ON SCHEMA public TO ${all}`);
    const sequences = await manager.query<{ name: string; table: string | null }[]>(
      `SELECT s.relname AS name,
              (SELECT t.relname FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                WHERE d.objid = s.oid AND d.classid = 'pg_class'::regclass
                  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) AS "table"
         FROM pg_class s WHERE s.relnamespace = 'public'::regnamespace AND s.relkind = 'S'`,
    );
    for (const service of OWNING_SERVICES) {
      const login = quoted[logins[service]];
      const privileges = privilegesOf(service);
      for (const [table, granted] of privileges) {
        if (!tables.some((t) => t.name === table)) continue;
        await manager.query(`GRANT ${[...granted].join(', ')} ON ${table} TO ${login}`);
      }
      for (const sequence of sequences) {
        const user = sequence.table
          ? privileges.get(sequence.table as TableName)?.has('INSERT')
          : STANDALONE_SEQUENCES[sequence.name] === service;
        if (user) await manager.query(`GRANT USAGE, SELECT ON SEQUENCE ${sequence.name} TO ${login}`);
      }
    }
  });
}

async function quoteIdentifiers(manager: EntityManager, names: string[]): Promise<Record<string, string>> {
  const rows = await manager.query<{ name: string; quoted: string }[]>(
    `SELECT name, quote_ident(name) AS quoted FROM unnest($1::text[]) AS name`,
    [names],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.quoted]));
}
