import type { DataSource } from 'typeorm';
import { LOG_TABLES, SERVICE_ROLE } from './migrations/1764390000001-exchange-log-merkle';

export { LOG_TABLES, SERVICE_ROLE };

/** The login role the services connect as when nothing else is configured (a member of ixr_service). */
export const DEFAULT_SERVICE_LOGIN = 'ixr_app';

/** Raised at boot when a service's connection could rewrite the exchange log. */
export class PrivilegedServiceConnectionError extends Error {
  readonly code = 'PERSISTENCE.PRIVILEGED_SERVICE_CONNECTION';
}

/** Who a service's connection is, once it passed the check. */
export interface ConnectionRole {
  login: string;
  /** False: the login may lack the grants on the operational tables that ixr_service holds. */
  memberOfServiceRole: boolean;
}

interface LoginFacts {
  login: string;
  superuser: boolean;
  member: boolean | null;
  /** May create roles, hence (PostgreSQL ≤ 15) make itself a member of the tables' owner. */
  createrole?: boolean;
  /** Owns the database or the schema `public` (and so may drop and re-create the log tables). */
  databaseOwner?: boolean;
  schemaOwner?: boolean;
}

interface TableFacts {
  name: string;
  owner: string;
  owned: boolean;
  changeable: boolean;
}

/**
 * Refuses a service connection that could change the exchange log: a superuser (who may also switch
 * the triggers off), a member of a log table's owner (who may drop or alter its triggers), the owner
 * of the database or of the schema (who may drop the tables), a role that may create roles, or one
 * holding UPDATE, DELETE or TRUNCATE on a log table. Append-only is only as strong as the weakest login the
 * services use, so a misconfigured one stops the boot instead of silently voiding the guarantee.
 */
export async function assertAppendOnlyConnection(dataSource: DataSource): Promise<ConnectionRole> {
  const [facts] = await dataSource.query<LoginFacts[]>(
    `SELECT current_user AS login, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
            (SELECT pg_has_role(current_user, s.oid, 'MEMBER') FROM pg_roles s WHERE s.rolname = $1) AS member,
            (SELECT pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_database d
              WHERE d.datname = current_database()) AS "databaseOwner",
            (SELECT pg_has_role(current_user, n.nspowner, 'MEMBER') FROM pg_namespace n
              WHERE n.nspname = 'public') AS "schemaOwner"
       FROM pg_roles r WHERE r.rolname = current_user`,
    [SERVICE_ROLE],
  );
  const tables = await dataSource.query<TableFacts[]>(
    `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner,
            pg_has_role(current_user, c.relowner, 'MEMBER') AS owned,
            has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE') AS changeable
       FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)
      ORDER BY c.relname`,
    [LOG_TABLES],
  );
  const missing = LOG_TABLES.filter((name) => !tables.some((t) => t.name === name));
  if (missing.length > 0) {
    throw new Error(
      `the tables ${missing.join(', ')} do not exist: apply the migrations first (npm run migrate)`,
    );
  }
  const problems = appendOnlyProblems(facts, tables);
  if (problems.length > 0) {
    throw new PrivilegedServiceConnectionError(
      `the database login "${facts.login}" could change the exchange log (${problems.join('; ')}): ` +
        `connect the services as a login role that is a member of ${SERVICE_ROLE} and nothing more ` +
        `(npm run migrate creates "${DEFAULT_SERVICE_LOGIN}"), through SERVICE_DATABASE_URL ` +
        `(README "Database roles")`,
    );
  }
  return { login: facts.login, memberOfServiceRole: facts.member === true };
}

function appendOnlyProblems(facts: LoginFacts, tables: TableFacts[]): string[] {
  if (facts.superuser) return ['it is a superuser'];
  const problems: string[] = [];
  if (facts.createrole) problems.push('it may create roles (CREATEROLE)');
  if (facts.databaseOwner) problems.push('it owns the database');
  else if (facts.schemaOwner) problems.push('it owns the schema public');
  for (const table of tables) {
    if (table.owned) problems.push(`it owns ${table.name} (as "${table.owner}")`);
    else if (table.changeable) problems.push(`it holds UPDATE, DELETE or TRUNCATE on ${table.name}`);
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
 * Creates the services' login role, a member of ixr_service, unless it exists already (an existing
 * role is left exactly as it is, its password included: roles are shared by every database of the
 * server and may be managed by a DBA). Returns what it did, for the migrate output.
 */
export async function ensureServiceLogin(dataSource: DataSource, login: ServiceLogin): Promise<string> {
  const [existing] = await dataSource.query<unknown[]>(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [
    login.user,
  ]);
  if (existing) return `the services connect as "${login.user}" (an existing role, left unchanged)`;
  const [allowed] = await dataSource.query<unknown[]>(
    `SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)
        AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`,
    [SERVICE_ROLE],
  );
  if (!allowed) {
    return (
      `the services' login role "${login.user}" does not exist and cannot be created here: ` +
      `a DBA must run CREATE ROLE ${login.user} LOGIN IN ROLE ${SERVICE_ROLE}`
    );
  }
  // DDL takes no parameters: format() quotes the name and the password on the server.
  const [{ ddl }] = await dataSource.query<{ ddl: string }[]>(
    `SELECT format('CREATE ROLE %I LOGIN IN ROLE %I PASSWORD %L', $1::text, $2::text, $3::text) AS ddl`,
    [login.user, SERVICE_ROLE, login.password === '' ? null : login.password],
  );
  try {
    await dataSource.query(ddl);
  } catch (error) {
    // Created meanwhile by the migration of another database of the same server.
    if (!['42710', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
  return `the services connect as "${login.user}" (created, a member of ${SERVICE_ROLE})`;
}
