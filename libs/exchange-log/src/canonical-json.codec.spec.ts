import { canonicalBytes, canonicalJson } from './canonical-json.codec';
import { ExchangeLogError } from './exchange-log.error';

/** The IEEE-754 double with these 64 bits. */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('canonicalises the RFC 8785 §3.2.2 example byte for byte', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
    // RFC 8785 §3.2.4: the UTF-8 bytes that get hashed.
    expect(canonicalBytes(JSON.parse(input)).toString('hex')).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e' +
        '333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530303066' +
        '5c6e4127425c225c5c5c5c5c222f227d',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the order from the text: parsed objects list integer-like keys first.
    const textOrder = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    expect(textOrder).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 2 }, 1], a: { d: null, c: 'x' } })).toBe(
      '{"a":{"c":"x","d":null},"b":[3,{"a":2,"z":1},1]}',
    );
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(Object.create(null) as object)).toBe('{}');
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the double 0x%s as %s (RFC 8785 Appendix B)', (bits, text) => {
    expect(canonicalJson(double(bits))).toBe(text);
  });

  it('writes the number forms the log uses', () => {
    expect(canonicalJson([1e21, -0, 1.5e-7, 1e20, 0.1, 100, -1.5])).toBe(
      '[1e+21,0,1.5e-7,100000000000000000000,0.1,100,-1.5]',
    );
  });

  it('keeps non-ASCII text verbatim and escapes only what RFC 8785 escapes', () => {
    expect(canonicalJson('Zoë — 日本 😀 \u2028 \u007f')).toBe('"Zoë — 日本 😀 \u2028 \u007f"');
    expect(canonicalJson('\b\t\n\f\r\u0000\u001f"\\/')).toBe('"\\b\\t\\n\\f\\r\\u0000\\u001f\\"\\\\/"');
    expect(canonicalBytes('é').toString('hex')).toBe('22c3a922');
  });

  it.each([
    ['undefined', undefined, /\$ is undefined/],
    ['undefined property', { a: 1, b: undefined }, /\$\.b is undefined/],
    ['function', { f: () => 1 }, /\$\.f is function/],
    ['symbol', [Symbol('s')], /\$\[0\] is symbol/],
    ['NaN', { n: Number.NaN }, /\$\.n is NaN/],
    ['Infinity', [1, Number.POSITIVE_INFINITY], /\$\[1\] is Infinity/],
    ['-Infinity', Number.NEGATIVE_INFINITY, /-Infinity/],
    ['bigint', { big: 10n }, /bigint/],
    ['Date', { at: new Date(0) }, /\$\.at is a Date, not a plain object/],
    ['Map', new Map([['a', 1]]), /is a Map/],
    ['class instance', { x: new (class Thing {})() }, /is a Thing/],
    ['Buffer', { bytes: Buffer.from('x') }, /not a plain object/],
    ['boxed string', { s: new String('x') }, /not a plain object/],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point of the case
    ['sparse array', [1, , 3], /\$\[1\] is a hole/],
    ['lone surrogate', { s: 'a\ud800b' }, /unpaired/],
    ['lone surrogate key', { ['\udc00']: 1 }, /unpaired/],
    ['symbol key', { [Symbol('k')]: 1 }, /symbol keys/],
    ['key path with odd characters', { 'a b': { c: undefined } }, /\$\["a b"\]\.c is undefined/],
  ])('refuses %s with a clear error', (_what, value, message) => {
    let error: unknown;
    try {
      canonicalJson(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExchangeLogError);
    expect((error as ExchangeLogError).code).toBe('EXCHANGE_LOG.NOT_CANONICAL_JSON');
    expect((error as Error).message).toMatch(message);
  });

  it('refuses cycles but accepts shared references', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/\$\.self is a circular reference/);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('accepts paired surrogates and agrees with JSON.parse round trip', () => {
    const value = { emoji: '😀', nested: [{ k: 'v', n: -12.5e-3 }], t: true };
    const text = canonicalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });
});
