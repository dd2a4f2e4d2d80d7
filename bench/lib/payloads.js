// @ts-check
// Request bodies: a real Netdata alert (the captured critical alert, 2.4 KB, nested format)
// with a counter in its transition_id, so every body has different content. The receiver
// stores each one (it deduplicates by content, so a repeated body would skip the write).
import { readFileSync } from "node:fs";

const FIXTURE = new URL(
  "../../test/fixtures/captured/netdata-alert-critical.json",
  import.meta.url,
);
/** The field that varies: its last 12 hex digits become the counter. */
const VARIED_FIELD = '"transition_id": "ee19d16d-e3d5-43f3-b313-';
const COUNTER_DIGITS = 12;

const text = readFileSync(FIXTURE, "utf8");
const at = text.indexOf(VARIED_FIELD);
if (at < 0)
  throw new Error(`failed to prepare bench bodies: ${FIXTURE.pathname} has no ${VARIED_FIELD}`);
const head = text.slice(0, at + VARIED_FIELD.length);
const tail = text.slice(at + VARIED_FIELD.length + COUNTER_DIGITS);

let counter = 0;

/** The next body: same bytes and length every time but for the counter. */
export function nextUniqueBody() {
  counter += 1;
  return `${head}${counter.toString(16).padStart(COUNTER_DIGITS, "0")}${tail}`;
}
