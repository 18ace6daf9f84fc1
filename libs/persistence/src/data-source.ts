import 'reflect-metadata';
import { DataSource, type Logger } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseOptions {
  url: string;
  /** Connections in this process's pool. */
  poolSize?: number;
  applicationName?: string;
  /** Called once per statement sent to PostgreSQL (BEGIN and COMMIT included): a round-trip count. */
  onStatement?: () => void;
}

/** TypeORM's logging off, except that each statement is counted. */
class StatementCounter implements Logger {
  constructor(private readonly onStatement: () => void) {}
  logQuery(): void {
    this.onStatement();
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** A TypeORM data source with the explicit entity and migration lists; never `synchronize`. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    logger: options.onStatement ? new StatementCounter(options.onStatement) : undefined,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'ixr',
      connectionTimeoutMillis: 3000,
    },
  });
}

/** Applies pending migrations in one transaction; returns their names. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'all' });
  return applied.map((m) => m.name);
}
