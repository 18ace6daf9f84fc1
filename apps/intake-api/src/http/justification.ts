import { JustificationRequiredError } from '@ixr/platform';

/** `X-Justification` (SPEC §2): why the caller reads or changes this; required, bounded, printable. */
export function requireJustification(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const text = value?.normalize('NFC').trim();
  if (!text) {
    throw new JustificationRequiredError('this action must carry an X-Justification header saying why', [
      { path: 'header:X-Justification', message: 'required' },
    ]);
  }
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (text.length > 1000 || /[\u0000-\u001F\u007F]/.test(text)) {
    throw new JustificationRequiredError('X-Justification is invalid', [
      { path: 'header:X-Justification', message: 'at most 1000 printable characters' },
    ]);
  }
  return text;
}
