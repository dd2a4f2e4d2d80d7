/**
 * RFC 3339 date-times as Netdata sends them (Go's time.Time: `2026-04-10T22:11:48-05:00`,
 * optionally with fractional seconds). Date.parse alone is not enough: it rolls
 * 2026-02-30 over to March 2 and accepts forms without an offset as local time.
 */
const RFC3339_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * The last value converted and its result: the schema's "date-time" check and the
 * normalisation convert the same string one after the other.
 */
let last: { value: string; iso: string | null } = { value: "", iso: null };

/**
 * The instant as ISO 8601 UTC (`2026-04-11T03:11:48.000Z`), or null when `value` is not a
 * valid RFC 3339 date-time with an offset. Leap seconds (:60) are refused: JavaScript
 * dates cannot hold them and Go never emits them.
 */
export function rfc3339ToIsoUtc(value: string): string | null {
  if (value !== last.value) last = { value, iso: convert(value) };
  return last.iso;
}

function convert(value: string): string | null {
  const match = RFC3339_PATTERN.exec(value);
  if (match === null) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetH = 0, offsetM = 0] =
    match.slice(1).map((part) => Number(part ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetH > 23 || offsetM > 59) return null;
  const time = Date.parse(value.replace(" ", "T"));
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** True when `value` is a valid RFC 3339 date-time; used as ajv's "date-time" format. */
export function isRfc3339DateTime(value: string): boolean {
  return rfc3339ToIsoUtc(value) !== null;
}
