import { JustificationRequiredError } from '@ixr/platform';
import { optionalJustification, requireJustification } from './justification';

/** Header values as Node hands them over: the client's UTF-8 bytes read as Latin-1. */
const header = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('X-Justification', () => {
  it('accepts printable text, decoding UTF-8', () => {
    expect(requireJustification(header('enquête 2026/44 — court order'))).toBe(
      'enquête 2026/44 — court order',
    );
    expect(optionalJustification(undefined)).toBeUndefined();
  });

  it.each([
    ['a NUL', 'case\u0000'],
    ['an escape sequence', 'case \u001b[31m'],
    ['DEL', 'case\u007f'],
    ['a C1 control', 'case \u0085 next'],
    ['a right-to-left override', 'approved \u202Ebus\u202C'],
    ['a left-to-right mark', 'case \u200E x'],
    ['an isolate', 'case \u2066x\u2069'],
    ['an Arabic letter mark', 'case \u061C x'],
    ['a lone surrogate', 'case \ud800 x'],
  ])('refuses %s with a 400 error naming the header', (_, text) => {
    // A lone surrogate has no UTF-8 bytes: it can only arrive already decoded.
    const values = /[\ud800-\udfff]/.test(text) ? [text] : [header(text), text];
    for (const value of values) {
      expect(() => requireJustification(value)).toThrow(JustificationRequiredError);
      try {
        optionalJustification(value);
      } catch (error) {
        expect((error as JustificationRequiredError).details?.[0]?.path).toBe('header:X-Justification');
      }
    }
  });
});
