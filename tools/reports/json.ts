/**
 * `--json`'s output: exactly `JSON.stringify(summary, null, 2)`, but made and written piece by
 * piece, so the list of every report of a large run is never held whole (10,000 reports are 6 MB
 * of JSON).
 */

const INDENT = "  ";
/** Pieces are joined up to about this many characters before they are written. */
const PIECE = 64 * 1024;

/** JSON.stringify(value, null, 2) at `depth`: its lines after the first indented to sit there. */
function nested(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  return depth ? text.replace(/\n/g, `\n${INDENT.repeat(depth)}`) : text;
}

/** What JSON.stringify leaves out of an object, and writes as null in an array. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** The pieces of JSON.stringify(value, null, 2): the top level and its arrays and objects opened, deeper values whole. */
function* pieces(value: unknown, depth: number): Generator<string> {
  const open = depth < 2 && value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON !== "function";
  if (!open) return yield nested(value, depth);
  const inner = INDENT.repeat(depth + 1);
  const entries: [string | undefined, unknown][] = Array.isArray(value)
    ? value.map((v) => [undefined, omitted(v) ? null : v])
    : Object.entries(value as object).filter(([, v]) => !omitted(v));
  const [start, end] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return yield `${start}${end}`;
  yield `${start}\n`;
  for (const [i, [key, v]] of entries.entries()) {
    yield `${inner}${key === undefined ? "" : `${JSON.stringify(key)}: `}`;
    yield* pieces(v, depth + 1);
    yield i < entries.length - 1 ? ",\n" : "\n";
  }
  yield `${INDENT.repeat(depth)}${end}`;
}

/**
 * Writes `value` as JSON.stringify(value, null, 2) and a newline, in pieces of about 64 KiB,
 * waiting on `drained` after each: a pipe read slower than the JSON is made (`| jq`, a CI log)
 * would otherwise hold all of it in memory at once.
 */
export async function writeJson(value: unknown, write: (text: string) => void, drained: () => Promise<void> = async () => {}): Promise<void> {
  let buffered = "";
  for (const piece of pieces(value, 0)) {
    buffered += piece;
    if (buffered.length >= PIECE) {
      write(buffered);
      buffered = "";
      await drained();
    }
  }
  write(`${buffered}\n`);
}
