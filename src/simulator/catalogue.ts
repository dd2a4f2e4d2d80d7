import type { CheckDefinition } from "./check.js";
import { AUTH_CHECKS } from "./checks/auth.js";
import { CRC_CHECKS } from "./checks/crc.js";
import { DELIVERY_KIND_CHECKS } from "./checks/delivery.js";
import { burst, duplicate, latency } from "./checks/delivery-load.js";
import { INPUT_CHECKS } from "./checks/input.js";
import { MTLS_CHECKS } from "./checks/mtls.js";
import { httpsOnly, protocolVersion, serverCertificate } from "./checks/tls.js";
import { acceptsTestNotification } from "./checks/verification.js";
import { VerifyOptionsError } from "./resolve-options.js";

/** Every check, in the order it runs (later checks rely on earlier ones, e.g. delivery.latency). */
export const CHECK_CATALOGUE: readonly CheckDefinition[] = [
  httpsOnly,
  serverCertificate,
  protocolVersion,
  ...MTLS_CHECKS,
  ...AUTH_CHECKS,
  ...CRC_CHECKS,
  acceptsTestNotification,
  ...DELIVERY_KIND_CHECKS,
  latency,
  duplicate,
  burst,
  ...INPUT_CHECKS,
];

/** The public check ids, in order. */
export const CHECK_IDS: readonly string[] = CHECK_CATALOGUE.map((check) => check.id);

/** `mtls` matches every mtls.* check, `delivery.alert` both alert checks, a full id itself. */
function matches(id: string, pattern: string): boolean {
  const prefix = pattern.endsWith(".") ? pattern : `${pattern}.`;
  return (
    id === pattern || id.startsWith(prefix) || (pattern.includes(".") && id.startsWith(pattern))
  );
}

/** A check of the run: `skippedBy` is the --skip pattern that leaves it out, or null. */
export interface SelectedCheck {
  check: CheckDefinition;
  skippedBy: string | null;
}

/**
 * The checks `only` selects, each with the `skip` pattern that leaves it out (listed as
 * skipped by request); a pattern that matches nothing is a usage error.
 */
export function selectChecks(
  only: readonly string[] = [],
  skip: readonly string[] = [],
): SelectedCheck[] {
  for (const [flag, patterns] of [
    ["only", only],
    ["skip", skip],
  ] as const) {
    for (const pattern of patterns) {
      if (!CHECK_IDS.some((id) => matches(id, pattern))) {
        throw new VerifyOptionsError(
          `--${flag}: "${pattern}" matches no check. Use an id or a prefix (tls, mtls, auth, crc, verification, delivery, input); ids: ${CHECK_IDS.join(", ")}.`,
        );
      }
    }
  }
  const selected = CHECK_CATALOGUE.filter(
    ({ id }) => only.length === 0 || only.some((p) => matches(id, p)),
  ).map((check) => ({ check, skippedBy: skip.find((p) => matches(check.id, p)) ?? null }));
  if (selected.every(({ skippedBy }) => skippedBy !== null)) {
    const flags = [
      ...(only.length > 0 ? [`--only ${only.join(",")}`] : []),
      `--skip ${skip.join(",")}`,
    ].join(" ");
    throw new VerifyOptionsError(
      `${flags} selects no check: every check --only names is left out by --skip. Drop a --skip pattern or name other checks (verify --list).`,
    );
  }
  return selected;
}
