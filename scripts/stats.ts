import { parseArgs } from 'node:util';
import {
  art18Csv,
  computeArt18,
  computeStatistics,
  createDataSource,
  parseArt18Year,
  parseStatisticsParams,
} from '@ixr/persistence';
import { ValidationFailedError } from '@ixr/platform';

const USAGE = `usage: npm run stats -- <command> [options]

  art18 --year <YYYY> [--format json|csv]     the yearly Art 18 statistics (Directive 2023/977)
  summary [--from <date>] [--to <date>] [--group-by level,country,channel,category,month,direction]
                                              counts over requests received in [from, to)

Reads the database at DATABASE_URL; prints to standard output (JSON unless --format csv).
Exit codes: 0 done, 2 usage error, 3 could not run.`;

class UsageError extends Error {}

const FORMATS = ['json', 'csv'] as const;

export interface StatsCommand {
  command: 'art18' | 'summary';
  year?: number;
  format: (typeof FORMATS)[number];
  from?: string;
  to?: string;
  groupBy?: string;
}

/** The command line, checked: every bad flag is named (no database is touched before). */
export function parseStatsCommandLine(argv: string[], now: Date): StatsCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        year: { type: 'string' },
        format: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'group-by': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const format = values.format ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be json or csv, got "${format}"`);
  }
  const checked = <T>(what: () => T): T => {
    try {
      return what();
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        throw new UsageError(error.details.map((d) => `${d.path}: ${d.message}`).join('; '));
      }
      throw error;
    }
  };
  if (command === 'art18') {
    if (values.from || values.to || values['group-by'])
      throw new UsageError('art18 takes --year and --format only');
    const year = checked(() => parseArt18Year(values.year === undefined ? {} : { year: values.year }));
    return { command, year, format: format as StatsCommand['format'] };
  }
  if (command === 'summary') {
    if (values.year) throw new UsageError('summary takes --from, --to and --group-by, not --year');
    if (format !== 'json') throw new UsageError('summary prints JSON only');
    const input = { from: values.from, to: values.to, groupBy: values['group-by'] };
    checked(() => parseStatisticsParams(input, now));
    return { command, format: 'json', from: values.from, to: values.to, groupBy: values['group-by'] };
  }
  throw new UsageError(command ? `unknown command "${command}": art18 or summary` : 'a command is required');
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let command: StatsCommand;
  try {
    command = parseStatsCommandLine(argv, new Date());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`stats: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('stats: DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/ixr)\n');
    return 2;
  }
  const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'ixr-stats-cli' });
  try {
    await dataSource.initialize();
    if (command.command === 'art18') {
      const report = await computeArt18(dataSource, command.year!);
      process.stdout.write(
        command.format === 'csv' ? art18Csv(report) : `${JSON.stringify(report, null, 2)}\n`,
      );
    } else {
      const now = new Date();
      const params = parseStatisticsParams(
        { from: command.from, to: command.to, groupBy: command.groupBy },
        now,
      );
      const report = await computeStatistics(dataSource, { ...params, now });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`stats: could not run: ${(error as Error).message}\n`);
    return 3;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`stats: ${(error as Error).message}\n`);
      process.exit(3);
    },
  );
}
