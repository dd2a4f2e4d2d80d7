import { didYouMean } from "../did-you-mean.js";
import { OptionError } from "./option-error.js";

/**
 * Throws the OptionError for an options value that is not an object, or for the first name
 * `known` does not hold, with the closest known name when it looks like a typo. An unknown
 * name is refused rather than ignored: a mistyped `auth` would otherwise leave a receiver
 * open to anyone Netdata-shaped. `within` names a nested object (`auth` gives `auth.tokn`).
 */
export function refuseUnknownOptions(
  options: unknown,
  known: readonly string[],
  caller: string,
  within?: string,
): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const got = options === null ? "null" : Array.isArray(options) ? "an array" : typeof options;
    throw new OptionError(caller, within ?? "options", `expected an object, got ${got}`);
  }
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const guess = didYouMean(name, known);
    throw new OptionError(
      caller,
      within === undefined ? name : `${within}.${name}`,
      `unknown option${guess ? `; did you mean ${JSON.stringify(guess)}?` : "."} Known options: ${known.join(", ")}.`,
    );
  }
}
