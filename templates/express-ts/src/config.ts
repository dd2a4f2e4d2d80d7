// Configuration from environment variables, checked once at start-up. README.md lists them.
import { readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AuthConfig } from "netdata-webhook-kit";

/** The pinned Netdata Root CA, copied into the project by `netdata-webhook-kit init`. */
const BUNDLED_NETDATA_CA = fileURLToPath(new URL("../../netdata-ca.pem", import.meta.url));

export interface Config {
  host: string;
  port: number;
  webhookPath: string;
  /** null behind a proxy: the proxy terminates TLS and forwards X-Client-Verify / X-Client-DN. */
  tls: { cert: string; key: string; ca: string } | null;
  expectedCns: string[];
  auth: AuthConfig;
  challengeSecret: string | undefined;
  /** The SQLite inbox every accepted notification is committed to before the answer. */
  dbPath: string;
  bodyLimitBytes: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Reads and validates the whole configuration; throws a ConfigError naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const behindProxy = flag(env, "BEHIND_PROXY");
  const host = env.HOST || "127.0.0.1";
  if (behindProxy && !isLoopback(host)) {
    // The proxy's X-Client-* headers are only trustworthy when nobody else can connect.
    throw new ConfigError(`BEHIND_PROXY=1 needs HOST on loopback (127.0.0.1 or ::1), got ${host}.`);
  }
  return {
    host,
    port: integer(env, "PORT", behindProxy ? 8080 : 8443, 0, 65_535),
    webhookPath: env.WEBHOOK_PATH || "/webhooks/netdata",
    tls: behindProxy ? null : tls(env),
    expectedCns: (env.EXPECTED_CN || "app.netdata.cloud").split(",").map((cn) => cn.trim()),
    auth: auth(env),
    challengeSecret: secret(env, "CHALLENGE_SECRET"),
    dbPath: env.DB_PATH || "netdata-webhooks.db",
    bodyLimitBytes: integer(env, "MAX_BODY_BYTES", 256 * 1024, 1, 2 ** 31),
  };
}

function tls(env: Env): Config["tls"] {
  if (!env.TLS_CERT || !env.TLS_KEY) {
    throw new ConfigError("TLS_CERT and TLS_KEY are required (or BEHIND_PROXY=1 behind nginx).");
  }
  return {
    cert: file(env.TLS_CERT, "TLS_CERT"),
    key: file(env.TLS_KEY, "TLS_KEY"),
    ca: file(env.CLIENT_CA || BUNDLED_NETDATA_CA, "CLIENT_CA"),
  };
}

/**
 * AUTH, or when it is unset or empty the scheme of the credentials that are set: a forgotten
 * AUTH line must not leave the endpoint open while a token is configured.
 */
function auth(env: Env): AuthConfig {
  const given = ["BEARER_TOKEN", "BASIC_USER", "BASIC_PASSWORD"].filter(
    (name) => env[name] || env[`${name}_FILE`],
  );
  let scheme = (env.AUTH || "").trim().toLowerCase();
  if (!scheme) {
    const bearer = given.includes("BEARER_TOKEN");
    const basic = given.includes("BASIC_USER") || given.includes("BASIC_PASSWORD");
    if (bearer && basic) {
      throw new ConfigError(
        "both BEARER_TOKEN and BASIC_USER/BASIC_PASSWORD are set; set AUTH=bearer or AUTH=basic, or remove the other.",
      );
    }
    scheme = bearer ? "bearer" : basic ? "basic" : "none";
  }
  if (scheme === "none") {
    if (given.length > 0) {
      throw new ConfigError(
        `AUTH=none, but ${given.join(" and ")} ${given.length === 1 ? "is" : "are"} set: requests would be accepted without them; set AUTH=bearer or AUTH=basic, or remove the credentials.`,
      );
    }
    return { scheme: "none" };
  }
  if (scheme === "bearer") {
    const token = secret(env, "BEARER_TOKEN");
    if (!token) throw new ConfigError("AUTH=bearer needs BEARER_TOKEN (or BEARER_TOKEN_FILE).");
    return { scheme, token };
  }
  if (scheme === "basic") {
    const username = env.BASIC_USER;
    const password = secret(env, "BASIC_PASSWORD");
    if (!username) throw new ConfigError("AUTH=basic needs BASIC_USER.");
    if (!password)
      throw new ConfigError("AUTH=basic needs BASIC_PASSWORD (or BASIC_PASSWORD_FILE).");
    return { scheme, username, password };
  }
  throw new ConfigError(`AUTH must be none, basic or bearer, got ${JSON.stringify(env.AUTH)}.`);
}

/** A secret from NAME or from the file named by NAME_FILE (systemd credentials, secrets). */
function secret(env: Env, name: string): string | undefined {
  const direct = env[name];
  const path = env[`${name}_FILE`];
  if (direct && path) throw new ConfigError(`set ${name} or ${name}_FILE, not both.`);
  if (path) return file(path, `${name}_FILE`).replace(/\r?\n$/, "") || undefined;
  return direct || undefined;
}

function file(path: string, name: string): string {
  try {
    return readFileSync(resolve(path), "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`failed to read ${name} ${JSON.stringify(path)}: ${why}.`);
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be an integer ${min}-${max}, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

function flag(env: Env, name: string): boolean {
  const value = (env[name] || "0").toLowerCase();
  if (["1", "true", "yes"].includes(value)) return true;
  if (["0", "false", "no"].includes(value)) return false;
  throw new ConfigError(`${name} must be 1 or 0, got ${JSON.stringify(env[name])}.`);
}

/** Loopback addresses, parsed as addresses: 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/**
 * True for a literal loopback address, or the name "localhost" (which RFC 6761 reserves for
 * loopback). A name is never judged by how it starts: "127.attacker.example" is a name that
 * resolves wherever its owner likes.
 */
function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const family = isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}
