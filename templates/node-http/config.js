// Configuration from environment variables, checked once at start-up. README.md lists them.
// What the values may be (a token's characters, a CN list, a proxy address) is the kit's
// decision: it refuses a bad one when the listener is built, naming the option.
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { fileURLToPath } from "node:url";

/** The pinned Netdata Root CA, copied beside this file by `netdata-webhook-kit init`. */
const BUNDLED_NETDATA_CA = fileURLToPath(new URL("./netdata-ca.pem", import.meta.url));
const CERTS_FIX =
  "Create the development certificates with: npx netdata-webhook-kit certs --pki certs/dev (in production, point it at your own)";

const CA_FIX =
  "Copy the Netdata Root CA back with: cp node_modules/netdata-webhook-kit/certs/netdata-ca.pem netdata-ca.pem";

export class ConfigError extends Error {}

/** The whole configuration; throws a ConfigError naming the variable and the fix. */
export function loadConfig(env = process.env) {
  const behindProxy = env.BEHIND_PROXY === "1"; // anything else needs TLS_CERT and TLS_KEY
  const list = (value) => value?.split(",").map((item) => item.trim());
  const trustedProxies = list(env.TRUST_PROXY);
  const challengeSecret = secret(env, "CHALLENGE_SECRET");
  return {
    host: env.HOST || "127.0.0.1",
    port: port(env.PORT || (behindProxy ? "8080" : "8443")),
    tls: behindProxy ? null : tls(env),
    dbPath: env.DB_PATH || "netdata-webhooks.db",
    // What the kit checks each request against (netdataWebhookNode's options, the store aside).
    webhook: {
      path: env.WEBHOOK_PATH || "/webhooks/netdata",
      auth: auth(env),
      clientIdentity: behindProxy ? "proxy-headers" : "tls",
      expectedCns: list(env.EXPECTED_CN) ?? ["app.netdata.cloud"],
      ...(trustedProxies ? { trustedProxies } : {}),
      ...(challengeSecret ? { challengeSecret } : {}),
      ...(env.MAX_BODY_BYTES ? { bodyLimitBytes: Number(env.MAX_BODY_BYTES) } : {}),
    },
  };
}

function tls(env) {
  if (!env.TLS_CERT || !env.TLS_KEY) {
    throw new ConfigError(
      `TLS_CERT and TLS_KEY are required (or BEHIND_PROXY=1 behind nginx). ${CERTS_FIX}.`,
    );
  }
  const ca = env.CLIENT_CA || BUNDLED_NETDATA_CA;
  const material = {
    cert: file(env.TLS_CERT, "TLS_CERT", CERTS_FIX),
    key: file(env.TLS_KEY, "TLS_KEY", CERTS_FIX),
    ca: file(ca, "CLIENT_CA", env.CLIENT_CA ? CERTS_FIX : CA_FIX),
  };
  try {
    createSecureContext(material);
  } catch (error) {
    const files = [env.TLS_CERT, env.TLS_KEY, ca].map((f) => JSON.stringify(f)).join(", ");
    throw new ConfigError(
      `TLS_CERT, TLS_KEY and CLIENT_CA (${files}) are not a usable certificate, key and CA: ${error.message}. ${CERTS_FIX}.`,
    );
  }
  return material;
}

/** AUTH, or when it is unset the scheme of the credentials that are set: a token is never ignored. */
function auth(env) {
  const token = secret(env, "BEARER_TOKEN");
  const username = env.BASIC_USER;
  const password = secret(env, "BASIC_PASSWORD");
  const credentials = { BEARER_TOKEN: token, BASIC_USER: username, BASIC_PASSWORD: password };
  const given = Object.keys(credentials).filter((name) => credentials[name]);
  const scheme =
    env.AUTH?.trim().toLowerCase() || (token ? "bearer" : username || password ? "basic" : "none");
  if (scheme === "none" && given.length > 0) {
    throw new ConfigError(
      `AUTH=none, but ${given.join(" and ")} ${given.length === 1 ? "is" : "are"} set: requests would be accepted without them; set AUTH=bearer or AUTH=basic, or remove the credentials.`,
    );
  }
  if (scheme === "none") return { scheme };
  if (scheme === "bearer") {
    if (!token) throw new ConfigError("AUTH=bearer needs BEARER_TOKEN (or BEARER_TOKEN_FILE).");
    return { scheme, token };
  }
  if (scheme === "basic") {
    if (!username || !password) {
      throw new ConfigError(
        "AUTH=basic needs BASIC_USER and BASIC_PASSWORD (or BASIC_PASSWORD_FILE).",
      );
    }
    return { scheme, username, password };
  }
  throw new ConfigError(`AUTH must be none, basic or bearer, got ${JSON.stringify(env.AUTH)}.`);
}

/** A secret from NAME or from the file named by NAME_FILE (systemd credentials, secrets). */
function secret(env, name) {
  const path = env[`${name}_FILE`];
  if (env[name] && path) throw new ConfigError(`set ${name} or ${name}_FILE, not both.`);
  if (!path) return env[name] || undefined;
  const fix = `Create it with: openssl rand -hex 32 > ${path}`;
  return file(path, `${name}_FILE`, fix).replace(/\r?\n$/, "") || undefined;
}

function file(path, name, fix) {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `failed to read ${name} ${JSON.stringify(path)}: ${error.code ?? error.message}. ${fix}.`,
    );
  }
}

function port(value) {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new ConfigError(`PORT must be 0-65535, got ${JSON.stringify(value)}.`);
  }
  return Number(value);
}
