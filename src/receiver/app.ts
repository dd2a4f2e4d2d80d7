import express, { type Express } from "express";
import helmet from "helmet";
import { OptionError } from "../validate/option-error.js";
import { isClosing } from "./closing-refusal.js";
import { jsonErrorHandler, notFoundHandler } from "./middleware/error-handler.js";
import { createWebhookSubApp } from "./middleware/netdata-webhook.js";
import {
  checkStore,
  ENDPOINT_OPTION_NAMES,
  type NetdataEndpointOptions,
  resolveEndpointOptions,
} from "./options.js";

/** Options of createReceiverApp: the endpoint's, and the mode its client check follows. */
export interface ReceiverAppOptions extends NetdataEndpointOptions {
  /** "direct" (TLS with client certificates, the default) or "behind-proxy". */
  mode?: "direct" | "behind-proxy";
}

const CALLER = "createReceiverApp";

/**
 * The receiver as a whole Express app, not listening: supertest can drive it, and your own
 * server can serve it. Only the webhook path exists (matched exactly); everything else is a
 * JSON 404. helmet's headers on every answer. The store is `app.locals.store`.
 */
export function createReceiverApp(options: ReceiverAppOptions): Express {
  const mode = options?.mode ?? "direct";
  const resolved = resolveEndpointOptions(options, CALLER, [...ENDPOINT_OPTION_NAMES, "mode"], {
    clientIdentity: mode === "behind-proxy" ? "proxy-headers" : "tls",
  });
  if (mode !== "direct" && mode !== "behind-proxy") {
    throw new OptionError(
      CALLER,
      "mode",
      `expected "direct" or "behind-proxy", got ${JSON.stringify(mode)}`,
    );
  }
  const store = checkStore(options.store, CALLER);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  // The webhook path is matched exactly: /WEBHOOKS/NETDATA is another path.
  app.set("case sensitive routing", true);
  app.locals.store = store;
  // Pipelined behind a refusal that closes the connection: not read, not answered.
  app.use((req, _res, next) => {
    if (!isClosing(req.socket)) next();
  });
  app.use(helmet());
  app.use(resolved.path, createWebhookSubApp(resolved, store));
  app.use(notFoundHandler(resolved.logger, resolved.events));
  app.use(jsonErrorHandler(resolved.logger));
  return app;
}
