// Shared helpers for tests that run a receiver: start one over real HTTPS with the
// development PKI, capture its log lines, and make requests with a chosen client certificate.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import type { PkiName } from "../../src/pki/pki-names.js";
import { type ReceiverHandle, startReceiver } from "../../src/receiver/server.js";
import type { ReceiverOptions } from "../../src/receiver/server-options.js";
import { openStore } from "../../src/receiver/store.js";
import { makeTestPki, pkiFile } from "./pki.js";

let sharedPki: Promise<string> | undefined;

/** One development PKI per test file (generating one takes a moment). */
export function sharedTestPki(): Promise<string> {
  sharedPki ??= makeTestPki();
  return sharedPki;
}

/** Collects the receiver's JSON log lines. */
export interface LogCapture {
  write: (line: string) => void;
  lines: string[];
  /** Every line parsed. */
  entries: () => Array<Record<string, unknown>>;
  /** Entries whose msg contains `text`. */
  find: (text: string) => Array<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    write: (chunk) => {
      for (const line of chunk.split("\n")) if (line.length > 0) lines.push(line);
    },
    lines,
    entries,
    find: (text) => entries().filter((e) => String(e.msg).includes(text)),
  };
}

export interface TestReceiver {
  handle: ReceiverHandle;
  url: string;
  pkiDir: string;
  logs: LogCapture;
  close: () => Promise<void>;
}

/**
 * A direct-mode receiver on 127.0.0.1, port 0, with the dev PKI's server certificate, trusting
 * its test CA, an in-memory store unless `db`/`store` is given, and captured logs.
 */
export async function startTestReceiver(
  options: Partial<ReceiverOptions> & { pkiDir?: string } = {},
): Promise<TestReceiver> {
  const { pkiDir: givenDir, ...rest } = options;
  const pkiDir = givenDir ?? (await sharedTestPki());
  const logs = captureLogs();
  const behindProxy = rest.mode === "behind-proxy";
  const handle = await startReceiver({
    host: "127.0.0.1",
    port: 0,
    ...(rest.db === undefined && rest.store === undefined ? { store: openStore(":memory:") } : {}),
    ...(behindProxy ? {} : { tls: devTls(pkiDir) }),
    logger: logs.write,
    ...rest,
  });
  return {
    handle,
    url: handle.url,
    pkiDir,
    logs,
    close: async () => {
      await handle.close();
      if (rest.db === undefined && rest.store === undefined) await handle.store.close();
    },
  };
}

/** The server side of the dev PKI, as startReceiver's `tls` option. */
export function devTls(pkiDir: string): { cert: string; key: string; ca: string } {
  return {
    cert: pkiFile(pkiDir, "server", "pem"),
    key: pkiFile(pkiDir, "server", "key"),
    ca: pkiFile(pkiDir, "ca", "pem"),
  };
}

export interface MtlsRequestOptions {
  url: string;
  pkiDir: string;
  /** Which client certificate to present; null for none. Default "client". */
  client?: PkiName | null;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Extra TLS client options (minVersion, maxVersion, ciphers, ...). */
  tls?: https.RequestOptions;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** The client TLS options for one dev PKI identity. */
export function clientTls(
  pkiDir: string,
  client: PkiName | null,
): { ca: Buffer; cert?: Buffer; key?: Buffer } {
  const ca = readFileSync(pkiFile(pkiDir, "ca", "pem"));
  if (client === null) return { ca };
  return {
    ca,
    cert: readFileSync(pkiFile(pkiDir, client, "pem")),
    key: readFileSync(pkiFile(pkiDir, client, "key")),
  };
}

/** One HTTPS request on a fresh connection; rejects when the connection fails. */
export function mtlsRequest(options: MtlsRequestOptions): Promise<HttpReply> {
  const url = new URL(options.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
        ...clientTls(options.pkiDir, options.client === undefined ? "client" : options.client),
        ...options.tls,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: parseJson(text),
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Either the HTTP reply, or the code of the connection error that stopped it. */
export async function mtlsOutcome(
  options: MtlsRequestOptions,
): Promise<{ reply: HttpReply; error?: undefined } | { reply?: undefined; error: string }> {
  try {
    return { reply: await mtlsRequest(options) };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { error: code ?? message };
  }
}

/** POSTs a JSON body (object or raw text) with Content-Type application/json. */
export function postJson(
  options: Omit<MtlsRequestOptions, "method" | "body"> & { body: unknown },
): Promise<HttpReply> {
  const body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  return mtlsRequest({
    ...options,
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...options.headers },
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Secrets the receiver tests configure. Each is distinctive, so finding it in a log line or a
 * response is certain to be a leak, never a coincidence.
 */
export const TEST_SECRETS = {
  bearerToken: "bearer-SECRET-7f3a9c1e5b",
  basicUser: "netdata",
  basicPassword: "basic:SECRET-2d8e4f6a",
  challengeSecret: "challenge-SECRET-c4b2a9e7",
} as const;

/** The forms in which a configured secret could leak (raw, and the Basic credential encoded). */
export function secretNeedles(): string[] {
  const { bearerToken, basicUser, basicPassword, challengeSecret } = TEST_SECRETS;
  return [
    bearerToken,
    basicPassword,
    challengeSecret,
    Buffer.from(`${basicUser}:${basicPassword}`).toString("base64"),
  ];
}

/** The secrets found in `texts` (log lines, response bodies and headers); [] when none leaked. */
export function leakedSecrets(texts: readonly string[]): string[] {
  return secretNeedles().filter((needle) => texts.some((text) => text.includes(needle)));
}

/** What came back on a raw connection: the bytes, the HTTP status if any, and when it closed. */
export interface RawExchange {
  status: number | null;
  /** Everything the server sent, as latin1 text. */
  raw: string;
  /** The body after the header block, as UTF-8. */
  body: string;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
  /** True when the server was still holding the connection open at `timeoutMs`. */
  timedOut: boolean;
}

/**
 * Opens a connection (TLS with a dev PKI client certificate, or plain TCP when `client` is
 * "tcp"), lets `drive` write to it, and collects the answer until the server closes it.
 */
export function rawExchange(options: {
  port: number;
  pkiDir?: string;
  client?: PkiName | null | "tcp";
  drive: (socket: net.Socket) => void | Promise<void>;
  timeoutMs?: number;
}): Promise<RawExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const client = options.client === undefined ? "client" : options.client;
    const socket =
      client === "tcp"
        ? net.connect({ host: "127.0.0.1", port: options.port })
        : tls.connect({
            host: "127.0.0.1",
            port: options.port,
            servername: "localhost",
            ...clientTls(options.pkiDir ?? "", client),
          });
    const timer = setTimeout(() => finish(true), options.timeoutMs ?? 10_000);
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const text = raw.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      const split = raw.indexOf("\r\n\r\n");
      resolve({
        status: status ? Number(status[1]) : null,
        raw: text,
        body: split >= 0 ? raw.subarray(split + 4).toString("utf8") : "",
        closedAfterMs: Date.now() - started,
        timedOut,
      });
    };
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => finish(false));
    socket.on("close", () => finish(false));
    socket.once(client === "tcp" ? "connect" : "secureConnect", () => {
      Promise.resolve(options.drive(socket)).catch(() => finish(false));
    });
  });
}

/** An HTTP/1.1 request as bytes, with Host and Connection: close; Content-Length from the body. */
export function rawRequest(parts: {
  method?: string;
  path?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string | Buffer;
  contentLength?: boolean;
}): Buffer {
  const body =
    typeof parts.body === "string"
      ? Buffer.from(parts.body, "utf8")
      : (parts.body ?? Buffer.alloc(0));
  const headers: Array<readonly [string, string]> = [
    ["Host", "localhost"],
    ["Connection", "close"],
    ...(parts.headers ?? []),
  ];
  if (
    parts.contentLength !== false &&
    !headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n))
  ) {
    headers.push(["Content-Length", String(body.length)]);
  }
  const head = `${parts.method ?? "POST"} ${parts.path ?? "/webhooks/netdata"} HTTP/1.1\r\n${headers
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** The built CLI; `npm test` builds it first (`npx tsc -p tsconfig.build.json`). */
export const BUILT_CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** stdout (JSON log lines) and stderr so far. */
  output: () => { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

/**
 * Spawns `node dist/cli.js serve ARGS` and resolves once its "receiver listening" line is out.
 * Pass `--port 0`: the URL and port are read from that line.
 */
export async function spawnServe(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  if (!existsSync(BUILT_CLI)) {
    throw new Error(`${BUILT_CLI} is missing: build it with npx tsc -p tsconfig.build.json`);
  }
  const child = spawn(process.execPath, [BUILT_CLI, "serve", ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 15_000);
    const check = (): void => {
      const line = stdout.split("\n").find((l) => l.includes('"msg":"receiver listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line));
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`serve exited (${code}) before listening.\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    });
  });
  return {
    child,
    url: String(listening.url),
    port: Number(listening.port),
    output: () => ({ stdout, stderr }),
    exited,
  };
}
