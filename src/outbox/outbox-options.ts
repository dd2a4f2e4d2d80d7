import type { DeliveryRoute } from "../receiver/store-internals.js";
import { OptionError } from "../validate/option-error.js";
import type { OutboxOptions, OutboxSink } from "./outbox-types.js";
import { compileSinkFilter } from "./sink-filter.js";

const CALLER = "createOutbox";
/** What a sink name may contain: it is a log field and a column, never a secret. */
export const SINK_NAME_PATTERN = /^[A-Za-z0-9._:()#-]{1,100}$/;

export interface ValidSink {
  sink: OutboxSink;
  /** Which new notifications get a row for this sink (its compiled filter). */
  route: DeliveryRoute;
}

/** Checks every option once; returns the sinks with their compiled filters. */
export function validateOutboxOptions(options: OutboxOptions): ValidSink[] {
  if (typeof options !== "object" || options === null) {
    throw new OptionError(CALLER, "options", "expected { store, sinks }");
  }
  if (!Array.isArray(options.sinks)) {
    throw new OptionError(CALLER, "sinks", "expected an array of { name, deliver }");
  }
  for (const key of [
    "attemptTimeoutMs",
    "maxAttempts",
    "maxAgeMs",
    "closeGraceMs",
    "maxConcurrentDeliveries",
    "deliveredRetentionMs",
  ] as const) {
    positive(options[key], key);
  }
  positive(options.backoff?.baseMs, "backoff.baseMs");
  positive(options.backoff?.maxMs, "backoff.maxMs");
  const names = new Set<string>();
  return options.sinks.map((sink, i) => {
    const where = `sinks[${i}]`;
    if (typeof sink?.name !== "string" || !SINK_NAME_PATTERN.test(sink.name)) {
      throw new OptionError(
        CALLER,
        `${where}.name`,
        `expected 1-100 of A-Z a-z 0-9 . _ : ( ) # -, got ${JSON.stringify(sink?.name)}`,
      );
    }
    if (names.has(sink.name)) {
      throw new OptionError(
        CALLER,
        `${where}.name`,
        `${JSON.stringify(sink.name)} is used twice; give each sink its own name`,
      );
    }
    names.add(sink.name);
    if (typeof sink.deliver !== "function") {
      throw new OptionError(
        CALLER,
        `${where}.deliver`,
        "expected a function (delivery) => Promise<void>",
      );
    }
    positive(sink.concurrency, `${where}.concurrency`);
    positive(sink.attemptTimeoutMs, `${where}.attemptTimeoutMs`);
    const filter = compileSinkFilter(sink.filter, where);
    return { sink, route: { sink: sink.name, ...filter } };
  });
}

function positive(value: number | undefined, option: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new OptionError(
      CALLER,
      option,
      `expected a positive whole number, got ${JSON.stringify(value)}`,
    );
  }
}
