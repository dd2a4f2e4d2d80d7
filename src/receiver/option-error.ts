/** Builds the error a misused option throws: names the option, shows the value, says the fix. */
export function optionError(caller: string, option: string, detail: string): TypeError {
  return new TypeError(`[netdata-webhook-kit] ${caller}: ${option}: ${detail}`);
}
