// A receiver with its admin console, in-process, and the small HTTP client the console tests
// use: real sockets on 127.0.0.1, port 0.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createAdminConsole } from "../../src/admin/admin-console.js";
import type { AdminListenOptions } from "../../src/admin/admin-options.js";
import type { AdminServerHandle } from "../../src/admin/admin-server.js";
import { createOutbox } from "../../src/outbox/outbox.js";
import type { Outbox, OutboxSink } from "../../src/outbox/outbox-types.js";
import { createLogger } from "../../src/receiver/log.js";
import type { ReceiverEvents } from "../../src/receiver/receiver-events.js";
import { type ReceiverHandle, startReceiver } from "../../src/receiver/server.js";
import type { ReceiverOptions } from "../../src/receiver/server-options.js";
import { openStore } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";
import { captureLogs, devTls, type LogCapture, sharedTestPki } from "./receiver.js";

export interface ReceiverWithConsole {
  receiver: ReceiverHandle;
  admin: AdminServerHandle;
  store: NotificationStore;
  pkiDir: string;
  logs: LogCapture;
  /** The forwarding outbox, when `sinks` were given. */
  outbox: Outbox | undefined;
  /** The console's receiver events, for feeding it many events quickly. */
  events: ReceiverEvents;
  close: () => Promise<void>;
}

/** A receiver (direct mode unless `receiver.mode` says otherwise) with its console, on a file store. */
export async function startReceiverWithConsole(
  options: {
    receiver?: Partial<ReceiverOptions>;
    listen?: Partial<AdminListenOptions>;
    /** Forwarding sinks: a real outbox on the same store, as `serve --forward-*` sets up. */
    sinks?: OutboxSink[];
    maxAttempts?: number;
  } = {},
): Promise<ReceiverWithConsole> {
  const pkiDir = await sharedTestPki();
  const logs = captureLogs();
  const logger = createLogger({ write: logs.write });
  const store = openStore(join(mkdtempSync(join(tmpdir(), "ndwk-admin-")), "inbox.db"));
  const outbox = options.sinks
    ? createOutbox({
        store,
        sinks: options.sinks,
        logger,
        backoff: { baseMs: 1, maxMs: 1 },
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      })
    : undefined;
  const adminConsole = createAdminConsole({
    store,
    dnHeader: "X-Client-DN",
    ...(outbox ? { forwarding: outbox } : {}),
  });
  const behindProxy = options.receiver?.mode === "behind-proxy";
  const receiver = await startReceiver({
    host: "127.0.0.1",
    port: 0,
    ...(behindProxy ? {} : { tls: devTls(pkiDir) }),
    logger,
    ...options.receiver,
    store: adminConsole.store,
    events: adminConsole.events,
  });
  const admin = await adminConsole.start({ port: 0, ...options.listen }, receiver, logger);
  outbox?.start();
  return {
    receiver,
    admin,
    store,
    pkiDir,
    logs,
    outbox,
    events: adminConsole.events,
    close: async () => {
      await admin.close();
      await receiver.close();
      await outbox?.close();
      await store.close();
      adminConsole.close();
    },
  };
}

export interface PlainReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One plain-HTTP request (the admin port speaks HTTP). */
export function httpGet(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<PlainReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** `promtool check metrics` on a text: its exit code and what it printed. */
export function promtoolCheck(
  promtool: string,
  text: string,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(promtool, ["check", "metrics"], (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

/** The value of one sample in a Prometheus text, e.g. `ndwk_refusals_total{reason="bad_auth"}`. */
export function sampleValue(text: string, sample: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/**
 * A program on PATH (or /usr/bin), and whether its tests skip: missing, and not under CI=true,
 * where a missing program is a failure instead.
 */
export function findProgram(
  name: string,
  aptPackage: string,
): { path: string | null; skip: boolean; label: string } {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin"].filter(Boolean);
  const path = dirs.map((dir) => join(dir, name)).find((p) => existsSync(p)) ?? null;
  const ci = process.env.CI === "true";
  if (path !== null) return { path, skip: false, label: `real ${name}` };
  if (ci)
    return {
      path,
      skip: false,
      label: `${name} is missing and CI=true: .ci/run installs ${aptPackage}`,
    };
  return {
    path,
    skip: true,
    label: `skipped: ${name} is missing (apt-get install ${aptPackage}; .ci/run does it)`,
  };
}
