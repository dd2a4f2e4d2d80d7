import express, { type Express } from "express";
import helmet from "helmet";
import { isClosing } from "./closing-refusal.js";
import { type Logger, toLogger } from "./log.js";
import { jsonErrorHandler, notFoundHandler } from "./middleware/error-handler.js";
import { createWebhookRouter } from "./middleware/netdata-webhook.js";
import { OPTION_NAMES, refuseUnknownOptions } from "./option-names.js";
import {
  DEFAULT_DB_PATH,
  type ReceiverAppOptions,
  type ResolvedWebhookOptions,
  resolveWebhookPath,
  resolveWebhookSettings,
} from "./options.js";
import { createWebhookPipeline, type WebhookPipeline } from "./pipeline.js";
import { openStore } from "./store.js";
import type { NotificationStore } from "./store-types.js";

export interface ReceiverApp {
  app: Express;
  store: NotificationStore;
  /** True when the app opened the store itself (from `db`), so its owner must close it. */
  ownsStore: boolean;
  logger: Logger;
  /** The validated options the app was built from. */
  resolved: ResolvedWebhookOptions;
  /** The request pipeline the app serves (its client check is shared with the TLS gate). */
  pipeline: WebhookPipeline;
}

/**
 * The receiver as an Express app, not listening: supertest can drive it, startReceiver
 * serves it. Only the webhook path exists; everything else is a JSON 404.
 * The store is `app.locals.store`.
 */
export function createReceiverApp(options: ReceiverAppOptions = {}): Express {
  refuseUnknownOptions(options, OPTION_NAMES.app, "createReceiverApp");
  return buildReceiverApp(options, "createReceiverApp").app;
}

/** createReceiverApp with the parts startReceiver needs to manage. */
export function buildReceiverApp(options: ReceiverAppOptions, caller: string): ReceiverApp {
  const path = resolveWebhookPath(options.path, caller);
  const mode = options.mode ?? "direct";
  if (mode !== "direct" && mode !== "behind-proxy") {
    throw new TypeError(
      `[netdata-webhook-kit] ${caller}: mode: expected "direct" or "behind-proxy", got ${JSON.stringify(mode)}`,
    );
  }
  const clientIdentity = options.clientIdentity ?? (mode === "direct" ? "tls" : "proxy-headers");
  const settings = resolveWebhookSettings({ ...options, clientIdentity }, caller);
  const ownsStore = options.store === undefined;
  if (!ownsStore && typeof options.store?.insert !== "function") {
    throw new TypeError(
      `[netdata-webhook-kit] ${caller}: store: expected a NotificationStore (openStore(path) returns one)`,
    );
  }
  const store = options.store ?? openStore(options.db ?? DEFAULT_DB_PATH);
  try {
    const resolved: ResolvedWebhookOptions = { ...settings, store };
    const logger = toLogger(options.logger, resolved.secrets);
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
    const pipeline = createWebhookPipeline(resolved, logger);
    app.use(path, createWebhookRouter(pipeline));
    app.use(notFoundHandler(logger, resolved.events));
    app.use(jsonErrorHandler(logger));
    return { app, store, ownsStore, logger, resolved, pipeline };
  } catch (error) {
    if (ownsStore) void store.close();
    throw error;
  }
}
