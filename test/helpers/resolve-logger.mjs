// A module-resolution hook that reports every resolved URL on stderr, so a test can see
// which modules a CLI invocation really loads. Hooks run on their own thread: a synchronous
// write, so that no line is lost when the CLI exits right after.
import { writeSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, `resolved ${result.url}\n`);
  return result;
}
