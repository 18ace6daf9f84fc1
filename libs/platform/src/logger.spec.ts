import { Writable } from 'node:stream';
import { createLogger, PinoNestLogger, REDACTED, scrubText } from './logger';

/** A logger writing into an array, to read exactly what would reach the log files. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('test', 'trace', stream), text: () => lines.join('') };
}

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvZmZpY2VyLTEiLCJ1bml0IjoiUFotNTMzOSJ9.c2lnbmF0dXJlLXZhbHVl';
/** Values that must never be found in a log line, whatever their place. */
const PERSONAL = [
  'Jan Jansen',
  '1980-04-02',
  'NLD-DOC-4711',
  'Cocaine via Antwerp',
  'Known addresses of Jan',
];
const SECRETS = [JWT, 'hunter2-kafka-password', 'ixr-local-development-secret', 'sk_live_abcdef'];

const body = {
  missionType: 'judicial',
  targetCountries: ['NL'],
  offence: { category: 'drug_trafficking', description: 'Cocaine via Antwerp' },
  informationSought: 'Known addresses of Jan',
  purpose: 'Investigation',
  justification: 'Seen at the border',
  subjects: [
    { type: 'person', name: 'Jan Jansen', dateOfBirth: '1980-04-02', documentNumber: 'NLD-DOC-4711' },
  ],
};

describe('application logs carry no personal data and no secrets', () => {
  it('redacts a request body, headers and tokens wherever they are logged', () => {
    const { logger, text } = capture();
    logger.info({ body }, 'submitted');
    logger.info({
      req: { headers: { authorization: `Bearer ${JWT}`, 'x-justification': 'Jan Jansen case' } },
    });
    logger.warn({ event: { data: { input: { body } } } }, 'deep inside an event');
    logger.info({
      nested: { subjects: body.subjects, level1: { level2: { password: 'hunter2-kafka-password' } } },
    });
    logger.info({
      kafka: { sasl: { mechanism: 'scram-sha-512', username: 'ixr', password: 'hunter2-kafka-password' } },
    });
    logger.info({
      config: {
        JWT_SECRET: 'ixr-local-development-secret',
        kafkaPassword: 'hunter2-kafka-password',
        secret: 'ixr-local-development-secret',
        apiKey: 'sk_live_abcdef',
      },
    });
    const out = text();
    for (const value of [...PERSONAL, ...SECRETS]) expect(out).not.toContain(value);
    expect(out).toContain(REDACTED);
    // What is not sensitive stays readable.
    expect(out).toContain('"msg":"deep inside an event"');
    expect(out).toContain('"level2":{"password":"[redacted]"}');
  });

  it('masks tokens quoted in messages and error messages, and query parameters of database errors', () => {
    const { logger, text } = capture();
    logger.warn(`refused Authorization: Bearer ${JWT}`);
    logger.error({ err: new Error(`could not verify ${JWT}`) }, 'verification failed');
    const dbError = Object.assign(new Error('duplicate key value violates unique constraint'), {
      query: 'INSERT INTO requests (body) VALUES ($1)',
      parameters: [JSON.stringify(body)],
      driverError: { detail: 'Key (name)=(Jan Jansen) already exists.' },
    });
    logger.error({ err: dbError }, 'insert failed');
    logger.error(dbError);
    const out = text();
    for (const value of [...PERSONAL, ...SECRETS]) expect(out).not.toContain(value);
    expect(out).toContain('duplicate key value violates unique constraint');
    expect(out).toContain('verification failed');
  });

  it('redacts through the Nest logger bridge too', () => {
    const { logger, text } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log({ msg: 'hello', body }, 'Ctx');
    nest.error(new Error(`token ${JWT} refused`));
    const out = text();
    for (const value of [...PERSONAL, ...SECRETS]) expect(out).not.toContain(value);
  });

  it('survives cycles and depth', () => {
    const { logger, text } = capture();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { password: 'hunter2-kafka-password' };
    for (let i = 0; i < 50; i++) deep = { deep };
    logger.info({ cyclic, deep });
    expect(text()).toContain('[circular]');
    expect(text()).not.toContain('hunter2-kafka-password');
  });

  it('masks bearer and basic credentials in plain text', () => {
    expect(scrubText('Authorization: Basic dXNlcjpwYXNz and Bearer abc.def')).toBe(
      `Authorization: ${REDACTED} and ${REDACTED}`,
    );
  });
});
