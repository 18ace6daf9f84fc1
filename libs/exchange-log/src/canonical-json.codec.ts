import { ExchangeLogError } from './exchange-log.error';

/**
 * RFC 8785 JSON Canonicalization Scheme: the one byte string a value hashes to, so the same entry
 * hashes the same on the writer, in the database and in an auditor's CLI years later.
 *
 * Only what JSON can carry round trip is accepted. Anything JSON.stringify would silently drop or
 * alter (undefined, functions, NaN, Dates, Maps, class instances, lone surrogates) is refused,
 * because a silently altered entry would hash to something nobody wrote.
 */
export function canonicalJson(value: unknown): string {
  return new Writer().value(value).text;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/**
 * The members of a plain object as RFC 8785 writes them (`"key":value`), in canonical order: the
 * object's canonical JSON is `{` + their texts joined by `,` + `}`. Lets a caller place members of
 * its own among them without encoding the rest again (the log writer's chain members).
 */
export function canonicalMembers(object: Readonly<Record<string, unknown>>): { key: string; text: string }[] {
  const writer = new Writer();
  return writer.members(object).map((key) => {
    writer.text = '';
    writer.member(object, key);
    return { key, text: writer.text };
  });
}

// RFC 8785 requires I-JSON input (RFC 7493), which forbids unpaired surrogates. The native
// String.prototype.isWellFormed (Node 20) checks that without a regex: the writer's hot path
// meets every string of every entry here.
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

class Writer {
  text = '';
  // The path is kept as segments and only rendered for an error message: the writer's hot path
  // (every log entry) must not build strings it will throw away.
  private readonly path: (string | number)[] = [];
  private readonly ancestors = new Set<object>();

  value(value: unknown): this {
    switch (typeof value) {
      case 'string':
        this.string(value);
        break;
      case 'number':
        if (!Number.isFinite(value)) this.refuse(`is ${String(value)}, which JSON cannot represent`);
        // RFC 8785 §3.2.2.3 adopts ECMAScript Number serialisation verbatim; -0 becomes "0".
        this.text += String(value);
        break;
      case 'boolean':
        this.text += value ? 'true' : 'false';
        break;
      case 'object':
        if (value === null) this.text += 'null';
        else this.container(value);
        break;
      case 'bigint':
        this.refuse('is a bigint (pass a number or a string)');
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        this.refuse(`is ${typeof value}`);
    }
    return this;
  }

  private string(s: string): void {
    if (!isWellFormed(s)) this.refuse('contains an unpaired UTF-16 surrogate');
    // For well-formed strings JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 prescribes:
    // \" \\ \b \t \n \f \r, other controls as lowercase \u00xx, everything else verbatim.
    this.text += JSON.stringify(s);
  }

  private container(value: object): void {
    if (this.ancestors.has(value)) this.refuse('is a circular reference');
    this.ancestors.add(value);
    if (Array.isArray(value)) this.array(value);
    else this.object(value);
    this.ancestors.delete(value);
  }

  private array(array: readonly unknown[]): void {
    if (Object.getPrototypeOf(array) !== Array.prototype) this.refuse('is an array subclass');
    this.text += '[';
    for (let i = 0; i < array.length; i++) {
      if (i > 0) this.text += ',';
      this.path.push(i);
      if (!(i in array)) this.refuse('is a hole in a sparse array');
      this.value(array[i]);
      this.path.pop();
    }
    this.text += ']';
  }

  /** The keys of a plain object in canonical order; refuses anything else. */
  members(object: object): string[] {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      this.refuse('is not a plain object');
    }
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      this.refuse(`is a ${kind}, not a plain object (convert it, e.g. a Date to an ISO string)`);
    }
    if (Object.getOwnPropertySymbols(object).length > 0) this.refuse('has symbol keys');
    // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3's order.
    return Object.keys(object).sort();
  }

  member(object: object, key: string): void {
    this.path.push(key);
    this.string(key);
    this.text += ':';
    this.value((object as Record<string, unknown>)[key]);
    this.path.pop();
  }

  private object(object: object): void {
    const keys = this.members(object);
    this.text += '{';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) this.text += ',';
      this.member(object, keys[i]);
    }
    this.text += '}';
  }

  private refuse(what: string): never {
    const path = this.path
      .map((s) => (typeof s === 'number' ? `[${s}]` : PLAIN_KEY.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
      .join('');
    throw new ExchangeLogError('EXCHANGE_LOG.NOT_CANONICAL_JSON', `canonical JSON: $${path} ${what}`);
  }
}
