import type { Verdict } from "./verdict.js";

/**
 * A TCP port, given as a number (library) or as decimal digits (command line, config).
 * `allowZero`: 0 means "pick a free port", which only a server that reports its port back
 * can accept (startReceiver, `serve`); a generated proxy config cannot.
 */
export function checkPort(value: unknown, options: { allowZero: boolean }): Verdict<number> {
  const min = options.allowZero ? 0 : 1;
  const port =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d{1,5}$/.test(value)
        ? Number(value)
        : Number.NaN;
  const fix = `Pass a whole number from ${min} to 65535.`;
  if (!Number.isInteger(port)) {
    return { ok: false, problem: `not a whole number: ${JSON.stringify(value)}. ${fix}` };
  }
  if (port < min || port > 65_535) return { ok: false, problem: `out of range: ${port}. ${fix}` };
  return { ok: true, value: port };
}
