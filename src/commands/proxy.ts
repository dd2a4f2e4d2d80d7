import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathExists, replaceFile } from "../_replace-file.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import {
  ProxyOptionError,
  type ProxyOptions,
  type ProxyOptionsInput,
  resolveProxyOptions,
} from "../proxy/options.js";
import { DEFAULT_LISTEN, DEFAULT_UPSTREAM, DEFAULT_VERIFY_DEPTH } from "../proxy/policy.js";
import { PROXY_RENDERERS, PROXY_SERVERS, type ProxyServer } from "../proxy/proxy-config.js";
import { DEFAULT_WEBHOOK_PATH } from "../receiver/options.js";
import { CommandError, defineCommand, UsageError } from "./_command.js";

export const proxyCommand = defineCommand({
  name: "proxy",
  summary: "Print an nginx or Apache site config that terminates TLS for Netdata Cloud webhooks.",
  usage: [
    "proxy nginx --server-name NAME --cert FILE --key FILE [options]",
    "proxy apache --server-name NAME --cert FILE --key FILE [options]",
  ],
  examples: [
    [
      "netdata-webhook-kit proxy nginx --server-name hooks.example.com --cert fullchain.pem --key privkey.pem",
      "print an nginx site config",
    ],
    [
      "netdata-webhook-kit proxy apache --server-name hooks.example.com --cert c.pem --key k.pem --out site.conf",
      "write an Apache site file",
    ],
    [
      "netdata-webhook-kit proxy nginx ... --expected-cn app.netdata.cloud --expected-cn api.netdata.cloud",
      "also allow Netdata's CN before 2023-07",
    ],
  ],
  options: {
    "server-name": {
      type: "string",
      description: "host name Netdata Cloud connects to (required)",
    },
    cert: { type: "string", description: "this server's certificate chain, PEM (required)" },
    key: { type: "string", description: "this server's private key, PEM (required)" },
    upstream: {
      type: "string",
      description: "origin of the receiver in behind-proxy mode",
      default: DEFAULT_UPSTREAM,
    },
    listen: { type: "string", description: "port or ADDRESS:PORT", default: DEFAULT_LISTEN },
    path: { type: "string", description: "the webhook path", default: DEFAULT_WEBHOOK_PATH },
    "client-ca": {
      type: "string",
      description: "CA of Netdata's client certificate [default: the Netdata Root CA shipped here]",
    },
    "expected-cn": {
      type: "string",
      multiple: true,
      description: "allowed client certificate CN, matched exactly",
      default: [...DEFAULT_EXPECTED_CNS],
    },
    "verify-depth": {
      type: "string",
      description: "client chain depth (2: leaf, intermediate, root)",
      default: String(DEFAULT_VERIFY_DEPTH),
    },
    out: { type: "string", description: "write the config to FILE instead of stdout" },
    force: {
      type: "boolean",
      description: "with --out: replace an existing FILE (a symlink is replaced, not followed)",
    },
  },
  positionals: { min: 1, max: 1 },
  notes: `nginx: a map and a server {} for /etc/nginx/conf.d/. Apache: a <VirtualHost> for
/etc/apache2/sites-available/ (a2enmod ssl proxy proxy_http headers alias). Run the receiver
behind it in behind-proxy mode, reachable only through the proxy. Each security directive in
the output carries a comment; docs/proxy-traps.md shows what Netdata's own snippets miss.`,
  run: async ({ values, positionals, stdout, stderr, cwd }) => {
    const server = parseServer(positionals[0]);
    const options = resolveOrUsageError({
      serverName: required(values["server-name"], "server-name"),
      cert: required(values.cert, "cert"),
      key: required(values.key, "key"),
      cwd,
      ...(values.upstream !== undefined && { upstream: values.upstream }),
      ...(values.listen !== undefined && { listen: values.listen }),
      ...(values.path !== undefined && { path: values.path }),
      ...(values["client-ca"] !== undefined && { clientCa: values["client-ca"] }),
      ...(values["expected-cn"] !== undefined && { expectedCns: values["expected-cn"] }),
      ...(values["verify-depth"] !== undefined && { verifyDepth: values["verify-depth"] }),
    });
    warnAboutMissingFiles(options, stderr);
    const config = PROXY_RENDERERS[server](options);
    if (values.out === undefined) {
      stdout(config);
      return 0;
    }
    const out = resolve(cwd, values.out);
    if (values.force !== true && (await pathExists(out))) {
      throw new UsageError(
        `--out: ${out} already exists. Pass --force to replace it, or choose another file.`,
      );
    }
    try {
      await replaceFile(out, config);
    } catch (error) {
      throw new CommandError(`failed to write ${out}: ${(error as Error).message}`);
    }
    stderr(`wrote ${out}\n`);
    return 0;
  },
});

function parseServer(value: string | undefined): ProxyServer {
  if (value === undefined || !(PROXY_SERVERS as string[]).includes(value)) {
    throw new UsageError(
      `<server>: expected ${PROXY_SERVERS.join(" or ")}, got ${JSON.stringify(value ?? "")}.`,
    );
  }
  return value as ProxyServer;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) {
    throw new UsageError(`--${flag} is required. Run 'netdata-webhook-kit proxy --help'.`);
  }
  return value;
}

function resolveOrUsageError(input: ProxyOptionsInput): ProxyOptions {
  try {
    return resolveProxyOptions(input);
  } catch (error) {
    if (error instanceof ProxyOptionError) throw new UsageError(`${error.option}: ${error.detail}`);
    throw error;
  }
}

/** The config may be written on another machine than it runs on, so a missing file only warns. */
function warnAboutMissingFiles(options: ProxyOptions, stderr: (text: string) => void): void {
  const files: Array<[string, string]> = [
    ["--cert", options.certPath],
    ["--key", options.keyPath],
    ["--client-ca", options.clientCaPath],
  ];
  for (const [flag, path] of files) {
    if (!existsSync(path)) {
      stderr(
        `warning: ${flag} ${path} does not exist here; the server will not start without it.\n`,
      );
    }
  }
}
