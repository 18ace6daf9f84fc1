import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceUrls } from '../../scripts/dev/postgres';

/** What the global setup prepared, shared with the test files through a small JSON file. */
export interface TestEnvironment {
  /** The owner's connection: what the tests check and tamper with. */
  databaseUrl: string;
  /** Each service's connection, as its own login, on the same database. */
  serviceDatabaseUrls: ServiceUrls;
  brokers: string;
}

const FILE = join(__dirname, '..', '..', '.data', 'test-environment.json');

export function saveTestEnvironment(env: TestEnvironment): void {
  writeFileSync(FILE, JSON.stringify(env, null, 2));
}

export function testEnvironment(): TestEnvironment {
  if (!existsSync(FILE)) throw new Error('the e2e global setup has not run (test/support/global-setup.ts)');
  return JSON.parse(readFileSync(FILE, 'utf8')) as TestEnvironment;
}

/** The test database: TEST_DATABASE_URL, else DATABASE_URL's server with the database `ixr_test`. */
export function testDatabaseUrl(baseUrl: string): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const url = new URL(baseUrl);
  url.pathname = '/ixr_test';
  return url.toString();
}
