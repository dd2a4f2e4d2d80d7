import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
import { OptionError } from "../validate/option-error.js";
import { shortHash } from "./exec-sink.js";
import { notificationDocument } from "./notification-document.js";
import type { OutboxSink, SinkFilter } from "./outbox-types.js";
import { PermanentFailure } from "./permanent-failure.js";

export interface UrlSinkOptions {
  url: string;
  /** Extra request headers (e.g. Authorization). Their values never appear in the log. */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** "normalised" (the default): the normalised notification; "original": Netdata's bytes. */
  format?: "normalised" | "original";
  /** Default `url(<host>)#<hash of the URL>`: no path or query, which may hold a secret. */
  name?: string;
  filter?: SinkFilter;
  concurrency?: number;
  attemptTimeoutMs?: number;
  /** PEM certificates trusted for an https URL besides Node's own CA list (a private CA). */
  ca?: string;
}

export const FORWARD_FORMATS = ["normalised", "original"] as const;
export const FORWARD_USER_AGENT = "netdata-webhook-kit-forwarder";

/**
 * A sink that POSTs each notification as JSON with an `Idempotency-Key` header; any 2xx is
 * success. Redirects are not followed (a 3xx is a failure naming the status): give the
 * final URL.
 */
export function urlSink(options: UrlSinkOptions): OutboxSink {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new OptionError("urlSink", "url", "expected an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OptionError("urlSink", "url", `expected http: or https:, got ${url.protocol}`);
  }
  const format = options.format ?? "normalised";
  if (!FORWARD_FORMATS.includes(format)) {
    throw new OptionError(
      "urlSink",
      "format",
      `expected "normalised" or "original", got ${JSON.stringify(format)}`,
    );
  }
  const headers = [...(options.headers ?? [])];
  // fetch refuses a URL with credentials: send them as Basic auth, as curl does.
  if (url.username || url.password) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    if (!headers.some(([name]) => name.toLowerCase() === "authorization")) {
      headers.push(["Authorization", `Basic ${Buffer.from(pair, "utf8").toString("base64")}`]);
    }
    url.username = "";
    url.password = "";
  }
  // Kept-alive connections, and the extra CA an https sink may need.
  const agent =
    url.protocol === "https:"
      ? new https.Agent({
          keepAlive: true,
          ...(options.ca ? { ca: caWithDefaults(options.ca) } : {}),
        })
      : new http.Agent({ keepAlive: true });
  return {
    name: options.name ?? defaultUrlName(url, options.url),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}),
    deliver: async (delivery) => {
      const request: Record<string, string> = Object.fromEntries(
        headers.map(([name, value]) => [name.toLowerCase(), value]),
      );
      request["content-type"] = "application/json";
      request["idempotency-key"] = delivery.idempotencyKey;
      request["user-agent"] ??= FORWARD_USER_AGENT;
      const body =
        format === "original"
          ? delivery.notification.originalJson
          : notificationDocument(delivery.notification);
      let status: number;
      try {
        status = await post(url, request, body, agent, delivery.signal);
      } catch (error) {
        if (delivery.signal.aborted) throw delivery.signal.reason;
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`POST to ${url.host} failed: ${code ?? (error as Error).message}`);
      }
      if (status < 200 || status > 299) {
        const hint =
          status >= 300 && status < 400 ? " (redirects are not followed: give the final URL)" : "";
        const text = `${url.host} answered HTTP ${status}${hint}`;
        if (isPermanentStatus(status)) {
          throw new PermanentFailure(`${text}; a client error is not retried (inbox retry)`);
        }
        throw new Error(text);
      }
    },
  };
}

/** One POST; resolves with the status once the answer's body has been read and dropped. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  agent: http.Agent,
  signal: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? https.request : http.request;
    const req = send(url, { method: "POST", headers, agent, signal }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

/** 4xx answers other than 408, 425 and 429 say the request itself is wrong: repeating it fails. */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status <= 499 && status !== 408 && status !== 425 && status !== 429;
}

/** `url(<host>)#<hash of the URL>`, the host cut to what a sink name may hold (e.g. [::1]). */
export function defaultUrlName(url: URL, text: string): string {
  const host = url.host.replace(/[^A-Za-z0-9._:-]/g, "_").slice(0, 80);
  return `url(${host})#${shortHash(text)}`;
}

function caWithDefaults(ca: string): string[] {
  return [...rootCertificates, ca];
}
