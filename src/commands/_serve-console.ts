import { createAdminConsole } from "../admin/admin-console.js";
import type { AdminServerHandle } from "../admin/admin-server.js";
import { closeOnSignal } from "../receiver/close-on-signal.js";
import type { Logger } from "../receiver/log.js";
import { DEFAULT_PROXY_DN_HEADER, DEFAULT_PROXY_VERIFY_HEADER } from "../receiver/options.js";
import { type ReceiverHandle, startReceiver } from "../receiver/server.js";
import type { ReceiverOptions } from "../receiver/server-options.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { CommandError } from "./_command.js";
import { type Forwarding, type ForwardingRuntime, openForwarding } from "./_forward-options.js";
import { openServeStore } from "./_open-store.js";

/**
 * `serve --admin-port`: opens the store itself (so the console can time its commits), with
 * the forwarding outbox when there is one (the console and /metrics read its stats), starts
 * the receiver with the console's events, then the console on its own port. A signal closes
 * the console, the receiver (finishing in-flight requests), the outbox, then the store.
 */
export async function serveWithConsole(
  options: ReceiverOptions,
  listen: { host: string; port: number; token?: string },
  logger: Logger,
  startFailure: (error: unknown) => Error,
  forwarding: Forwarding | undefined,
): Promise<number> {
  const { db: _opened, ...rest } = options;
  let store: NotificationStore;
  let forwarder: ForwardingRuntime | undefined;
  try {
    if (forwarding) {
      forwarder = await openForwarding(options, forwarding, logger);
      store = forwarder.store;
    } else {
      store = await openServeStore(options, logger);
    }
  } catch (error) {
    throw startFailure(error);
  }
  const closeStore = () => (forwarder ? forwarder.close() : store.close());
  const adminConsole = createAdminConsole({
    store,
    verifyHeader: options.proxyHeaders?.verify ?? DEFAULT_PROXY_VERIFY_HEADER,
    dnHeader: options.proxyHeaders?.dn ?? DEFAULT_PROXY_DN_HEADER,
    ...(forwarder ? { forwarding: forwarder.outbox } : {}),
  });
  let handle: ReceiverHandle | undefined;
  let admin: AdminServerHandle;
  try {
    handle = await startReceiver({
      ...rest,
      store: adminConsole.store,
      events: adminConsole.events,
    });
    admin = await adminConsole.start(listen, handle, logger);
  } catch (error) {
    await handle?.close();
    await closeStore();
    adminConsole.close();
    throw handle ? new CommandError((error as Error).message) : startFailure(error);
  }
  forwarder?.outbox.start();
  const receiver = handle;
  await closeOnSignal(async () => {
    await admin.close();
    await receiver.close();
    await closeStore();
    adminConsole.close();
  }, logger);
  return 0;
}
