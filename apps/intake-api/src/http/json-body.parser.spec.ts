import { type ValidationFailedError } from '@ixr/platform';
import { parseJsonBody, UnsupportedMediaTypeError } from './json-body.parser';

const JSON_TYPE = 'application/json';
const parse = (body: string | Buffer, type = JSON_TYPE) =>
  parseJsonBody(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, type);

function refusal(run: () => unknown): { message: string; details: { path: string }[] } {
  try {
    run();
  } catch (error) {
    return error as ValidationFailedError;
  }
  throw new Error('accepted');
}

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON, with or without a utf-8 charset', () => {
    expect(parse('{"name":"Žofia Čech"}')).toEqual({ name: 'Žofia Čech' });
    expect(parse('{"a":[1,{"b":null}]}', 'application/json; charset=UTF-8')).toEqual({ a: [1, { b: null }] });
  });

  it('refuses another charset with 415', () => {
    expect(() => parse('{}', 'application/json; charset=latin1')).toThrow(UnsupportedMediaTypeError);
  });

  it('refuses invalid UTF-8 instead of storing replacement characters', () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(refusal(() => parse(bytes)).message).toBe('the request body is not valid UTF-8');
    expect(refusal(() => parse(Buffer.from([0xed, 0xa0, 0x80]))).message).toMatch(/UTF-8/); // encoded surrogate
  });

  it('refuses an empty body and bad JSON, saying where', () => {
    expect(refusal(() => parse('')).message).toBe('the request body is empty; send a JSON object');
    expect(refusal(() => parse('{"a":}')).message).toMatch(/^the request body is not valid JSON: /);
  });

  it('refuses deep nesting before parsing, but not brackets inside strings', () => {
    expect(refusal(() => parse('['.repeat(100_000) + ']'.repeat(100_000))).message).toBe(
      'the request body nests deeper than 64 levels',
    );
    expect(parse(JSON.stringify({ text: '[[[[{{{{'.repeat(100), quote: 'a\\"[' }))).toBeDefined();
  });

  it('refuses __proto__ and constructor.prototype keys, naming their path', () => {
    const proto = refusal(() => parse('{"subjects":[{"__proto__":{"admin":true}}]}'));
    expect(proto.message).toBe('the request body holds a forbidden key: __proto__');
    expect(proto.details[0].path).toBe('subjects.0.__proto__');
    const ctor = refusal(() => parse('{"a":{"constructor":{"prototype":{"x":1}}}}'));
    expect(ctor.details[0].path).toBe('a.constructor');
    // A plain "constructor" key is left to the schema, which refuses unknown keys by name.
    expect(parse('{"constructor":"x"}')).toEqual({ constructor: 'x' });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses a lone surrogate in any string or key, naming where, and keeps paired ones', () => {
    const text = refusal(() => parse('{"text":"address \\ud800 here"}'));
    expect(text.message).toBe('the request body holds a lone surrogate (not Unicode text)');
    expect(text.details[0].path).toBe('text');
    expect(refusal(() => parse('{"a":[{"b":"\\udfff"}]}')).details[0].path).toBe('a.0.b');
    expect(refusal(() => parse('{"k\\udc00":1}')).details[0].path).toBe('k\udc00');
    expect(parse('{"emoji":"\\ud83d\\ude00"}')).toEqual({ emoji: '\u{1F600}' });
  });
});
