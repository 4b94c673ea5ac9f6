/**
 * What an input is, told by its first bytes, never by its name: reporters send zip files named
 * `.xml.gz`, and SES stores received mail under keys with no extension at all.
 */
export enum InputKind {
  GZIP = "gzip",
  ZIP = "zip",
  XML = "xml",
  /** An email (RFC 5322 header fields first, or an mbox `From ` line): what SES's S3 action stores. */
  EMAIL = "email",
  UNKNOWN = "unknown",
}

/** Bytes enough to tell every kind apart. */
export const SNIFF_BYTES = 512;

export function sniff(head: Uint8Array): InputKind {
  if (head[0] === 0x1f && head[1] === 0x8b) return InputKind.GZIP;
  // A local file header, or the end record of an empty archive.
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return InputKind.ZIP;
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, SNIFF_BYTES)).toString("latin1");
  if (/^(?:\xEF\xBB\xBF|\xFF\xFE|\xFE\xFF)?[\s\0]*<\0?[?!a-zA-Z_]/.test(text)) return InputKind.XML;
  if (/^(?:From |[\x21-\x39\x3b-\x7e]+:[ \t]*\S)/.test(text)) return InputKind.EMAIL;
  return InputKind.UNKNOWN;
}

/** A short description of bytes that are no known kind, for the error message. */
export function describeHead(head: Uint8Array): string {
  if (head.byteLength === 0) return "the input is empty";
  const hex = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 8)).toString("hex").replace(/(..)/g, "$1 ").trim();
  return `it is neither XML, gzip, zip nor an email (first bytes: ${hex})`;
}
