import { isUtf8 } from 'node:buffer';
import { JustificationRequiredError } from '@ixr/platform';

/**
 * What a justification may not hold: C0 and C1 controls, the bidirectional controls that reorder
 * what an auditor reads (U+061C, U+200E/F, U+202A–E, U+2066–9), and lone surrogates.
 */
const UNSAFE_TEXT =
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `X-Justification` (SPEC §2): why the caller reads or changes this; required, bounded, printable. */
export function requireJustification(header: string | string[] | undefined): string {
  const text = optionalJustification(header);
  if (!text) {
    throw new JustificationRequiredError('this action must carry an X-Justification header saying why', [
      { path: 'header:X-Justification', message: 'required' },
    ]);
  }
  return text;
}

/** The justification when one is given (checked the same way), else undefined. */
export function optionalJustification(header: string | string[] | undefined): string | undefined {
  if (Array.isArray(header)) {
    throw new JustificationRequiredError('X-Justification is invalid', [
      { path: 'header:X-Justification', message: 'give it once' },
    ]);
  }
  const text = header === undefined ? undefined : decodeHeader(header).normalize('NFC').trim();
  if (!text) return undefined;
  if (text.length > 1000 || UNSAFE_TEXT.test(text)) {
    throw new JustificationRequiredError('X-Justification is invalid', [
      {
        path: 'header:X-Justification',
        message: 'at most 1000 printable characters (no control, bidirectional or lone surrogate)',
      },
    ]);
  }
  return text;
}

/** Node hands header values over as Latin-1: a client's UTF-8 text is decoded as such. */
function decodeHeader(value: string): string {
  const codes = Array.from(value, (c) => c.charCodeAt(0));
  if (!codes.some((c) => c >= 0x80) || codes.some((c) => c > 0xff)) return value;
  const bytes = Buffer.from(value, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : value;
}
