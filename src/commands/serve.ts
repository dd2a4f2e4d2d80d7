import { resolve } from "node:path";
import { ADMIN_DEFAULT_HOST, resolveAdminListen } from "../admin/admin-options.js";
import { BUNDLED_NETDATA_CA_PATH } from "../package-facts.js";
import { DEFAULT_PKI_DIR, pkiPaths } from "../pki/pki-names.js";
import type { AuthConfig } from "../protocol/auth.js";
import { DEFAULT_EXPECTED_CNS } from "../protocol/client-identity.js";
import { closeOnSignal } from "../receiver/close-on-signal.js";
import { MAX_PENDING_HANDSHAKES_PER_ADDRESS } from "../receiver/limits.js";
import { createLogger, type Logger } from "../receiver/log.js";
import {
  DEFAULT_DB_PATH,
  DEFAULT_PROXY_DN_HEADER,
  DEFAULT_PROXY_VERIFY_HEADER,
  DEFAULT_WEBHOOK_PATH,
  secretsOf,
} from "../receiver/options.js";
import {
  BEHIND_PROXY_DEFAULT_PORT,
  DEFAULT_RECEIVER_PORT,
  type ReceiverOptions,
  type TlsMaterial,
} from "../receiver/server-options.js";
import { terminalSafe } from "../receiver/terminal-text.js";
import {
  DEFAULT_TRUSTED_PROXIES,
  isLoopbackHost,
  parseTrustedProxies,
} from "../receiver/trusted-proxy.js";
import { checkAuthSettings } from "../validate/auth-settings.js";
import { OptionError } from "../validate/option-error.js";
import { checkPort } from "../validate/port.js";
import {
  type CommandContext,
  CommandError,
  defineCommand,
  type OptionSpecs,
  PROGRAM,
  UsageError,
} from "./_command.js";
import { refuseFile } from "./_file-problem.js";
import {
  FORWARD_OPTIONS,
  FORWARD_PER_SINK_OPTIONS,
  forwardingFromOptions,
} from "./_forward-options.js";
import { checkServeDb, dbValue } from "./_open-store.js";
import { createdPkiLine, refuseParentOfPki } from "./_pki-folder.js";
import {
  ADMIN_TOKEN_ENV,
  BASIC_PASSWORD_ENV,
  BEARER_TOKEN_ENV,
  CHALLENGE_SECRET_ENV,
  readSecret,
  secretOptions,
} from "./_secrets.js";
import { withServeConfig } from "./_serve-config.js";
import { startServeParts } from "./_serve-parts.js";
import { checkCaFile, checkTlsPair } from "./_tls-material.js";

/** The pinned Netdata Root CA shipped with the package (certs/netdata-ca.pem). */
export const BUNDLED_NETDATA_CA = BUNDLED_NETDATA_CA_PATH;

const OPTIONS = {
  config: {
    type: "string",
    description:
      "read the settings from this YAML or JSON file (every option is a key: docs/configuration.md); flags override it",
  },
  "print-config": {
    type: "boolean",
    description:
      "print the effective configuration (the file, then the flags) as YAML, secrets as references, and exit",
  },
  port: {
    type: "string",
    description: `TCP port; 0 picks a free one (default: ${DEFAULT_RECEIVER_PORT}; ${BEHIND_PROXY_DEFAULT_PORT} with --behind-proxy, where the generated proxy configs forward)`,
  },
  host: {
    type: "string",
    description: "address to bind (default: all; 127.0.0.1 with --dev or --behind-proxy)",
  },
  path: { type: "string", description: "webhook path", default: DEFAULT_WEBHOOK_PATH },
  "tls-cert": { type: "string", description: "server certificate chain (PEM)" },
  "tls-key": { type: "string", description: "server private key (PEM)" },
  "client-ca": {
    type: "string",
    multiple: true,
    description: "CA trusted for client certificates [default: the bundled certs/netdata-ca.pem]",
  },
  "expected-cn": {
    type: "string",
    multiple: true,
    description: "allowed client certificate CN, matched exactly",
    default: [...DEFAULT_EXPECTED_CNS],
  },
  auth: {
    type: "string",
    description:
      "Authorization Netdata sends: none, basic or bearer [default: the scheme of the credentials given (a bearer token: bearer; a Basic user and password: basic), else none]",
  },
  ...secretOptions("bearer-token", BEARER_TOKEN_ENV, "the bearer token"),
  "basic-user": { type: "string", description: "the Basic auth user name" },
  ...secretOptions("basic-password", BASIC_PASSWORD_ENV, "the Basic auth password"),
  ...secretOptions(
    "challenge-secret",
    CHALLENGE_SECRET_ENV,
    "the legacy crc_token challenge secret",
  ),
  db: {
    type: "string",
    description:
      "the inbox: a SQLite file, or postgres://USER@HOST/DB (password in PGPASSWORD) shared by several receivers (docs/high-availability.md)",
    default: DEFAULT_DB_PATH,
  },
  "behind-proxy": {
    type: "boolean",
    description: "plain HTTP behind a TLS proxy that verifies the client certificate",
  },
  "trust-proxy": {
    type: "string",
    multiple: true,
    description: `with --behind-proxy: a peer ADDR or CIDR whose proxy headers are believed; others get 403 [default: ${DEFAULT_TRUSTED_PROXIES.join(", ")}]`,
  },
  "proxy-verify-header": {
    type: "string",
    description: "header with the proxy's verification result",
    default: DEFAULT_PROXY_VERIFY_HEADER,
  },
  "proxy-dn-header": {
    type: "string",
    description: "header with the verified client DN",
    default: DEFAULT_PROXY_DN_HEADER,
  },
  "max-pending-handshakes": {
    type: "string",
    description: `direct mode: unfinished TLS handshakes one address may hold; more are closed at once (default: ${MAX_PENDING_HANDSHAKES_PER_ADDRESS})`,
  },
  dev: {
    type: "boolean",
    description: "TEST SETUP: use (creating if missing) the dev PKI and trust its test CA",
  },
  pki: {
    type: "string",
    description: `with --dev: the test PKI folder, created if missing [default: ${DEFAULT_PKI_DIR}]`,
  },
  ...FORWARD_OPTIONS,
  "admin-port": {
    type: "string",
    description: "serve the console, /metrics, /healthz and /readyz on this port (0: a free one)",
  },
  "admin-host": {
    type: "string",
    description: `address of the admin port (default: ${ADMIN_DEFAULT_HOST}; any other needs an admin token)`,
  },
  ...secretOptions("admin-token", ADMIN_TOKEN_ENV, "the admin console token"),
} satisfies OptionSpecs;

type Ctx = CommandContext<typeof OPTIONS>;

export const serveCommand = defineCommand({
  name: "serve",
  summary: "Run the reference receiver (mTLS, CRC, auth, durable SQLite inbox).",
  usage: [
    "serve --dev [--auth bearer --bearer-token-file F]",
    "serve --tls-cert CHAIN --tls-key KEY [--client-ca CA] [--auth ...] [--challenge-secret-file F]",
    "serve --behind-proxy [--port 8080] [--auth ...]",
  ],
  examples: [
    [`${PROGRAM} serve --dev`, "test setup on https://127.0.0.1:8443 with certs/dev"],
    [`${PROGRAM} serve --config /etc/netdata-webhook-kit/serve.yaml`, "settings from a file"],
    [
      `${PROGRAM} serve --tls-cert fullchain.pem --tls-key key.pem --auth bearer --bearer-token-file token.txt`,
      "production, direct mTLS",
    ],
    [
      `${PROGRAM} serve --behind-proxy --challenge-secret-file challenge.txt`,
      "behind nginx/Apache from 'proxy'",
    ],
    [
      `${PROGRAM} serve --dev --forward-exec "/usr/local/bin/page-oncall --team ops" --forward-min-severity critical`,
      "forward critical alerts to a command",
    ],
  ],
  options: OPTIONS,
  essential: [
    "config",
    "print-config",
    "dev",
    "tls-cert",
    "tls-key",
    "behind-proxy",
    "port",
    "auth",
    "bearer-token-file",
    "challenge-secret-file",
    "db",
    "forward-exec",
    "forward-url",
    "admin-port",
  ],
  shortNotes: `Every option is also a key of the --config file (flags override it; forwarding sinks are a
list there, with their headers and filters): see docs/configuration.md.
Logs are JSON lines on stdout. Exit codes: 0 stopped cleanly, 1 failed, 2 usage error.`,
  renamed: { certs: "pki" },
  perItemOptions: FORWARD_PER_SINK_OPTIONS,
  notes: `--config FILE (YAML or JSON) holds any of these options as keys, forwarding sinks as a list
with their headers and filters, and secrets as {file: PATH} or {env: VAR}; flags override it.
docs/configuration.md lists the keys; --print-config prints the effective configuration.
--dev with --tls-cert/--tls-key serves that certificate and with --client-ca trusts that CA, in
place of the test PKI's; the start banner and log say which certificate is served and which CA
is trusted.
Direct mode (default) speaks HTTPS and asks every client for a certificate: one that does not
chain to --client-ca, or whose CN is not an --expected-cn, is cut off before any HTTP is read.
--behind-proxy speaks plain HTTP on 127.0.0.1 and believes the proxy's ${DEFAULT_PROXY_VERIFY_HEADER}: SUCCESS
only from the --trust-proxy peers (default loopback); any other peer's connection is closed
before anything is read from it.
Forwarding (--forward-exec, --forward-url): every new notification is queued for each sink in
the transaction that stores it and delivered after the 200, at least once, with retries;
'inbox --pending', 'inbox --failed' and 'inbox retry' show and requeue deliveries.
--admin-port serves a live console (notifications, the test token, refusals and why) and
Prometheus metrics on a separate plain-HTTP port, 127.0.0.1 unless --admin-host says otherwise;
beyond loopback it needs an admin token (Bearer TOKEN, or Basic admin:TOKEN in a browser).
Logs are JSON lines on stdout; secrets never appear in them. SIGTERM/SIGINT: finish in-flight
requests, close the database, exit 0.
Exit codes: 0 stopped cleanly, 1 failed, 2 usage error.`,
  // --config: the file's settings become values as the flags give them, judged by run's checks.
  prepare: (ctx) => withServeConfig(ctx, OPTIONS),
  run: async (ctx) => {
    const secrets = readSecrets(ctx);
    const auth = authConfig(ctx, secrets);
    const forwarding = forwardingFromOptions(ctx);
    const admin = adminListen(ctx);
    const logger = createLogger({
      write: ctx.stdout,
      secrets: [
        ...secretsOf(auth, secrets.challenge),
        ...(forwarding?.secrets ?? []),
        ...(admin?.token ? [admin.token] : []),
      ],
    });
    warnAboutSecretFlags(ctx, logger);
    if (ctx.values.auth === undefined && auth.scheme !== "none") {
      logger.info("auth scheme chosen from the credentials given (no --auth)", {
        auth: auth.scheme,
      });
    }
    const { db, ...receiver } = await receiverOptions(ctx, auth, secrets.challenge, logger);
    const parts = await startServeParts({ receiver, db, forwarding, admin, logger });
    await closeOnSignal(parts.close, logger);
    return 0;
  },
});

/** Where the admin console listens, or undefined without --admin-port. */
function adminListen(ctx: Ctx): { host: string; port: number; token?: string } | undefined {
  const { values, env, cwd } = ctx;
  const token = readSecret(values, "admin-token", ADMIN_TOKEN_ENV, { env, cwd });
  const host = values["admin-host"] ?? ADMIN_DEFAULT_HOST;
  if (values["admin-port"] === undefined) {
    if (values["admin-host"] !== undefined || token !== undefined) {
      throw new UsageError("--admin-host and the admin token need --admin-port PORT.");
    }
    return undefined;
  }
  const port = parsePort(values["admin-port"], 0, "--admin-port");
  if (!isLoopbackHost(host) && token === undefined) {
    throw new UsageError(
      `--admin-host ${JSON.stringify(host)} is not a loopback address, and the console shows test tokens and client certificates. Give an admin token (--admin-token-file FILE or ${ADMIN_TOKEN_ENV}), or leave out --admin-host to bind ${ADMIN_DEFAULT_HOST}.`,
    );
  }
  const listen = { host, port, ...(token ? { token } : {}) };
  try {
    resolveAdminListen(listen);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    throw new UsageError(`--admin-${error.option}: ${error.problem}`);
  }
  return listen;
}

interface Secrets {
  bearer: string | undefined;
  password: string | undefined;
  challenge: string | undefined;
}

function readSecrets({ values, env, cwd }: Ctx): Secrets {
  return {
    bearer: readSecret(values, "bearer-token", BEARER_TOKEN_ENV, { env, cwd }),
    password: readSecret(values, "basic-password", BASIC_PASSWORD_ENV, { env, cwd }),
    challenge: readSecret(values, "challenge-secret", CHALLENGE_SECRET_ENV, { env, cwd }),
  };
}

/** The flags that put a secret on the command line, where other local users see it (ps). */
const SECRET_FLAGS = [
  ["bearer-token", BEARER_TOKEN_ENV],
  ["basic-password", BASIC_PASSWORD_ENV],
  ["challenge-secret", CHALLENGE_SECRET_ENV],
] as const;

function warnAboutSecretFlags({ values }: Ctx, logger: Logger): void {
  const given = SECRET_FLAGS.filter(([flag]) => typeof values[flag] === "string");
  if (given.length === 0) return;
  logger.warn(
    "a secret was given on the command line, where other local users can read it (ps); pass it in a -file or the environment variable instead",
    {
      options: given.map(([flag]) => `--${flag}`),
      instead: given.map(([flag, env]) => `--${flag}-file FILE or ${env}`),
    },
  );
}

function authConfig({ values }: Ctx, secrets: Secrets): AuthConfig {
  const verdict = checkAuthSettings(
    {
      scheme: values.auth,
      basicUser: values["basic-user"],
      basicPassword: secrets.password,
      bearerToken: secrets.bearer,
    },
    { side: "receiver" },
  );
  if (!verdict.ok) throw new UsageError(`${verdict.problem}.`, { option: "--auth" });
  return verdict.value;
}

async function receiverOptions(
  ctx: Ctx,
  auth: AuthConfig,
  challengeSecret: string | undefined,
  logger: Logger,
): Promise<Omit<ReceiverOptions, "store" | "db"> & { db: string }> {
  const { values, cwd } = ctx;
  const behindProxy = values["behind-proxy"] === true;
  const dev = values.dev === true;
  if (behindProxy && dev) {
    throw new UsageError(
      "--dev sets up direct TLS with the dev PKI; behind a proxy, the proxy holds the certificates. Pass only one of them.",
    );
  }
  if (values.pki !== undefined && !dev) {
    throw new UsageError(
      `--pki: only used with --dev: ${values.pki}. Add --dev to serve with that test PKI (created if missing), or leave out --pki and pass --tls-cert/--tls-key (or --behind-proxy).`,
    );
  }
  if (behindProxy && (values["tls-cert"] || values["tls-key"] || values["client-ca"])) {
    throw new UsageError(
      "--behind-proxy: the proxy terminates TLS. Drop --tls-cert, --tls-key and --client-ca.",
    );
  }
  const trustProxy = values["trust-proxy"];
  if (trustProxy && !behindProxy) {
    throw new UsageError(
      "--trust-proxy only applies with --behind-proxy: in direct mode the receiver checks the TLS client certificate itself.",
    );
  }
  const parsed = parseTrustedProxies(trustProxy ?? []);
  if (!parsed.ok) {
    throw new UsageError(
      `--trust-proxy: ${parsed.reason}, got ${JSON.stringify(parsed.value)}. Pass the address your proxy connects from.`,
    );
  }
  if (behindProxy && !trustProxy && values.host && !isLoopbackHost(values.host)) {
    throw new UsageError(
      `--behind-proxy --host ${values.host}: the receiver would accept plain HTTP from the network, and by default believes proxy headers only from loopback (${DEFAULT_TRUSTED_PROXIES.join(", ")}). Pass --trust-proxy ADDR|CIDR with your proxy's address, or bind 127.0.0.1.`,
    );
  }
  const db = dbValue(values.db ?? DEFAULT_DB_PATH, cwd);
  checkServeDb("--db", db);
  const pendingText = values["max-pending-handshakes"];
  if (pendingText !== undefined && !/^[1-9]\d{0,5}$/.test(pendingText)) {
    throw new UsageError(
      `--max-pending-handshakes: expected a whole number from 1, got ${JSON.stringify(pendingText)}. The default is ${MAX_PENDING_HANDSHAKES_PER_ADDRESS}.`,
    );
  }
  return {
    mode: behindProxy ? "behind-proxy" : "direct",
    ...(pendingText ? { maxPendingHandshakesPerAddress: Number(pendingText) } : {}),
    ...(trustProxy ? { trustedProxies: trustProxy } : {}),
    port: parsePort(values.port, behindProxy ? BEHIND_PROXY_DEFAULT_PORT : DEFAULT_RECEIVER_PORT),
    ...(values.host ? { host: values.host } : dev ? { host: "127.0.0.1" } : {}),
    path: values.path ?? DEFAULT_WEBHOOK_PATH,
    expectedCns: values["expected-cn"] ?? [...DEFAULT_EXPECTED_CNS],
    auth,
    ...(challengeSecret ? { challengeSecret } : {}),
    db,
    proxyHeaders: {
      verify: values["proxy-verify-header"] ?? DEFAULT_PROXY_VERIFY_HEADER,
      dn: values["proxy-dn-header"] ?? DEFAULT_PROXY_DN_HEADER,
    },
    logger,
    onTestNotification: ({ token }) => {
      if (ctx.isTTY)
        ctx.stderr(
          `\n  Netdata test token: ${terminalSafe(token)}\n  Paste it into the Netdata Cloud webhook form.\n\n`,
        );
    },
    ...(behindProxy ? {} : { tls: dev ? await devTls(ctx, logger) : productionTls(ctx) }),
  };
}

async function devTls(ctx: Ctx, logger: Logger): Promise<TlsMaterial> {
  const dir = resolve(ctx.cwd, ctx.values.pki ?? DEFAULT_PKI_DIR);
  refuseFile("--pki", dir, "Give the folder of the test PKI (created if missing).");
  refuseParentOfPki("--pki", dir, ctx.values.pki ?? DEFAULT_PKI_DIR);
  const clientCa = checkClientCas(ctx);
  try {
    // Loaded here: certificate generation is only for --dev.
    const { ensureDevPki } = await import("../pki/ensure-dev-pki.js");
    ctx.stderr(createdPkiLine(await ensureDevPki(dir), ctx.values.pki ?? DEFAULT_PKI_DIR) ?? "");
  } catch (error) {
    throw new CommandError(`failed to prepare the dev PKI: ${(error as Error).message}`);
  }
  const paths = pkiPaths(dir);
  const tls = {
    cert: ctx.values["tls-cert"] ? resolve(ctx.cwd, ctx.values["tls-cert"]) : paths.server.cert,
    key: ctx.values["tls-key"] ? resolve(ctx.cwd, ctx.values["tls-key"]) : paths.server.key,
    ca: clientCa ?? [paths.ca.cert],
  };
  // --tls-cert/--tls-key or --client-ca with --dev replace that part of the test PKI: said
  // in the banner and the log, so a mixed set-up is never silent.
  const served =
    ctx.values["tls-cert"] !== undefined
      ? `Serving ${tls.cert} (--tls-cert), not the test PKI's server certificate.`
      : `Serving the test server certificate ${tls.cert}.`;
  const trusted =
    clientCa !== undefined
      ? `Trusting client certificates from ${clientCa.join(", ")} (--client-ca), not the test CA.`
      : `Trusting the TEST CA ${paths.ca.cert}, NOT Netdata's.`;
  ctx.stderr(
    `\n  *** TEST SETUP (--dev) ***\n  ${served}\n  ${trusted}\n  Real Netdata notifications will be refused; never expose this to the internet.\n\n`,
  );
  logger.warn("TEST SETUP: --dev trusts the development test CA instead of the Netdata Root CA", {
    certs: dir,
    served_cert: tls.cert,
    trusted_ca: tls.ca,
  });
  checkTlsPair({
    certFlag: "--tls-cert",
    certPath: tls.cert,
    keyFlag: "--tls-key",
    keyPath: tls.key,
  });
  return tls;
}

function productionTls(ctx: Ctx): TlsMaterial {
  const { values, cwd } = ctx;
  const cert = values["tls-cert"];
  const key = values["tls-key"];
  if (!cert && !key) {
    throw new UsageError(
      "direct mode needs --tls-cert and --tls-key. Or pass --dev for a test setup, or --behind-proxy.",
    );
  }
  if (!cert || !key) {
    const [given, missing, what] = cert
      ? ["--tls-cert", "--tls-key", "the private key of that certificate"]
      : ["--tls-key", "--tls-cert", "the certificate chain of that key"];
    throw new UsageError(
      `missing option: ${missing} (${given} ${cert ?? key} was given). Pass ${missing} FILE with ${what}.`,
    );
  }
  const ca = checkClientCas(ctx) ?? [BUNDLED_NETDATA_CA];
  const tls = { cert: resolve(cwd, cert), key: resolve(cwd, key), ca };
  checkTlsPair({
    certFlag: "--tls-cert",
    certPath: tls.cert,
    keyFlag: "--tls-key",
    keyPath: tls.key,
  });
  return tls;
}

/** The --client-ca files, absolute, each checked to hold certificates; undefined if none given. */
function checkClientCas({ values, cwd, stderr }: Ctx): string[] | undefined {
  const files = values["client-ca"]?.map((p) => resolve(cwd, p));
  for (const path of files ?? []) {
    const warning = checkCaFile({
      flag: "--client-ca",
      path,
      fix: "Pass the CA that issues the client certificates, or leave out --client-ca to trust the bundled Netdata Root CA.",
    });
    if (warning) stderr(`${PROGRAM} serve: warning: ${warning}\n`);
  }
  return files;
}

function parsePort(value: string | undefined, fallback: number, flag = "--port"): number {
  const verdict = checkPort(value ?? String(fallback), { allowZero: true });
  if (!verdict.ok) throw new UsageError(`${flag}: ${verdict.problem}`, { option: flag });
  return verdict.value;
}
