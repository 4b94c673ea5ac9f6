/**
 * An S3 bucket as report inputs: every object below a prefix, as SES's S3 action stores received
 * mail (the raw message, under the prefix and the message id, no extension). Credentials come from
 * the AWS SDK's standard chain (environment, shared config and credentials files, SSO, instance
 * or task roles). All it needs is where the objects are: `{bucket, prefix, region}`.
 */
import { GetObjectCommand, ListObjectsV2Command, ListObjectsV2CommandOutput, S3Client } from "@aws-sdk/client-s3";
import { Input, Skipped } from "../../lib/reports/read";
import { NotAReport } from "../../lib/reports/report";
import { UsageError } from "../command";

export interface S3Location {
  bucket: string;
  /** Key prefix, "" for the whole bucket. */
  prefix: string;
  /** The bucket's region; undefined leaves it to the SDK (AWS_REGION, the shared config). */
  region?: string;
  /** An S3-compatible store's URL instead of AWS's (path-style addressing). */
  endpoint?: string;
}

/** The object SES writes when a receipt rule's S3 action is set up, to check it may write there. */
const SES_SETUP_NOTIFICATION = "AMAZON_SES_SETUP_NOTIFICATION";
/** Objects whose download starts before the previous ones are read, to hide the round trips. */
const PREFETCH = 8;

export function s3Client(location: S3Location): S3Client {
  return new S3Client({
    region: location.region,
    ...(location.endpoint
      ? {
          endpoint: location.endpoint,
          forcePathStyle: true,
          // S3-compatible stores often know neither the SDK's default CRC checksums nor aws-chunked uploads.
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }
      : {}),
  });
}

const url = (location: S3Location, key: string) => `s3://${location.bucket}/${key}`;

async function* objectChunks(body: Promise<AsyncIterable<Uint8Array>>): AsyncGenerator<Uint8Array> {
  let stream: AsyncIterable<Uint8Array>;
  try {
    stream = await body;
  } catch (error) {
    throw new NotAReport(`cannot read it: ${(error as Error).name}: ${(error as Error).message}`);
  }
  try {
    yield* stream;
  } catch (error) {
    throw new NotAReport(`reading it failed: ${(error as Error).message}`);
  }
}

function download(client: S3Client, location: S3Location, key: string): Promise<AsyncIterable<Uint8Array>> {
  const body = client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key })).then((out) => {
    if (!out.Body) throw new Error("the object has no body");
    return out.Body as AsyncIterable<Uint8Array>;
  });
  body.catch(() => undefined); // read (and reported) when its turn comes
  return body;
}

/** Every object below the prefix, in key order; `pageSize` keys per listing request. */
export async function* s3Inputs(location: S3Location, client = s3Client(location), pageSize = 1000): AsyncGenerator<Input | Skipped> {
  const pending: { key: string; body?: Promise<AsyncIterable<Uint8Array>> }[] = [];
  let token: string | undefined;
  let listed = false;
  const list = async () => {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: token, MaxKeys: pageSize }));
    } catch (error) {
      const e = error as Error;
      throw new UsageError(`cannot list ${url(location, location.prefix)}: ${e.name}: ${e.message}`, false);
    }
    for (const object of page.Contents ?? []) if (object.Key !== undefined) pending.push({ key: object.Key });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    listed = token === undefined;
  };
  await list();
  while (pending.length || !listed) {
    if (pending.length < PREFETCH && !listed) await list();
    if (!pending.length) continue;
    for (const p of pending.slice(0, PREFETCH)) if (!p.body && !skipReason(p.key)) p.body = download(client, location, p.key);
    const { key, body } = pending.shift()!;
    const reason = skipReason(key);
    if (reason) yield { name: url(location, key), skip: reason };
    else yield { name: url(location, key), chunks: () => objectChunks(body!) };
  }
}

function skipReason(key: string): string | undefined {
  if (key.endsWith("/")) return "a folder marker";
  if (key.split("/").pop() === SES_SETUP_NOTIFICATION) return "SES's setup notification (written when the receipt rule was set up)";
  return undefined;
}
