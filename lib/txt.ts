/**
 * TXT values: a DNS TXT record is a list of character-strings of at most 255 bytes each, and the
 * two providers want long values in different shapes. Writing and reading both live here.
 */

/** The longest character-string one TXT record string may hold (RFC 1035 §3.3). */
export const TXT_STRING_MAX = 255;

/** Split a value into character-strings of at most 255 characters, without separators. */
export function splitTxt(value: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_MAX) chunks.push(value.slice(i, i + TXT_STRING_MAX));
  return chunks.length ? chunks : [""];
}

/**
 * Route 53 via the AWS provider: the provider wraps each `records` entry in quotes itself, so a
 * long value is written as `first255""rest` and becomes two strings of one record.
 */
export function route53TxtValue(value: string): string {
  return splitTxt(value).join('""');
}

function quote(chunk: string): string {
  return `"${chunk.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Cloudflare wants TXT content quoted; quoted strings longer than 255 are split by Cloudflare itself. */
export function cloudflareTxtContent(value: string): string {
  return quote(value);
}

/** A TXT value in zone-file presentation: each character-string quoted, separated by spaces. */
export function presentTxt(value: string): string {
  return splitTxt(value).map(quote).join(" ");
}

/**
 * The value a receiver sees, from any of the shapes above or a plain string: quoted strings are
 * unescaped and joined without separators (RFC 7208 §3.3), Route 53's `""` joins are removed.
 */
export function readTxt(raw: string): string {
  const text = raw.trim();
  if (!text.startsWith('"')) return text.split('""').join("");
  const strings: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) strings.push(match[1].replace(/\\(.)/g, "$1"));
  return strings.join("");
}
