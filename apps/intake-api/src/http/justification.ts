import { JustificationRequiredError } from '@ixr/platform';

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
  const text = header?.normalize('NFC').trim();
  if (!text) return undefined;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (text.length > 1000 || /[\u0000-\u001F\u007F]/.test(text)) {
    throw new JustificationRequiredError('X-Justification is invalid', [
      { path: 'header:X-Justification', message: 'at most 1000 printable characters' },
    ]);
  }
  return text;
}
