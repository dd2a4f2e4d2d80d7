/**
 * The one error a misused option throws, from every public entry point of the library
 * (startReceiver, the adapters, createOutbox, the console, verifyReceiver). A value with
 * fields, not text to parse: the CLI turns `option` into its flag name from a table and
 * prints `problem` and `fix` in its own style.
 */
export class OptionError extends TypeError {
  /** The public function that was called, e.g. "startReceiver". */
  readonly caller: string;
  /** The option's name as the caller wrote it, dotted for nested ones ("auth.token"). */
  readonly option: string;
  /** What is wrong, showing the value (never a secret: its length instead). */
  readonly problem: string;
  /** What to do about it, when there is something specific to say. */
  readonly fix: string | undefined;

  constructor(caller: string, option: string, problem: string, fix?: string) {
    super(`[netdata-webhook-kit] ${caller}: ${option}: ${problem}${fix ? `. ${fix}` : ""}`);
    this.name = "OptionError";
    this.caller = caller;
    this.option = option;
    this.problem = problem;
    this.fix = fix;
  }
}
