import type { NotificationKind } from "../../protocol/notification-types.js";
import type { Random } from "../random.js";
import type { AlertSeverity } from "./alert-catalogue.js";
import { type AlertFlatEra, alertFlat } from "./alert-flat.js";
import { alertNested } from "./alert-nested.js";
import { goJson } from "./go-json.js";
import { reachabilityFlat, reachabilityNested } from "./reachability.js";
import { createWorld } from "./world.js";

export type PayloadFormat = "flat" | "nested";

/** One generated notification: its kind, a short label for reports, and the exact bytes sent. */
export interface Payload {
  kind: NotificationKind;
  label: string;
  body: string;
}

export interface PayloadFactory {
  /** A fresh UUID, as Netdata uses for test-notification and crc tokens. */
  token(): string;
  test(): Payload;
  alert(format: PayloadFormat, severity: AlertSeverity, era?: AlertFlatEra): Payload;
  reachability(format: PayloadFormat, reachable: boolean): Payload;
  /** A payload of `kind` with fields no version of Netdata has sent (yet), top-level and nested. */
  withUnknownFields(kind: Exclude<NotificationKind, "test">): Payload;
}

const TEST_MESSAGE =
  "This is a Test Notification. If you're receiving it, your Webhook integration is configured properly!";

/** Every call draws from `rng`: fresh ids each time, identical bytes for the same seed. */
export function createPayloadFactory(rng: Random): PayloadFactory {
  const make = (
    kind: NotificationKind,
    label: string,
    value: Record<string, unknown>,
  ): Payload => ({
    kind,
    label,
    body: goJson(value),
  });
  const alertValue = (format: PayloadFormat, severity: AlertSeverity, era?: AlertFlatEra) =>
    format === "flat"
      ? alertFlat(rng, createWorld(rng), severity, era)
      : alertNested(rng, createWorld(rng), severity);
  const reachValue = (format: PayloadFormat, reachable: boolean) =>
    (format === "flat" ? reachabilityFlat : reachabilityNested)(createWorld(rng), reachable);
  return {
    token: () => rng.uuid(),
    test: () =>
      make("test", "test notification", {
        message: TEST_MESSAGE,
        title: "Test Notification",
        token: rng.uuid(),
      }),
    alert: (format, severity, era) =>
      make(
        `alert-${format}`,
        `${format} alert, ${severity}${era ? ` (${era})` : ""}`,
        alertValue(format, severity, era),
      ),
    reachability: (format, reachable) =>
      make(
        `reachability-${format}`,
        `${format} reachability, ${reachable ? "reachable" : "unreachable"}`,
        reachValue(format, reachable),
      ),
    withUnknownFields: (kind) => {
      const [family, format] = kind.split("-") as ["alert" | "reachability", PayloadFormat];
      const value = family === "alert" ? alertValue(format, "warning") : reachValue(format, false);
      return make(kind, `${format} ${family} with unknown fields`, addUnknownFields(kind, value));
    },
  };
}

/** Where a kind has a nested object of its own to grow a field in (flat alerts have none). */
const NESTED_OBJECT: Record<Exclude<NotificationKind, "test">, string | null> = {
  "alert-flat": null,
  "alert-nested": "alert",
  "reachability-flat": "status",
  "reachability-nested": "space",
};

/** Adds new top-level fields and, where the kind has one, a new field in a nested object. */
function addUnknownFields(
  kind: Exclude<NotificationKind, "test">,
  value: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {
    ...value,
    future_field: { added_in: "a later Netdata release", values: [1, "two", null] },
    future_flag: true,
  };
  const nestedKey = NESTED_OBJECT[kind];
  if (nestedKey !== null) {
    result[nestedKey] = { ...(value[nestedKey] as object), future_nested_field: "ignored" };
  }
  return result;
}
