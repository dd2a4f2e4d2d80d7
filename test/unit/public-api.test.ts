import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as root from "../../src/index.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

// The package root's value exports, sorted. Adding one is a decision: add it here too.
const ROOT_EXPORTS = [
  "CHECK_IDS",
  "CRC_DEADLINE_MS",
  "DEFAULT_DB_PATH",
  "DEFAULT_EXPECTED_CNS",
  "DEFAULT_PKI_DIR",
  "DEFAULT_PROXY_DN_HEADER",
  "DEFAULT_PROXY_VERIFY_HEADER",
  "DEFAULT_WEBHOOK_PATH",
  "IncompletePkiError",
  "NETDATA_ROOT_CA_PATH",
  "NOTIFICATION_KINDS",
  "OptionError",
  "PKI_NAMES",
  "PROXY_SERVERS",
  "ProxyOptionError",
  "TEST_TOKEN_LOG_MESSAGE",
  "VerifyOptionsError",
  "authorizationHeaderFor",
  "checkClientIdentity",
  "classifyNotification",
  "commonNameOfDistinguishedName",
  "computeCrcResponseToken",
  "crcResponseBody",
  "createAuthVerifier",
  "createLogger",
  "createPayloadFactory",
  "ensureDevPki",
  "generateDevPki",
  "netdataCheckContinue",
  "netdataWebhookFetch",
  "netdataWebhookNode",
  "nodeTlsOptions",
  "notificationKey",
  "notificationSchemaUrl",
  "parseCrcToken",
  "parseJsonReport",
  "peerFactsFromSocket",
  "pkiPaths",
  "renderApacheConfig",
  "renderHumanReport",
  "renderNginxConfig",
  "renderProxyConfig",
  "reportToJson",
  "reportToJunit",
  "resolveProxyOptions",
  "silentLogger",
  "startReceiver",
  "verifyReceiver",
];

/** The modules of src/ a module loads at run time (type-only imports are erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"(\.[^"]+)";/gms),
  ].map((m) => m[1] as string);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")));
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [join(SRC, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...runtimeImports(file));
  }
  return seen;
}

const underSrc = (files: Set<string>, dir: string) =>
  [...files].filter((f) => f.startsWith(join(SRC, dir)));

describe("the public API", () => {
  it("exports exactly the deliberate list from the package root", () => {
    expect(Object.keys(root).sort()).toEqual(ROOT_EXPORTS);
  });

  it("keeps internals out of the root (random sources, canonical JSON, limits, Apache modules)", () => {
    for (const name of ["createRandom", "canonicalJson", "APACHE_MODULES", "BODY_LIMIT_BYTES"]) {
      expect(Object.keys(root)).not.toContain(name);
    }
  });

  it.each(["node", "fetch", "fastify", "express", "sqlite"])(
    "lets netdata-webhook-kit/%s load without the simulator, the CLI, the PKI writer or the console",
    (entry) => {
      const files = reachable(`exports/${entry}.ts`);
      expect(underSrc(files, "simulator/")).toEqual([]);
      expect(underSrc(files, "commands/")).toEqual([]);
      expect(underSrc(files, "pki/")).toEqual([]);
      expect(underSrc(files, "admin/")).toEqual([]);
      expect(files.has(join(SRC, "run-cli.ts"))).toBe(false);
    },
  );

  it("keeps the SQLite store and Express out of the root, /protocol, /node and /fetch", () => {
    for (const entry of [
      "index.ts",
      "exports/protocol.ts",
      "exports/node.ts",
      "exports/fetch.ts",
    ]) {
      const files = reachable(entry);
      expect(files.has(join(SRC, "receiver/store.ts")), entry).toBe(false);
      expect(files.has(join(SRC, "receiver/app.ts")), entry).toBe(false);
      expect(underSrc(files, "receiver/middleware/"), entry).toEqual([]);
      expect(underSrc(files, "outbox/"), entry).toEqual([]);
    }
    const protocol = reachable("exports/protocol.ts");
    expect(underSrc(protocol, "receiver/")).toEqual([]);
  });

  it("keeps the operator console under netdata-webhook-kit/console, out of the root", async () => {
    expect(Object.keys(root)).not.toContain("createAdminConsole");
    expect(underSrc(reachable("index.ts"), "admin/")).toEqual([]);
    const consoleExports = await import("../../src/exports/console.js");
    expect(Object.keys(consoleExports).sort()).toEqual(["createAdminConsole"]);
    expect(underSrc(reachable("exports/console.ts"), "simulator/")).toEqual([]);
  });

  it("loads the PostgreSQL client only from src/store/postgres, which serve and inbox import only for a postgres:// --db", () => {
    const sources = readdirSync(SRC, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(SRC, f));
    const importers = sources.filter((f) =>
      /^import\s[^;]*\bfrom\s+"pg";/m.test(readFileSync(f, "utf8")),
    );
    expect(importers.length).toBeGreaterThan(0);
    for (const file of importers) expect(file.startsWith(join(SRC, "store/postgres/"))).toBe(true);
    // Statically, the commands reach only the pg-free URL rules; the library entries, nothing.
    const postgresModules = (entry: string) =>
      underSrc(reachable(entry), "store/postgres/").map((f) => f.slice(SRC.length));
    for (const command of ["commands/serve.ts", "commands/inbox.ts"]) {
      expect(postgresModules(command)).toEqual(["store/postgres/database-url.ts"]);
    }
    // startReceiver refuses a PostgreSQL URL as its SQLite db by the same pg-free URL rule.
    for (const entry of ["exports/node.ts", "index.ts"]) {
      expect(postgresModules(entry)).toEqual(["store/postgres/database-url.ts"]);
    }
    for (const entry of ["exports/sqlite.ts", "exports/fetch.ts", "exports/protocol.ts"]) {
      expect(postgresModules(entry)).toEqual([]);
    }
  });

  it("maps each subpath of package.json to a module under src/exports", () => {
    const pkg = JSON.parse(readFileSync(join(SRC, "../package.json"), "utf8"));
    const subs = [
      "protocol",
      "node",
      "fetch",
      "express",
      "fastify",
      "sqlite",
      "postgres",
      "verify",
      "proxy",
      "pki",
      "console",
    ];
    for (const sub of subs) {
      expect(pkg.exports[`./${sub}`]).toEqual({
        types: `./dist/exports/${sub}.d.ts`,
        default: `./dist/exports/${sub}.js`,
      });
      expect(readFileSync(join(SRC, "exports", `${sub}.ts`), "utf8")).toContain("export");
    }
  });
});
