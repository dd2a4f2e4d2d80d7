import type { AdminConsole } from "../admin/admin-console.js";
import type { AdminListenOptions } from "../admin/admin-options.js";
import type { Outbox } from "../outbox/outbox-types.js";
import type { Logger } from "../receiver/log.js";
import type { ClientIdentitySettings } from "../receiver/options.js";
import { listenReceiver, type ReceiverHandle } from "../receiver/server.js";
import { type ReceiverOptions, resolveReceiverOptions } from "../receiver/server-options.js";
import type { NotificationStore } from "../receiver/store-types.js";
import { OptionError } from "../validate/option-error.js";
import { CommandError, UsageError } from "./_command.js";
import { attachForwarding, type Forwarding } from "./_forward-options.js";
import { isPostgresUrl, openServeStore } from "./_open-store.js";

/** What `serve` runs: the receiver's options, where its store is, and the optional parts. */
export interface ServePlan {
  /** The receiver's options, without a store: `db` says which one to open. */
  receiver: Omit<ReceiverOptions, "store" | "db">;
  /** A SQLite path or a PostgreSQL URL (`dbValue`). */
  db: string;
  forwarding: Forwarding | undefined;
  admin: AdminListenOptions | undefined;
  logger: Logger;
}

/** The running parts; `close` stops them in the reverse order of their start. */
export interface ServeParts {
  receiver: ReceiverHandle;
  close(): Promise<void>;
}

/**
 * `serve`, composed: opens the store, adds the outbox when sinks are given and the console
 * when an admin port is given, starts the receiver with them, then the console's port, then
 * deliveries. One start path; one close() that stops the parts in reverse order (console
 * port, receiver with its in-flight requests, console metrics, outbox, store). A part that
 * fails to start closes those already started.
 */
export async function startServeParts(plan: ServePlan): Promise<ServeParts> {
  const { logger } = plan;
  // Every receiver option is checked once, before a database file is created.
  const resolved = guardOptions(() =>
    resolveReceiverOptions({
      ...plan.receiver,
      // The receiver is handed the store serve opens; its own db is SQLite only.
      ...(isPostgresUrl(plan.db) ? {} : { db: plan.db }),
    }),
  );
  const { identity } = resolved.endpoint;
  const started: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const store = await openServeStore(plan.db, logger);
    started.push(() => store.close());
    let outbox: Outbox | undefined;
    if (plan.forwarding) {
      const forwarding = plan.forwarding;
      outbox = guardOptions(() => attachForwarding(store, forwarding, logger));
      const running = outbox;
      started.push(async () => {
        const interrupted = (await running.stats().catch(() => undefined))?.inFlight;
        await running.close();
        logger.info("forwarding stopped", { interrupted });
      });
    }
    const console = plan.admin ? await createConsole(store, identity, outbox) : undefined;
    if (console) started.push(() => console.close());
    const receiver = await listenReceiver({
      ...resolved,
      endpoint: console ? { ...resolved.endpoint, events: console.events } : resolved.endpoint,
      store: { given: console?.store ?? store },
    }).catch((error: unknown) => {
      throw startFailure(error);
    });
    started.push(() => receiver.close());
    if (console && plan.admin) {
      const admin = await console.start(plan.admin, receiver, logger);
      started.push(() => admin.close());
    }
    outbox?.start();
    return { receiver, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function createConsole(
  store: NotificationStore,
  identity: ClientIdentitySettings,
  outbox: Outbox | undefined,
): Promise<AdminConsole> {
  // Loaded here: the console is only for --admin-port.
  const { createAdminConsole } = await import("../admin/admin-console.js");
  return createAdminConsole({
    store,
    dnHeader: identity.dnHeader,
    ...(outbox ? { forwarding: outbox } : {}),
  });
}

/**
 * The option names of the library, as `serve` spells them on its command line: an
 * OptionError the flags' own checks let through is said in the user's words.
 */
const SERVE_FLAGS: Readonly<Record<string, string>> = {
  port: "--port",
  host: "--host",
  path: "--path",
  expectedCns: "--expected-cn",
  auth: "--auth",
  challengeSecret: "--challenge-secret-file",
  trustedProxies: "--trust-proxy",
  "proxyHeaders.verify": "--proxy-verify-header",
  "proxyHeaders.dn": "--proxy-dn-header",
  maxPendingHandshakesPerAddress: "--max-pending-handshakes",
  "tls.cert": "--tls-cert",
  "tls.key": "--tls-key",
  db: "--db",
  attemptTimeoutMs: "--forward-timeout",
  maxAttempts: "--forward-max-attempts",
  maxAgeMs: "--forward-max-age",
  "backoff.baseMs": "--forward-retry-base",
  maxConcurrentDeliveries: "--forward-max-concurrent",
  deliveredRetentionMs: "--forward-retention",
};

/** The flag for a library option name (`tls.ca[0]` is --client-ca). */
export function serveFlagFor(option: string): string {
  if (option.startsWith("tls.ca")) return "--client-ca";
  return SERVE_FLAGS[option] ?? option;
}

function guardOptions<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw startFailure(error);
  }
}

/** A bad option is a usage error in the flag's name; anything else, a failed start. */
function startFailure(error: unknown): Error {
  if (error instanceof OptionError) {
    const fix = error.fix ? `. ${error.fix}` : "";
    return new UsageError(`${serveFlagFor(error.option)}: ${error.problem}${fix}`);
  }
  if (error instanceof UsageError || error instanceof CommandError) return error;
  return new CommandError(`failed to start the receiver: ${(error as Error).message}`);
}
