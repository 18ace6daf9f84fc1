import { z } from 'zod';
import { checkKafkaSecurityEnv, kafkaSecurityEnv, kafkaSecurityOptions } from './kafka-client';

const schema = z.object(kafkaSecurityEnv).superRefine(checkKafkaSecurityEnv);
const files: Record<string, string> = {
  '/run/ca.pem': 'CA-PEM',
  '/run/cert.pem': 'CERT-PEM',
  '/run/key.pem': 'KEY-PEM',
  '/run/password': 'file-secret\n',
};
const read = (path: string): string => {
  if (!(path in files)) throw new Error('ENOENT: no such file');
  return files[path];
};
const options = (env: Record<string, string>) => kafkaSecurityOptions(schema.parse(env), read);
const problems = (env: Record<string, string>) => {
  const result = schema.safeParse(env);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('Kafka client security from the environment', () => {
  it('is plaintext without any variable (the local broker)', () => {
    expect(options({})).toEqual({});
  });

  it('turns on TLS with the system CAs, or with a CA and a client certificate', () => {
    expect(options({ KAFKA_SSL: 'true' })).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(
      options({
        KAFKA_SSL_CA_FILE: '/run/ca.pem',
        KAFKA_SSL_CERT_FILE: '/run/cert.pem',
        KAFKA_SSL_KEY_FILE: '/run/key.pem',
      }),
    ).toEqual({ ssl: { rejectUnauthorized: true, ca: ['CA-PEM'], cert: 'CERT-PEM', key: 'KEY-PEM' } });
  });

  it('configures SASL/SCRAM with a password or a password file', () => {
    expect(
      options({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'ixr-router',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    ).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'ixr-router', password: 'pw' },
    });
    expect(
      options({
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'ixr-intake',
        KAFKA_SASL_PASSWORD_FILE: '/run/password',
      }).sasl,
    ).toEqual({ mechanism: 'scram-sha-256', username: 'ixr-intake', password: 'file-secret' });
  });

  it('names every inconsistent variable', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toEqual([
      'KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_PASSWORD: give exactly one of KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE',
    ]);
    expect(problems({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([
      'KAFKA_SASL_MECHANISM: required when a SASL username or password is given',
    ]);
    expect(
      problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual(['KAFKA_SASL_MECHANISM: plain sends the password in clear: it needs KAFKA_SSL=true']);
    expect(problems({ KAFKA_SSL_CERT_FILE: '/run/cert.pem' })).toEqual([
      'KAFKA_SSL_CERT_FILE: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together',
    ]);
    expect(problems({ KAFKA_SSL: 'yes' })[0]).toMatch(/^KAFKA_SSL: /);
    expect(problems({ KAFKA_SASL_MECHANISM: 'gssapi' })[0]).toMatch(/^KAFKA_SASL_MECHANISM: /);
  });

  it('names a file that cannot be read', () => {
    expect(() => options({ KAFKA_SSL_CA_FILE: '/run/missing.pem' })).toThrow(
      'KAFKA_SSL_CA_FILE=/run/missing.pem: ENOENT: no such file',
    );
  });
});
