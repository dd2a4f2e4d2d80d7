import { didYouMean } from "../did-you-mean.js";
import type { Verdict } from "./verdict.js";

/**
 * The one rule for an option that takes one of a few names (`--auth`, `--kind`, `--severity`,
 * `--format`, ...): the names are lowercase and the value is accepted in any letter case
 * (`Bearer` is `bearer`); any other value is refused with the closest name, if one is within
 * two edits, and the list. `meaning` explains the names where the list alone does not
 * (`critical (unreachable) and info (reachable)`).
 */
export function checkEnumValue<T extends string>(
  value: string,
  allowed: readonly T[],
  options: { noun?: string; meaning?: string } = {},
): Verdict<T> {
  const found = allowed.find((name) => name === value.toLowerCase());
  if (found !== undefined) return { ok: true, value: found };
  const suggestion = didYouMean(value, allowed);
  const hint = suggestion ? `Did you mean ${suggestion}? ` : "";
  const list = options.meaning ?? `Pass one of ${allowed.join(", ")}`;
  return {
    ok: false,
    problem: `unknown ${options.noun ?? "value"}: ${JSON.stringify(value)}. ${hint}${list}.`,
  };
}
