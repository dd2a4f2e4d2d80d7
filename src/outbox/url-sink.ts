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
    throw new TypeError("[netdata-webhook-kit] urlSink: url: expected an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `[netdata-webhook-kit] urlSink: url: expected http: or https:, got ${url.protocol}`,
    );
  }
  const format = options.format ?? "normalised";
  if (!FORWARD_FORMATS.includes(format)) {
    throw new TypeError(
      `[netdata-webhook-kit] urlSink: format: expected "normalised" or "original", got ${JSON.stringify(format)}`,
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
  return {
    name: options.name ?? `url(${url.host})#${shortHash(options.url)}`,
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}),
    deliver: async (delivery) => {
      const request = new Headers(headers as Array<[string, string]>);
      request.set("content-type", "application/json");
      request.set("idempotency-key", delivery.idempotencyKey);
      if (!request.has("user-agent")) request.set("user-agent", FORWARD_USER_AGENT);
      const body =
        format === "original"
          ? delivery.notification.originalJson
          : notificationDocument(delivery.notification);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: request,
          body,
          redirect: "manual",
          signal: delivery.signal,
        });
      } catch (error) {
        if (delivery.signal.aborted) throw delivery.signal.reason;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(
          `POST to ${url.host} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        );
      }
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status > 299) {
        const hint =
          response.status >= 300 && response.status < 400
            ? " (redirects are not followed: give the final URL)"
            : "";
        const text = `${url.host} answered HTTP ${response.status}${hint}`;
        if (isPermanentStatus(response.status)) {
          throw new PermanentFailure(`${text}; a client error is not retried (inbox retry)`);
        }
        throw new Error(text);
      }
    },
  };
}

/** 4xx answers other than 408, 425 and 429 say the request itself is wrong: repeating it fails. */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status <= 499 && status !== 408 && status !== 425 && status !== 429;
}
