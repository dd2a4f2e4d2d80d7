import { renderApacheConfig } from "./apache.js";
import { renderNginxConfig } from "./nginx.js";
import { type ProxyOptions, type ProxyOptionsInput, resolveProxyOptions } from "./options.js";

/** The servers a config can be generated for, and their renderers (validated options in). */
export const PROXY_RENDERERS = {
  nginx: renderNginxConfig,
  apache: renderApacheConfig,
} as const satisfies Record<string, (options: ProxyOptions) => string>;

export type ProxyServer = keyof typeof PROXY_RENDERERS;
export const PROXY_SERVERS = Object.keys(PROXY_RENDERERS) as ProxyServer[];

/**
 * A site config for `server` that terminates TLS in front of the receiver's behind-proxy
 * mode. Throws ProxyOptionError (a TypeError) naming the bad option.
 */
export function renderProxyConfig(server: ProxyServer, input: ProxyOptionsInput): string {
  const render = Object.hasOwn(PROXY_RENDERERS, server) ? PROXY_RENDERERS[server] : undefined;
  if (!render) {
    throw new TypeError(
      `[netdata-webhook-kit] renderProxyConfig: expected one of ${PROXY_SERVERS.join(", ")}, got ${JSON.stringify(server)}`,
    );
  }
  return render(resolveProxyOptions(input));
}
