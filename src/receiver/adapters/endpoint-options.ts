import type { Logger } from "../log.js";
import { toLogger } from "../log.js";
import { OPTION_NAMES, refuseUnknownOptions } from "../option-names.js";
import {
  type NetdataWebhookOptions,
  resolveWebhookOptions,
  resolveWebhookPath,
} from "../options.js";
import { createWebhookPipeline, type WebhookPipeline } from "../pipeline.js";

/** Options of the adapters that route by path themselves (Node, fetch). */
export interface NetdataEndpointOptions extends NetdataWebhookOptions {
  /** The webhook path; every other path gets a JSON 404. Default /webhooks/netdata. */
  path?: string;
}

export interface Endpoint {
  pipeline: WebhookPipeline;
  logger: Logger;
  path: string;
}

/** Validates an adapter's options once and builds its pipeline. */
export function createEndpoint(options: NetdataEndpointOptions, caller: string): Endpoint {
  refuseUnknownOptions(options, OPTION_NAMES.endpoint, caller);
  const path = resolveWebhookPath(options?.path, caller);
  const resolved = resolveWebhookOptions(options, caller);
  const logger = toLogger(options.logger, resolved.secrets);
  return { pipeline: createWebhookPipeline(resolved, logger), logger, path };
}
