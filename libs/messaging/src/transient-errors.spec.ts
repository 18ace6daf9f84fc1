import { isDependencyUnavailable } from './transient-errors';

describe('isDependencyUnavailable', () => {
  const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('recognises a database or network that is away', () => {
    expect(isDependencyUnavailable(pg('ECONNREFUSED'))).toBe(true);
    expect(isDependencyUnavailable(pg('57P01', 'terminating connection due to administrator command'))).toBe(
      true,
    );
    expect(isDependencyUnavailable(pg('08006'))).toBe(true);
    expect(isDependencyUnavailable(pg('53300'))).toBe(true);
    expect(isDependencyUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDependencyUnavailable(pg('55000', 'database "ixr" is not currently accepting connections')),
    ).toBe(true);
    // TypeORM wraps the driver's error.
    expect(isDependencyUnavailable({ message: 'query failed', driverError: { code: '57P03' } })).toBe(true);
    expect(isDependencyUnavailable(new Error('query failed', { cause: pg('ECONNRESET') }))).toBe(true);
  });

  it('leaves the message’s own faults to the bounded retries', () => {
    expect(isDependencyUnavailable(new Error('request abc is not in the database'))).toBe(false);
    expect(isDependencyUnavailable(pg('23505', 'duplicate key value violates unique constraint'))).toBe(
      false,
    );
    expect(isDependencyUnavailable(pg('22P02', 'invalid input syntax for type uuid'))).toBe(false);
    expect(isDependencyUnavailable(undefined)).toBe(false);
    expect(isDependencyUnavailable('ECONNREFUSED')).toBe(false);
  });
});
