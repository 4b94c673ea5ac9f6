/**
 * From one input's bytes to the reports in it: an XML file, a gzip file, a zip archive, an email
 * with reports attached (one or several), or any nesting of these, told apart by their bytes.
 * A part that is not a report gives an error naming it (`mail#report.zip#report.xml`) and the
 * other parts are still read.
 */
import PostalMime from "postal-mime";
import { DEFAULT_MEMBER_LIMIT, gunzip, mebibytes, unzip } from "./archive";
import { NotAReport, Report } from "./report";
import { describeHead, InputKind, sniff, SNIFF_BYTES } from "./sniff";
import { ReportReader } from "./xml";

export interface ExtractLimits {
  /** Bytes one decompressed member (a gzip file, a zip entry) may expand to. */
  member: number;
  /** Bytes of an email, gzip file or zip archive, which are read whole before they are unpacked. */
  input: number;
}

/** SES stores mail of up to 40 MB (SES Developer Guide, "Deliver to S3 bucket action"). */
export const DEFAULT_LIMITS: ExtractLimits = { member: DEFAULT_MEMBER_LIMIT, input: 64 * 1024 * 1024 };

/** Containers within containers (an email holding a zip holding a gzip file…) read at most. */
const MAX_DEPTH = 4;

const NOT_A_REPORT = "not a DMARC aggregate report";

export type Found = { file: string; report: Report } | { file: string; error: string };

/** The first bytes (enough to sniff), and all the bytes again, head included. */
async function peek(chunks: AsyncIterable<Uint8Array>): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    first.push(next.value);
    size += next.value.byteLength;
  }
  const head = first.length === 1 ? first[0] : Buffer.concat(first);
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* first;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, all: all() };
}

export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function collect(chunks: AsyncIterable<Uint8Array>, limit: number, what: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw new NotAReport(`${what} is larger than ${mebibytes(limit)}: not read`);
    parts.push(chunk);
  }
  return parts.length === 1 ? Buffer.from(parts[0].buffer, parts[0].byteOffset, parts[0].byteLength) : Buffer.concat(parts);
}

async function readXml(chunks: AsyncIterable<Uint8Array>): Promise<Report> {
  const reader = new ReportReader();
  for await (const chunk of chunks) reader.write(chunk);
  return reader.finish();
}

/** Every report in one input, in order; `file` names the input, and errors name the part. */
export async function* extractReports(file: string, chunks: AsyncIterable<Uint8Array>, limits: ExtractLimits = DEFAULT_LIMITS, depth = 0): AsyncGenerator<Found> {
  try {
    const { head, all } = await peek(chunks);
    const kind = sniff(head);
    if (kind !== InputKind.XML && depth >= MAX_DEPTH) throw new NotAReport(`archives nested more than ${MAX_DEPTH} deep: not read`);
    switch (kind) {
      case InputKind.XML:
        yield { file, report: await readXml(all) };
        return;
      case InputKind.GZIP: {
        const warnings: string[] = [];
        const data = gunzip(await collect(all, limits.input, "the gzip file"), limits.member, (w) => warnings.push(w));
        for await (const found of extractReports(file, data, limits, depth + 1)) {
          if ("report" in found) found.report.warnings.push(...warnings);
          yield "error" in found && found.file === file && found.error.startsWith(NOT_A_REPORT) ? { file, error: `inside the gzip data: ${found.error}` } : found;
        }
        return;
      }
      case InputKind.ZIP:
        for await (const member of unzip(await collect(all, limits.input, "the zip archive"), limits.member)) {
          const name = `${file}#${member.name}`;
          if (member.chunks instanceof NotAReport) yield { file: name, error: member.chunks.message };
          else yield* extractReports(name, member.chunks, limits, depth + 1);
        }
        return;
      case InputKind.EMAIL:
        yield* fromEmail(file, await collect(all, limits.input, "the email"), limits, depth);
        return;
      default:
        throw new NotAReport(`${NOT_A_REPORT}: ${describeHead(head)}`);
    }
  } catch (error) {
    if (!(error instanceof NotAReport)) throw error;
    yield { file, error: error.message };
  }
}

/** The reports attached to an email, each a part of any report kind; other parts are passed over. */
async function* fromEmail(file: string, raw: Buffer, limits: ExtractLimits, depth: number): AsyncGenerator<Found> {
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw);
  } catch (error) {
    throw new NotAReport(`email: ${(error as Error).message}`);
  }
  const others: string[] = [];
  let reports = 0;
  for (const [i, attachment] of email.attachments.entries()) {
    const bytes = typeof attachment.content === "string" ? Buffer.from(attachment.content) : new Uint8Array(attachment.content);
    const kind = sniff(bytes);
    if (kind !== InputKind.XML && kind !== InputKind.GZIP && kind !== InputKind.ZIP) {
      others.push(attachment.mimeType);
      continue;
    }
    reports++;
    yield* extractReports(`${file}#${attachment.filename ?? `part ${i + 1}`}`, once(bytes), limits, depth + 1);
  }
  if (reports === 0) {
    const parts = [...(email.text ? ["text/plain"] : []), ...(email.html ? ["text/html"] : []), ...others];
    const subject = email.subject ? ` "${email.subject}"` : "";
    throw new NotAReport(`email${subject} has no DMARC report attached (its parts: ${parts.join(", ") || "none"})`);
  }
}
