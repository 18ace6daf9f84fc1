import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

describe('loadConfig', () => {
  const schema = z.object({ PORT: env.port(3000), KAFKA_BROKERS: env.brokers() });

  it('applies defaults', () => {
    expect(loadConfig(schema, {})).toEqual({ PORT: 3000, KAFKA_BROKERS: ['127.0.0.1:9092'] });
  });

  it('names each bad variable, never its value', () => {
    try {
      loadConfig(schema, { PORT: '70000', KAFKA_BROKERS: 'nohostport' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT:');
      expect(problems).not.toContain('70000');
      expect(problems).not.toContain('nohostport');
      expect(problems).toContain('KAFKA_BROKERS');
    }
  });
});
