import { createLogger } from "netdata-webhook-kit";

/**
 * The kit's logger: one JSON object per line on stdout, with control, bidi, invisible and
 * separator characters from the network escaped as \uXXXX, so a log shown on a terminal
 * cannot be recoloured, reordered or forged. Never log secrets.
 */
const logger = createLogger();

export function log(
  msg: string,
  fields: Record<string, unknown> = {},
  level: "info" | "warn" | "error" = "info",
): void {
  logger[level](msg, fields);
}
