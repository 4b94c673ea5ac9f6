/** How figures are written, the same on the terminal and on the HTML page (its test compares them with --json). */
const INTEGER = new Intl.NumberFormat("en-US");

export function count(n: number): string {
  return INTEGER.format(n);
}

/** `part` of `whole` as a percentage with one decimal; "-" when there is no whole. */
export function share(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The day of an ISO 8601 time. */
export function day(iso: string): string {
  return iso.slice(0, 10);
}

/** `n` and the word, plural unless n is 1: "1 report", "2 reports". */
export function counted(n: number, word: string, plural = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : plural}`;
}
