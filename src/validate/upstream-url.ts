import { describeRefusal, type Verdict } from "./verdict.js";

/** Where the generated proxy configs forward by default: `serve --behind-proxy`'s address. */
export const DEFAULT_UPSTREAM = "http://127.0.0.1:8080";

/** The receiver behind a proxy, as an origin: `http://host:port`, nothing else. */
export function checkUpstreamUrl(value: unknown): Verdict<string> {
  const refuse = (why: string): Verdict<string> => ({
    ok: false,
    problem: `${describeRefusal(`an http:// origin such as ${DEFAULT_UPSTREAM}`, value)}: ${why}`,
  });
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return refuse("not a URL");
  }
  if (typeof value !== "string") return refuse("not a string");
  if (url.protocol !== "http:")
    return refuse("the receiver behind the proxy is reached over plain http");
  if (url.username || url.password) return refuse("credentials do not belong in the URL");
  if (url.pathname !== "/" || url.search || url.hash) {
    return refuse("leave out the path; the proxy forwards the webhook path unchanged");
  }
  return { ok: true, value: url.origin };
}
