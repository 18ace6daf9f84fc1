import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '@ixr/auth';
import { startServiceProcess, waitHealthy, type ServiceProcess } from '../scripts/dev/services';
import { tokenFor } from './support/api';
import { serviceDatabaseEnv } from '../scripts/dev/postgres';
import { testEnvironment } from './support/test-env';

interface Operation {
  'x-roles': Role[];
  security?: unknown[];
}

/**
 * The API document states, for every route, exactly the roles the guard enforces: every route is
 * called with a token of each role alone, and the guard's role refusal (403 "needs one of the
 * roles") must happen exactly for the roles the document leaves out.
 */
describe('OpenAPI roles match the guard', () => {
  const { serviceDatabaseUrls, brokers } = testEnvironment();
  let intake: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    intake = startServiceProcess(
      'intake-api',
      { ...serviceDatabaseEnv(serviceDatabaseUrls), KAFKA_BROKERS: brokers, LOG_LEVEL: 'warn' },
      () => undefined,
    );
    await waitHealthy(intake);
    base = `http://127.0.0.1:${intake.port}`;
  });
  afterAll(() => intake.stop());

  it('admits exactly the documented roles on every route', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const tokens = new Map<Role, string>();
    for (const role of ROLES) tokens.set(role, await tokenFor('CGI-SPOC', [role], 'federal'));
    const mismatches: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation.security?.length === 0) continue; // public: the documents, /health, /metrics
        const url = path.replace(/\{id\}/g, randomUUID()).replace(/\{[^}]+\}/g, 'x-0.0.0');
        for (const role of ROLES) {
          const response = await fetch(`${base}${url}`, {
            method: method.toUpperCase(),
            headers: {
              authorization: `Bearer ${tokens.get(role)}`,
              'x-justification': 'role matrix check',
              ...(method === 'get' ? {} : { 'content-type': 'application/json' }),
            },
            body: method === 'get' ? undefined : '{}',
          });
          const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
          const refusedByRole =
            response.status === 403 &&
            (body.error?.message ?? '').startsWith('this action needs one of the roles');
          const documented = operation['x-roles'].includes(role);
          checked++;
          if (refusedByRole === documented) {
            mismatches.push(
              `${method.toUpperCase()} ${path} as ${role}: documented ${documented}, got ${response.status}`,
            );
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(ROLES.length * 20);
  });
});
