import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathExists, replaceFile } from "../_replace-file.js";
import { didYouMean } from "../did-you-mean.js";
import { PACKAGE_VERSION } from "../package-facts.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import {
  NETDATA_ROOT_CA_PATH,
  ProxyOptionError,
  type ProxyOptions,
  type ProxyOptionsInput,
  resolveProxyOptions,
} from "../proxy/options.js";
import { DEFAULT_LISTEN, DEFAULT_UPSTREAM, DEFAULT_VERIFY_DEPTH } from "../proxy/policy.js";
import { PROXY_RENDERERS, PROXY_SERVERS, type ProxyServer } from "../proxy/proxy-config.js";
import { DEFAULT_WEBHOOK_PATH } from "../receiver/options.js";
import { CommandError, defineCommand, PROGRAM, UsageError } from "./_command.js";
import { refuseFolder, refuseMissingFolder, UnreadableFileError } from "./_file-problem.js";
import { checkCaFile, checkTlsPair } from "./_tls-material.js";

export const proxyCommand = defineCommand({
  name: "proxy",
  summary: "Print an nginx or Apache site config that terminates TLS for Netdata Cloud webhooks.",
  usage: [
    "proxy nginx --server-name NAME --tls-cert FILE --tls-key FILE [options]",
    "proxy apache --server-name NAME --tls-cert FILE --tls-key FILE [options]",
  ],
  examples: [
    [
      "netdata-webhook-kit proxy nginx --server-name hooks.example.com --tls-cert fullchain.pem --tls-key privkey.pem",
      "print an nginx site config",
    ],
    [
      "netdata-webhook-kit proxy apache --server-name hooks.example.com --tls-cert c.pem --tls-key k.pem --out-file site.conf",
      "write an Apache site file",
    ],
    [
      "netdata-webhook-kit proxy nginx ... --upstream http://10.0.0.11:8080 --upstream http://10.0.0.12:8080",
      "two receivers sharing a PostgreSQL inbox, with failover",
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
    "tls-cert": { type: "string", description: "this server's certificate chain, PEM (required)" },
    "tls-key": { type: "string", description: "this server's private key, PEM (required)" },
    upstream: {
      type: "string",
      multiple: true,
      description:
        "origin of the receiver in behind-proxy mode; repeat for receivers sharing a PostgreSQL inbox (failover to the next)",
      default: [DEFAULT_UPSTREAM],
    },
    listen: { type: "string", description: "port or ADDRESS:PORT", default: DEFAULT_LISTEN },
    path: { type: "string", description: "the webhook path", default: DEFAULT_WEBHOOK_PATH },
    "client-ca": {
      type: "string",
      description:
        "CA of Netdata's client certificate [default: the bundled Netdata Root CA, written as netdata-ca.pem next to the config]",
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
    "out-file": { type: "string", description: "write the config to FILE instead of stdout" },
    force: {
      type: "boolean",
      description:
        "with --out-file: replace an existing FILE (a symlink is replaced, not followed)",
    },
  },
  positionals: { min: 1, max: 1, names: ["<server> (nginx or apache)"] },
  renamed: { cert: "tls-cert", key: "tls-key", out: "out-file" },
  notes: `nginx: a map and a server {} for /etc/nginx/conf.d/. Apache: a <VirtualHost> for
/etc/apache2/sites-available/ (a2enmod ssl proxy proxy_http headers alias). Run the receiver
behind it in behind-proxy mode, reachable only through the proxy. Each security directive in
the output carries a comment; docs/proxy-traps.md shows what Netdata's own snippets miss.
Exit codes: 0 written, 1 a file could not be written, 2 usage error.`,
  run: async ({ values, positionals, stdout, stderr, cwd }) => {
    const server = parseServer(positionals[0]);
    const outFile = values["out-file"] === undefined ? undefined : resolve(cwd, values["out-file"]);
    if (outFile !== undefined) {
      // Before anything is written (the bundled CA goes into the same folder).
      refuseFolder(
        "--out-file",
        outFile,
        `Give the path of the config file itself, e.g. ${join(values["out-file"] ?? "", `netdata-${server}.conf`)}.`,
      );
      refuseMissingFolder("--out-file", outFile);
    }
    if (outFile !== undefined && values.force !== true && (await pathExists(outFile))) {
      throw new UsageError(
        `--out-file: ${outFile} already exists. Pass --force to replace it, or choose another file.`,
      );
    }
    // The bundled CA is written only once every option has been checked.
    const bundledCa =
      values["client-ca"] === undefined
        ? await planBundledCa(outFile === undefined ? cwd : dirname(outFile))
        : undefined;
    const clientCa = bundledCa?.option ?? { clientCa: values["client-ca"] ?? "" };
    const options = resolveOrUsageError({
      serverName: required(values["server-name"], "server-name"),
      cert: required(values["tls-cert"], "tls-cert"),
      key: required(values["tls-key"], "tls-key"),
      cwd,
      ...(values.upstream !== undefined && { upstream: values.upstream }),
      ...(values.listen !== undefined && { listen: values.listen }),
      ...(values.path !== undefined && { path: values.path }),
      ...clientCa,
      ...(values["expected-cn"] !== undefined && { expectedCns: values["expected-cn"] }),
      ...(values["verify-depth"] !== undefined && { verifyDepth: values["verify-depth"] }),
    });
    checkLocalFiles(options, values["client-ca"] !== undefined, stderr);
    await bundledCa?.write(stderr);
    const config = PROXY_RENDERERS[server](options);
    if (outFile === undefined) {
      stdout(config);
      return 0;
    }
    const out = outFile;
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
    const suggestion = didYouMean(value ?? "", PROXY_SERVERS);
    throw new UsageError(
      `unknown server: ${JSON.stringify(value ?? "")}. ${suggestion ? `Did you mean ${suggestion}? ` : ""}Pass ${PROXY_SERVERS.join(" or ")}.`,
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

/**
 * The config may be written on another machine than it runs on, so a missing or unreadable
 * file only warns. Files that are here and readable are checked as the server will read them:
 * a swapped pair, a key given as the certificate (or the reverse), a key that does not match,
 * a --client-ca without a certificate are refused before a config is written.
 */
function checkLocalFiles(
  options: ProxyOptions,
  clientCaGiven: boolean,
  stderr: (text: string) => void,
): void {
  const warn = (text: string) => stderr(`${PROGRAM} proxy: warning: ${text}\n`);
  const missing = (flag: string, path: string) => {
    if (existsSync(path)) return false;
    stderr(`warning: ${flag} ${path} does not exist here; the server will not start without it.\n`);
    return true;
  };
  const unreadable = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      warn(`${error.problem} The config is written anyway; the server must be able to read it.`);
    }
  };
  const certMissing = missing("--tls-cert", options.certPath);
  const keyMissing = missing("--tls-key", options.keyPath);
  if (!certMissing && !keyMissing) {
    unreadable(() =>
      checkTlsPair({
        certFlag: "--tls-cert",
        certPath: options.certPath,
        keyFlag: "--tls-key",
        keyPath: options.keyPath,
      }),
    );
  }
  // The bundled CA is known to be good; a --client-ca path may be for the server only.
  if (!clientCaGiven || missing("--client-ca", options.clientCaPath)) return;
  unreadable(() => {
    const warning = checkCaFile({
      flag: "--client-ca",
      path: options.clientCaPath,
      fix: "Pass the CA of Netdata's client certificate, or leave out --client-ca to get the bundled Netdata Root CA.",
    });
    if (warning) warn(warning);
  });
}

/** The name the bundled Netdata Root CA gets next to a generated config. */
export const WRITTEN_CA_NAME = "netdata-ca.pem";

/**
 * Without --client-ca the config needs the Netdata Root CA at a path that outlives this
 * install (a path inside node_modules or a checkout breaks after `npm ci` or on another
 * machine): the bundled copy is written into `dir`, beside the config.
 */
async function planBundledCa(dir: string): Promise<{
  option: { clientCa: string; clientCaOrigin: string };
  write: (stderr: (text: string) => void) => Promise<void>;
}> {
  const target = join(dir, WRITTEN_CA_NAME);
  const bundled = await readFile(NETDATA_ROOT_CA_PATH, "utf8");
  const existing = await readFile(target, "utf8").catch(() => undefined);
  if (existing !== undefined && existing !== bundled) {
    throw new UsageError(
      `a different file is already at the CA path: ${target}. Pass --client-ca ${target} to use it, or move it away to get the bundled Netdata Root CA.`,
    );
  }
  const write = async (stderr: (text: string) => void) => {
    if (existing === undefined) {
      try {
        await replaceFile(target, bundled);
      } catch (error) {
        throw new CommandError(`failed to write ${target}: ${(error as Error).message}`);
      }
    }
    stderr(
      `${existing === undefined ? "wrote" : "kept "} ${target} (the Netdata Root CA bundled with ${PROGRAM}); ` +
        "install it with the config, or pass --client-ca PATH for where it lives on the server.\n",
    );
  };
  const option = {
    clientCa: target,
    clientCaOrigin: `the Netdata Root CA bundled with ${PROGRAM} ${PACKAGE_VERSION}, written there by this command`,
  };
  return { option, write };
}
