import type { NotificationKind } from "../protocol/notification-types.js";
import { enumOption } from "./_enum-option.js";

/**
 * The kind names `send --kind` and `inbox --kind` both take: a family (alert, reachability:
 * either payload format) or a stored kind, which also fixes the format.
 */
export const KIND_NAMES = [
  "test",
  "alert",
  "alert-flat",
  "alert-nested",
  "reachability",
  "reachability-flat",
  "reachability-nested",
] as const;

export type KindName = (typeof KIND_NAMES)[number];
export type KindFamily = "test" | "alert" | "reachability";

/** `--kind VALUE`, checked: `--kind: unknown kind: "alrt". Pass one of test, alert, …`. */
export function parseKind(value: string): { family: KindFamily; format?: "flat" | "nested" } {
  const name = enumOption("--kind", value, KIND_NAMES, { noun: "kind" });
  const [family, format] = name.split("-") as [KindFamily, "flat" | "nested" | undefined];
  return format === undefined ? { family } : { family, format };
}

/** The stored kinds a kind name stands for (`alert` is alert-flat and alert-nested). */
export function storedKinds(value: string): NotificationKind[] {
  const { family, format } = parseKind(value);
  if (family === "test") return ["test"];
  const formats = format === undefined ? (["flat", "nested"] as const) : [format];
  return formats.map((f) => `${family}-${f}` as NotificationKind);
}
