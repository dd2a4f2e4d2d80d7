import { checkEnumValue } from "../validate/enum-value.js";
import { UsageError } from "./_command.js";

/** `--flag VALUE` for a one-of-a-few option, by the rule of `checkEnumValue`. */
export function enumOption<T extends string>(
  flag: string,
  value: string,
  allowed: readonly T[],
  options: { noun?: string; meaning?: string } = {},
): T {
  const verdict = checkEnumValue(value, allowed, options);
  if (!verdict.ok) throw new UsageError(`${flag}: ${verdict.problem}`, { option: flag });
  return verdict.value;
}
