import type { Logger } from "../receiver/log.js";
import type { ReceiverEvents } from "../receiver/receiver-events.js";
import type { ReceiverHandle } from "../receiver/server.js";
import type { NotificationStore } from "../receiver/store-types.js";
import type { AdminListenOptions } from "./admin-options.js";
import { type AdminServerHandle, startAdminServer } from "./admin-server.js";
import { ConsoleFeed } from "./console-feed.js";
import type { ForwardingStats } from "./forwarding-stats.js";
import { ReceiverMetrics } from "./receiver-metrics.js";

export interface AdminConsoleOptions {
  /** The store the receiver will use; the console wraps it to time commits. */
  store: NotificationStore;
  /** The header carrying the client DN the proxy verified, behind a proxy (X-Client-DN). */
  dnHeader: string;
  /** The forwarding outbox, when forwarding is configured. */
  forwarding?: ForwardingStats;
}

export interface AdminConsole {
  /** Give these to the receiver (`events` option). */
  events: ReceiverEvents;
  /** Give this to the receiver (`store` option) instead of the store itself. */
  store: NotificationStore;
  /** Observes the started receiver and serves the console on its own port. */
  start(
    listen: AdminListenOptions,
    receiver: ReceiverHandle,
    logger: Logger,
  ): Promise<AdminServerHandle>;
  /** Stops the process-metrics sampler (the server handle closes the port). */
  close(): void;
}

/**
 * The operator console of a receiver: wire `events` and `store` into startReceiver, then
 * `start` it with the receiver's handle.
 */
export function createAdminConsole(options: AdminConsoleOptions): AdminConsole {
  const { dnHeader, forwarding } = options;
  const metrics = new ReceiverMetrics({ forwarding });
  const store = metrics.timeStore(options.store);
  const feed = new ConsoleFeed({ store, dnHeader });
  const events: ReceiverEvents = {
    accepted: (event) => {
      metrics.accepted(event);
      feed.accepted(event);
    },
    refused: (event) => {
      metrics.refused(event);
      feed.refused(event);
    },
  };
  return {
    events,
    store,
    start: (listen, receiver, logger) => {
      metrics.observeServer(receiver.server);
      const { url, mode } = receiver;
      feed.setWebhookPath(new URL(url).pathname);
      return startAdminServer({
        ...listen,
        feed,
        metrics,
        receiver: { url, mode, store },
        forwarding,
        logger,
      });
    },
    close: () => metrics.close(),
  };
}
