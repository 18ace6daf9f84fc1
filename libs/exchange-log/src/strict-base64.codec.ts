/**
 * Standard padded base64 (RFC 4648 §4), decoded strictly. Buffer.from(s, 'base64') skips junk and
 * tolerates missing padding, so two different strings could decode to one key or signature; in
 * signed material exactly one spelling must be valid.
 */
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!SHAPE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding also rejects non-zero padding bits ("QR==" vs "QQ==").
  return bytes.toString('base64') === text ? bytes : undefined;
}
