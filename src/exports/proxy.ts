// netdata-webhook-kit/proxy: nginx and Apache configs for a TLS-terminating proxy.
export { renderApacheConfig } from "../proxy/apache.js";
export { renderNginxConfig } from "../proxy/nginx.js";
export type { ProxyOptions, ProxyOptionsInput } from "../proxy/options.js";
export { NETDATA_ROOT_CA_PATH, ProxyOptionError, resolveProxyOptions } from "../proxy/options.js";
export type { ProxyServer } from "../proxy/proxy-config.js";
export { PROXY_SERVERS, renderProxyConfig } from "../proxy/proxy-config.js";
