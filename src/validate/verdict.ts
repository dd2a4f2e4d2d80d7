/**
 * What a validator says about one value: the value to use, or the problem (what was
 * expected and what came). Each caller puts its own name for the option in front: `--path: `
 * on the command line, `startReceiver: path: ` in a library TypeError.
 */
export type Verdict<T> = { ok: true; value: T } | { ok: false; problem: string };

/** `expected ..., got "value"` : the value JSON-quoted, so spaces and empties show. */
export function describeRefusal(expected: string, got: unknown): string {
  return `expected ${expected}, got ${JSON.stringify(got)}`;
}
