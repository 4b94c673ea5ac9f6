/**
 * Bounded decompression of gzip files and zip archives held in memory (the compressed bytes are
 * small; what they expand to is streamed). Every member may expand to at most `limit` bytes: one
 * that goes past it is refused as soon as it does, before the rest is inflated, so zip and gzip
 * bombs cost at most `limit` bytes of inflation each.
 */
import { createInflateRaw, crc32, inflateRawSync } from "node:zlib";
import { Readable } from "node:stream";
import { Entry, fromBuffer, ZipFile } from "yauzl";
import { NotAReport } from "./report";

/** Members past this size are refused (a report of one large sender for one day is a few MB). */
export const DEFAULT_MEMBER_LIMIT = 256 * 1024 * 1024;
/**
 * Compressed data up to this size is inflated in one call: much faster for the small files reports
 * are, and at most ~1,032 times larger (deflate's ceiling) before the limit stops it. Larger
 * data is streamed.
 */
const INFLATE_AT_ONCE = 32 * 1024;

/** Members of one zip archive read at most; real reports hold one. */
export const MAX_ZIP_ENTRIES = 1000;

export function mebibytes(bytes: number): string {
  return `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function tooLarge(what: string, limit: number): NotAReport {
  return new NotAReport(`${what} expands past ${mebibytes(limit)}, the limit for one member (--max-member-mb): refused`);
}

/** Deflate's largest expansion: a byte of compressed data holds at most 1,032 bytes (zlib's FAQ). */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Inflates `data` in one call, refusing output past `room` bytes; `what` names it in errors.
 * `expected` is what a header says it expands to: an output buffer of that size (bounded by what
 * deflate can do with `data`) is filled once, where zlib's 16 KiB default would be filled,
 * renewed and joined.
 */
function inflateAtOnce(data: Buffer, room: number, expected: number, what: string, tooMuch: () => NotAReport): { buffer: Buffer; consumed: number } {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  // One byte over, so that zlib does not start a second buffer after filling the first.
  const chunkSize = Math.max(64, Math.min(expected, room, data.length * MAX_DEFLATE_RATIO) + 1);
  try {
    result = inflateRawSync(data, { info: true, maxOutputLength: Math.max(1, room), chunkSize }) as unknown as typeof result;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooMuch();
    throw new NotAReport(`${what}: ${(error as Error).message}`);
  }
  if (result.buffer.length > room) throw tooMuch();
  return { buffer: result.buffer, consumed: result.engine.bytesWritten };
}

function liesAboutSize(what: string, declared: number, detail = ""): NotAReport {
  return new NotAReport(`${what} holds more than the ${declared} bytes its header says${detail}: a zip bomb or a corrupt archive, refused`);
}

/** Where the deflate data of the gzip member at `offset` starts (RFC 1952 §2.3). */
function gzipHeaderEnd(buf: Buffer, offset: number): number {
  if (buf.length - offset < 10 || buf[offset] !== 0x1f || buf[offset + 1] !== 0x8b) throw new NotAReport("gzip: truncated header");
  if (buf[offset + 2] !== 8) throw new NotAReport(`gzip: unknown compression method ${buf[offset + 2]}`);
  const flags = buf[offset + 3];
  let p = offset + 10;
  if (flags & 4) p += 2 + buf.readUInt16LE(p);
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const zero = buf.indexOf(0, p);
      if (zero < 0) throw new NotAReport("gzip: truncated header");
      p = zero + 1;
    }
  }
  if (flags & 2) p += 2;
  if (p > buf.length) throw new NotAReport("gzip: truncated header");
  return p;
}

/** What the last member of a gzip file says it expands to (ISIZE, RFC 1952 §2.3.1): the whole, for the usual single member. */
const lastMemberSize = (buf: Buffer) => (buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0);

/**
 * The bytes a gzip file holds, member after member (RFC 1952 allows several, read as one). Bytes
 * after the last member that do not start another are reported through `warn` and ignored:
 * some reporters send them.
 */
export async function* gunzip(buf: Buffer, limit: number, warn: (message: string) => void): AsyncGenerator<Buffer> {
  let offset = 0;
  let total = 0;
  while (offset < buf.length) {
    const start = gzipHeaderEnd(buf, offset);
    let crc = 0;
    let size = 0;
    let consumed: number;
    if (buf.length - start <= INFLATE_AT_ONCE) {
      const { buffer, consumed: used } = inflateAtOnce(buf.subarray(start), limit - total, lastMemberSize(buf), "gzip", () => tooLarge("gzip data", limit));
      consumed = used;
      total += buffer.length;
      size = buffer.length;
      crc = crc32(buffer);
      if (buffer.length) yield buffer;
    } else {
      const inflate = createInflateRaw();
      inflate.end(buf.subarray(start));
      try {
        for await (const chunk of inflate as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > limit) throw tooLarge("gzip data", limit);
          size += chunk.length;
          crc = crc32(chunk, crc);
          yield chunk;
        }
      } catch (error) {
        inflate.destroy();
        if (error instanceof NotAReport) throw error;
        throw new NotAReport(`gzip: ${(error as Error).message}`);
      }
      consumed = inflate.bytesWritten;
    }
    const trailer = start + consumed;
    if (trailer + 8 > buf.length) throw new NotAReport("gzip: truncated (no CRC and size after the data)");
    if (buf.readUInt32LE(trailer) !== crc >>> 0 || buf.readUInt32LE(trailer + 4) !== size % 2 ** 32) throw new NotAReport("gzip: CRC or size check failed: the data is corrupt");
    offset = trailer + 8;
    const rest = buf.subarray(offset);
    if (rest.length && !(rest[0] === 0x1f && rest[1] === 0x8b)) {
      if (rest.some((b) => b !== 0)) warn(`${rest.length} bytes after the gzip data ignored`);
      return;
    }
  }
}

export interface ZipMember {
  name: string;
  /** The member's bytes, or why it cannot be read. */
  chunks: AsyncIterable<Buffer> | NotAReport;
}

const open = (buf: Buffer) =>
  new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );

const next = (zip: ZipFile) =>
  new Promise<Entry | undefined>((resolve, reject) => {
    const onEntry = (entry: Entry) => done(() => resolve(entry));
    const onEnd = () => done(() => resolve(undefined));
    const onError = (error: Error) => done(() => reject(error));
    const done = (then: () => void) => {
      zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
      then();
    };
    zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
    zip.readEntry();
  });

const openEntry = (zip: ZipFile, entry: Entry) =>
  new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));

async function* bounded(stream: Readable, name: string, limit: number, declared: number): AsyncGenerator<Buffer> {
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw tooLarge(name, limit);
      yield chunk;
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof NotAReport) throw error;
    const message = (error as Error).message;
    // yauzl checks the bytes against the size the headers declare (validateEntrySizes).
    if (/too many bytes/.test(message)) throw liesAboutSize(name, declared, ` (${message})`);
    throw new NotAReport(`${name}: ${message}`);
  }
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

/** A small member, inflated in one call from the archive's bytes, checked against its header's size and CRC. */
function inflateEntry(entry: Entry, buf: Buffer): AsyncIterable<Buffer> | NotAReport {
  const what = `zip member ${entry.fileName}`;
  try {
    // The local header (APPNOTE 4.3.7) has its own name and extra field lengths; the data follows it.
    const at = entry.relativeOffsetOfLocalHeader;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) return new NotAReport(`${what}: no local header where the central directory says`);
    const fileDataStart = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const data = buf.subarray(fileDataStart, fileDataStart + entry.compressedSize);
    // Its header's size is within the limit (unzip checked): inflating past it is a lie, so stop there.
    const bytes = entry.compressionMethod === 0 ? data : inflateAtOnce(data, entry.uncompressedSize, entry.uncompressedSize, what, () => liesAboutSize(what, entry.uncompressedSize)).buffer;
    if (bytes.length !== entry.uncompressedSize) return new NotAReport(`${what} holds ${bytes.length} bytes, not the ${entry.uncompressedSize} its header says: a corrupt archive, refused`);
    if (crc32(bytes) !== entry.crc32) return new NotAReport(`${what}: CRC check failed: the data is corrupt`);
    return once(bytes);
  } catch (error) {
    return error instanceof NotAReport ? error : new NotAReport(`${what}: ${(error as Error).message}`);
  }
}

/** The files of a zip archive, one after the other; each must be consumed before the next is asked for. */
export async function* unzip(buf: Buffer, limit: number): AsyncGenerator<ZipMember> {
  let zip: ZipFile;
  try {
    zip = await open(buf);
  } catch (error) {
    throw new NotAReport(`zip: ${(error as Error).message}`);
  }
  try {
    let count = 0;
    for (;;) {
      let entry: Entry | undefined;
      try {
        entry = await next(zip);
      } catch (error) {
        throw new NotAReport(`zip: ${(error as Error).message}`);
      }
      if (!entry) return;
      if (entry.fileName.endsWith("/")) continue;
      if (++count > MAX_ZIP_ENTRIES) throw new NotAReport(`zip: more than ${MAX_ZIP_ENTRIES} members; the rest is not read`);
      const name = entry.fileName;
      if (entry.isEncrypted()) yield { name, chunks: new NotAReport(`zip member ${name} is encrypted`) };
      else if (entry.uncompressedSize > limit) yield { name, chunks: tooLarge(`zip member ${name} (${mebibytes(entry.uncompressedSize)} by its header)`, limit) };
      else if (entry.compressedSize <= INFLATE_AT_ONCE && (entry.compressionMethod === 0 || entry.compressionMethod === 8)) {
        yield { name, chunks: inflateEntry(entry, buf) };
      } else {
        let stream: Readable;
        try {
          stream = await openEntry(zip, entry);
        } catch (error) {
          yield { name, chunks: new NotAReport(`zip member ${name}: ${(error as Error).message}`) };
          continue;
        }
        yield { name, chunks: bounded(stream, `zip member ${name}`, limit, entry.uncompressedSize) };
      }
    }
  } finally {
    zip.close();
  }
}
