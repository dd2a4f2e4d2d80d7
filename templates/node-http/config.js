// Configuration from environment variables, checked once at start-up. README.md lists them.
import { readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isToken68 } from "./netdata.js";

/** The pinned Netdata Root CA, copied beside this file by `netdata-webhook-kit init`. */
const BUNDLED_NETDATA_CA = fileURLToPath(new URL("./netdata-ca.pem", import.meta.url));

export class ConfigError extends Error {}

/** Reads and validates the whole configuration; throws a ConfigError naming the variable. */
export function loadConfig(env = process.env) {
  const behindProxy = flag(env, "BEHIND_PROXY");
  const config = {
    behindProxy,
    host: env.HOST || "127.0.0.1",
    port: port(env.PORT, behindProxy ? 8080 : 8443),
    webhookPath: env.WEBHOOK_PATH || "/webhooks/netdata",
    expectedCns: list(env.EXPECTED_CN || "app.netdata.cloud", "EXPECTED_CN"),
    auth: auth(env),
    challengeSecret: secret(env, "CHALLENGE_SECRET"),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, 256 * 1024, "MAX_BODY_BYTES"),
    tls: behindProxy ? null : tls(env),
    // Behind a proxy: the peers whose X-Client-* headers are believed (a BlockList).
    trustedProxies: trustedProxies(env.TRUST_PROXY),
  };
  if (!config.webhookPath.startsWith("/")) {
    throw new ConfigError(
      `WEBHOOK_PATH must start with "/", got ${JSON.stringify(config.webhookPath)}.`,
    );
  }
  if (behindProxy && !isLoopback(config.host) && !env.TRUST_PROXY) {
    // The proxy's X-Client-* headers are only trustworthy from the proxy itself.
    throw new ConfigError(
      `BEHIND_PROXY=1 needs HOST on loopback (127.0.0.1 or ::1), got ${config.host}; or set TRUST_PROXY to the proxy's address (ADDR or CIDR, comma-separated).`,
    );
  }
  return config;
}

/**
 * TRUST_PROXY: comma-separated addresses or CIDR blocks (default the loopback addresses).
 * Returns { entries, trusts(address) }; an IPv4 peer seen as ::ffff:a.b.c.d matches a.b.c.d.
 */
function trustedProxies(value) {
  const entries = (value || "127.0.0.0/8,::1")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError("TRUST_PROXY must name at least one address.");
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      rest.length > 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max))
    ) {
      throw new ConfigError(
        `TRUST_PROXY: expected ADDR or ADDR/PREFIX (e.g. 10.0.0.5 or 10.0.0.0/24), got ${JSON.stringify(entry)}.`,
      );
    }
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return {
    entries,
    trusts(address) {
      if (typeof address !== "string") return false;
      const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

function tls(env) {
  if (!env.TLS_CERT || !env.TLS_KEY) {
    throw new ConfigError(
      "TLS_CERT and TLS_KEY are required (or set BEHIND_PROXY=1 behind nginx).",
    );
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
function auth(env) {
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
    if (!isToken68(token)) {
      throw new ConfigError(
        `BEARER_TOKEN (${token.length} chars) may only hold A-Z a-z 0-9 - . _ ~ + / (and = padding at the end)`,
      );
    }
    return { scheme, token };
  }
  if (scheme === "basic") {
    const username = env.BASIC_USER;
    const password = secret(env, "BASIC_PASSWORD");
    if (!username || username.includes(":")) {
      throw new ConfigError("AUTH=basic needs BASIC_USER, without ':'.");
    }
    if (!password)
      throw new ConfigError("AUTH=basic needs BASIC_PASSWORD (or BASIC_PASSWORD_FILE).");
    return { scheme, username, password };
  }
  throw new ConfigError(`AUTH must be none, basic or bearer, got ${JSON.stringify(env.AUTH)}.`);
}

/** A secret from NAME or from the file named by NAME_FILE (for systemd credentials, secrets). */
function secret(env, name) {
  if (env[name] && env[`${name}_FILE`])
    throw new ConfigError(`set ${name} or ${name}_FILE, not both.`);
  if (env[`${name}_FILE`]) return file(env[`${name}_FILE`], `${name}_FILE`).replace(/\r?\n$/, "");
  return env[name] || undefined;
}

function file(path, name) {
  try {
    return readFileSync(resolve(path), "utf8");
  } catch (error) {
    throw new ConfigError(
      `failed to read ${name} ${JSON.stringify(path)}: ${error.code ?? error.message}.`,
    );
  }
}

function port(value, fallback) {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(`PORT must be 0-65535, got ${JSON.stringify(value)}.`);
  }
  return n;
}

function positiveInt(value, fallback, name) {
  if (value === undefined || value === "") return fallback;
  if (!/^[1-9]\d*$/.test(value))
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  return Number(value);
}

function list(value, name) {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(`${name} must name at least one CN.`);
  return items;
}

function flag(env, name) {
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
function isLoopback(host) {
  if (host === "localhost") return true;
  const family = isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}
