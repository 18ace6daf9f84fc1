import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TOPICS } from './topics';

/**
 * Personal data in events (SPEC §10): subjects and free text travel, and are kept in the log,
 * only sealed under the data key of their request (AES-256-GCM), so that the erasure, which
 * deletes the key, leaves nothing readable on any topic or in any entry. A sealed value replaces
 * the clear one at its place in the event: `ixr-sealed:v1:<key id>:<base64url(iv | tag | data)>`,
 * the key id (the request id) bound to the ciphertext as additional data.
 */
export const SEALED_PREFIX = 'ixr-sealed:v1:';

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export function sealValue(key: Buffer, keyId: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  return `${SEALED_PREFIX}${keyId}:${sealed}`;
}

/** The key id a sealed value names (the request whose key sealed it). */
export function sealedKeyId(token: string): string {
  const rest = token.slice(SEALED_PREFIX.length);
  return rest.slice(0, rest.lastIndexOf(':'));
}

export function openValue(key: Buffer, token: string): unknown {
  const keyId = sealedKeyId(token);
  const raw = Buffer.from(token.slice(SEALED_PREFIX.length + keyId.length + 1), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(keyId, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  const clear = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  return JSON.parse(clear) as unknown;
}

/** A place of personal data in an event, and a stand-in that its schema accepts (for validation). */
interface PersonalField {
  path: readonly string[];
  standIn: unknown;
}

const TEXT = 'sealed';
/** A request's or a provision's personal fields (SPEC §10: subjects and free text). */
const BODY_FIELDS: PersonalField[] = [
  { path: ['subjects'], standIn: [{ type: 'other', description: TEXT }] },
  { path: ['offence', 'description'], standIn: TEXT },
  { path: ['informationSought'], standIn: TEXT },
  { path: ['informationProvided'], standIn: TEXT },
  { path: ['purpose'], standIn: TEXT },
  { path: ['justification'], standIn: TEXT },
  { path: ['urgency', 'reason'], standIn: TEXT },
  { path: ['sisAlert', 'reference'], standIn: TEXT },
];
/** A partner's message: its request's fields, and the text of an answer or a case step. */
const PARTNER_FIELDS: PersonalField[] = [
  ...BODY_FIELDS,
  ...['text', 'reason', 'question', 'answer'].map((f) => ({ path: [f], standIn: TEXT })),
];

const under = (prefix: string[], fields: PersonalField[]): PersonalField[] =>
  fields.map((f) => ({ path: [...prefix, ...f.path], standIn: f.standIn }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Data = Record<string, unknown>;

/**
 * Where a topic's events hold personal data, and under whose key: the request's. A partner's
 * answer or case step names our request (`inReplyTo`) when it concerns one of ours; a
 * clarification answer or a withdrawal names the partner's own request, which the adapter resolves
 * (`requestId`); a message it could not place is sealed under a key of its own, the inbound
 * message's (README "Personal data").
 */
export function personalFieldsOf(
  topic: string,
  data: Data,
): { keyId: string; fields: PersonalField[] } | null {
  switch (topic) {
    case TOPICS.requestReceived:
      return { keyId: String(data.requestId), fields: under(['body'], BODY_FIELDS) };
    case TOPICS.requestRouted:
      return { keyId: String(data.requestId), fields: under(['input', 'body'], BODY_FIELDS) };
    case TOPICS.deliveryDispatched:
      return { keyId: String(data.requestId), fields: under(['body'], BODY_FIELDS) };
    case TOPICS.caseMessageQueued:
    case TOPICS.replyDispatched:
      return { keyId: String(data.requestId), fields: [{ path: ['text'], standIn: TEXT }] };
    // The router's record of a partner message: sealed as the message came, under the same key.
    case TOPICS.inboundRecorded:
    case TOPICS.inboundReceived: {
      const message = (data.message ?? {}) as Data;
      const ours = typeof message.inReplyTo === 'string' && UUID.test(message.inReplyTo);
      const keyId =
        typeof data.requestId === 'string'
          ? data.requestId
          : message.kind === 'request' || message.kind === 'provision' || !ours
            ? String(data.inboundId)
            : String(message.inReplyTo);
      return { keyId, fields: under(['message'], PARTNER_FIELDS) };
    }
    case TOPICS.auditRecorded:
      // An inbound request's `received` entry carries the partner's message (the router's record);
      // an assignment's justification is the operator's reason, free text about the case.
      return typeof data.requestId === 'string'
        ? {
            keyId: data.requestId,
            fields: [
              ...under(['details', 'request'], PARTNER_FIELDS),
              ...(data.kind === 'assigned' ? [{ path: ['justification'], standIn: TEXT }] : []),
            ],
          }
        : null;
    default:
      return null;
  }
}

const isObject = (data: unknown): data is Data =>
  data !== null && typeof data === 'object' && !Array.isArray(data);

/** The value at `path`, read without copying anything (events may be large or deep). */
function valueAt(root: Data, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const step of path) {
    if (!isObject(node)) return undefined;
    node = node[step];
  }
  return node;
}

/** `root` with `value` at `path`: only the objects along the path are copied. */
function setAt(root: Data, path: readonly string[], value: unknown): Data {
  const [head, ...rest] = path;
  const child = root[head];
  return { ...root, [head]: rest.length === 0 ? value : setAt(isObject(child) ? child : {}, rest, value) };
}

/** The personal fields present in an event's data, and the key they belong under. */
function present(
  topic: string,
  data: unknown,
): { keyId: string; found: (PersonalField & { value: unknown })[] } | null {
  if (!isObject(data)) return null;
  const fields = personalFieldsOf(topic, data);
  if (!fields) return null;
  const found = fields.fields
    .map((field) => ({ ...field, value: valueAt(data, field.path) }))
    .filter((f) => f.value !== undefined);
  return { keyId: fields.keyId, found };
}

/** Seals every clear personal field of an event's data (values already sealed stay as they are). */
export async function sealPersonalData(
  topic: string,
  data: unknown,
  keyFor: (keyId: string) => Promise<Buffer>,
): Promise<unknown> {
  const fields = present(topic, data);
  const pending = fields?.found.filter((f) => !isSealed(f.value)) ?? [];
  if (!fields || pending.length === 0) return data;
  const key = await keyFor(fields.keyId);
  return pending.reduce((acc, f) => setAt(acc, f.path, sealValue(key, fields.keyId, f.value)), data as Data);
}

/** The key of a request is gone: its personal data was erased (SPEC §10). */
export class PersonalDataErasedError extends Error {
  readonly code = 'PERSONAL_DATA.ERASED';
}

/** The key ids an event's sealed personal fields name: the keys that opening it reads. */
export function sealedKeyIds(topic: string, data: unknown): string[] {
  const sealed = present(topic, data)?.found.filter((f) => isSealed(f.value)) ?? [];
  return [...new Set(sealed.map((f) => sealedKeyId(f.value as string)))];
}

/** Opens every sealed personal field; a value whose key is gone throws `PersonalDataErasedError`. */
export async function openPersonalData(
  topic: string,
  data: unknown,
  keyFor: (keyId: string) => Promise<Buffer | null>,
): Promise<unknown> {
  const sealed = present(topic, data)?.found.filter((f) => isSealed(f.value)) ?? [];
  if (sealed.length === 0) return data;
  const keys = new Map<string, Buffer | null>();
  let result = data as Data;
  for (const field of sealed) {
    const token = field.value as string;
    const keyId = sealedKeyId(token);
    if (!keys.has(keyId)) keys.set(keyId, await keyFor(keyId));
    const key = keys.get(keyId);
    if (!key) throw new PersonalDataErasedError(`the personal data of ${keyId} was erased: its key is gone`);
    result = setAt(result, field.path, openValue(key, token));
  }
  return result;
}

/**
 * For a consumer that keeps personal data sealed (the exchange log): the data with a stand-in in
 * each sealed field, to validate against the topic's schema, and a function that puts the sealed
 * values back into the validated data.
 */
export function withStandIns(
  topic: string,
  data: unknown,
): { checkable: unknown; restore: (parsed: unknown) => unknown } {
  const sealed = present(topic, data)?.found.filter((f) => isSealed(f.value)) ?? [];
  if (sealed.length === 0) return { checkable: data, restore: (parsed) => parsed };
  return {
    checkable: sealed.reduce((acc, f) => setAt(acc, f.path, structuredClone(f.standIn)), data as Data),
    restore: (parsed) =>
      isObject(parsed) ? sealed.reduce((acc, f) => setAt(acc, f.path, f.value), parsed) : parsed,
  };
}

/** What a view shows in place of personal data whose key is gone (SPEC §10). */
export const ERASED = 'erased';

/**
 * Every sealed value anywhere in `value` opened for a view (a log entry on an auditor's
 * timeline): clear where its key remains, `erased` where it is gone, and whether any was.
 */
export async function openForView(
  value: unknown,
  keyFor: (keyId: string) => Promise<Buffer | null>,
): Promise<{ value: unknown; erased: boolean }> {
  const keys = new Map<string, Buffer | null>();
  let erased = false;
  const visit = async (node: unknown): Promise<unknown> => {
    if (isSealed(node)) {
      const keyId = sealedKeyId(node);
      if (!keys.has(keyId)) keys.set(keyId, await keyFor(keyId));
      const key = keys.get(keyId);
      if (key) return openValue(key, node);
      erased = true;
      return ERASED;
    }
    if (Array.isArray(node)) return Promise.all(node.map(visit));
    if (isObject(node)) {
      const out: Data = {};
      for (const [k, v] of Object.entries(node)) out[k] = await visit(v);
      return out;
    }
    return node;
  };
  const opened = await visit(value);
  return { value: opened, erased };
}
