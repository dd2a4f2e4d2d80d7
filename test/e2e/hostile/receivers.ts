// Every receiver the kit ships, as the hostile-input suite starts it. A new template (or a new
// way to deploy one) gets the whole suite by being listed in HOSTILE_RECEIVERS.
import { join } from "node:path";
import { renderProxyConfig } from "../../../src/proxy/proxy-config.js";
import { openStore } from "../../../src/receiver/store.js";
import type { TemplateName } from "../../../src/scaffold/catalogue.js";
import { pkiFile } from "../../helpers/pki.js";
import { startTestReceiver } from "../../helpers/receiver.js";
import {
  findServerBinary,
  type RunningServer,
  startApache,
  startNginx,
} from "../../helpers/servers.js";
import {
  INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS,
  installedTemplateCopy,
  projectEnv,
  pythonHas,
  type ScaffoldedProject,
  SYSTEM_PYTHON,
  scaffoldTemplate,
  scaffoldWithPackedKit,
  startProject,
} from "../template-harness.js";

export interface HostileContext {
  pkiDir: string;
  bearerToken: string;
}

/** A started receiver, reached over TLS on 127.0.0.1:port (itself, or the proxy in front). */
export interface HostileSubject {
  port: number;
  /**
   * Everything the receiver's side has written so far: its log and, where it has one, its
   * store. A canary found here reached the handler.
   */
  evidence: () => Promise<string>;
  stop: () => Promise<void>;
}

/** A system package a receiver needs (Node is always there). */
export type Requirement = "nginx" | "apache2" | "python3-flask" | "python3-waitress";

export interface HostileReceiver {
  name: string;
  requires: readonly Requirement[];
  /** How long start may take (the first start of express-ts packs and installs the kit). */
  startTimeoutMs: number;
  start: (context: HostileContext) => Promise<HostileSubject>;
}

const PROXY_START_TIMEOUT_MS = 60_000;

/** The requirements that are not installed on this machine. */
export function missingRequirements(requires: readonly Requirement[]): Requirement[] {
  return requires.filter((r) => {
    if (r === "nginx" || r === "apache2") return findServerBinary(r).path === null;
    return !pythonHas(r === "python3-flask" ? "flask" : "waitress");
  });
}

type Proxy = "nginx" | "apache";

/** The config `netdata-webhook-kit proxy nginx|apache` writes, with the dev PKI, started for real. */
function startProxy(proxy: Proxy, upstream: string, pkiDir: string): Promise<RunningServer> {
  const site = (port: number) =>
    renderProxyConfig(proxy, {
      serverName: "localhost",
      cert: pkiFile(pkiDir, "server", "pem"),
      key: pkiFile(pkiDir, "server", "key"),
      clientCa: pkiFile(pkiDir, "ca", "pem"),
      upstream,
      listen: `127.0.0.1:${port}`,
    });
  return proxy === "nginx" ? startNginx(site) : startApache(site);
}

/** A receiver listening on plain HTTP behind a proxy: both started, both stopped. */
async function behind(
  proxy: Proxy,
  app: { url: string; evidence: () => Promise<string>; stop: () => Promise<void> },
  pkiDir: string,
): Promise<HostileSubject> {
  let server: RunningServer;
  try {
    server = await startProxy(proxy, new URL(app.url).origin, pkiDir);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return {
    port: server.port,
    evidence: app.evidence,
    stop: async () => {
      await server.stop();
      await app.stop();
    },
  };
}

// ---- serve: the kit's reference receiver, in-process as startReceiver ----------------------

async function startServe(
  context: HostileContext,
  mode: "direct" | "behind-proxy",
): Promise<{
  url: string;
  port: number;
  evidence: () => Promise<string>;
  stop: () => Promise<void>;
}> {
  const receiver = await startTestReceiver({
    mode,
    pkiDir: context.pkiDir,
    auth: { scheme: "bearer", token: context.bearerToken },
  });
  return {
    url: receiver.url,
    port: receiver.handle.port,
    evidence: async () =>
      [
        ...receiver.logs.lines,
        JSON.stringify(await receiver.handle.store.list({ limit: 1_000_000 })),
      ].join("\n"),
    stop: receiver.close,
  };
}

// ---- the templates, scaffolded as `init` does and started as their READMEs say -------------

const scaffolded = new Map<TemplateName, Promise<ScaffoldedProject>>();

/** One scaffolded (and for express-ts, installed) copy of each template per test file. */
function project(template: TemplateName): Promise<ScaffoldedProject> {
  let ready = scaffolded.get(template);
  if (!ready) {
    ready =
      template === "express-ts"
        ? installedTemplateCopy(template)
        : template === "node-http"
          ? scaffoldWithPackedKit(template)
          : scaffoldTemplate(template);
    scaffolded.set(template, ready);
  }
  return ready;
}

/** Removes every project scaffolded for the suite. */
export async function removeScaffoldedProjects(): Promise<void> {
  for (const ready of scaffolded.values()) await (await ready.catch(() => null))?.remove();
  scaffolded.clear();
}

function tlsSettings(pkiDir: string): Record<string, string> {
  return {
    TLS_CERT: pkiFile(pkiDir, "server", "pem"),
    TLS_KEY: pkiFile(pkiDir, "server", "key"),
    CLIENT_CA: pkiFile(pkiDir, "ca", "pem"),
  };
}

let databases = 0;

async function startExpressTs(context: HostileContext, behindProxy: boolean) {
  const p = await project("express-ts");
  const dbPath = join(p.root, `hostile-${++databases}.db`);
  const started = await startProject("node", ["dist/src/main.js"], {
    cwd: p.dir,
    env: projectEnv({
      PORT: "0",
      AUTH: "bearer",
      BEARER_TOKEN: context.bearerToken,
      DB_PATH: dbPath,
      ...(behindProxy ? { BEHIND_PROXY: "1" } : tlsSettings(context.pkiDir)),
    }),
  });
  return {
    url: started.url,
    port: Number(new URL(started.url).port),
    evidence: () => evidenceOf(started.output(), dbPath),
    stop: started.stop,
  };
}

async function startNodeHttp(context: HostileContext, behindProxy: boolean) {
  const p = await project("node-http");
  const dbPath = join(p.root, `hostile-${++databases}.db`);
  const started = await startProject("node", ["server.js"], {
    cwd: p.dir,
    env: projectEnv({
      PORT: "0",
      AUTH: "bearer",
      BEARER_TOKEN: context.bearerToken,
      DB_PATH: dbPath,
      ...(behindProxy ? { BEHIND_PROXY: "1" } : tlsSettings(context.pkiDir)),
    }),
  });
  return {
    url: started.url,
    port: Number(new URL(started.url).port),
    evidence: () => evidenceOf(started.output(), dbPath),
    stop: started.stop,
  };
}

/** A Node template's log and its SQLite inbox: a canary in either reached the handler's side. */
async function evidenceOf(output: string, dbPath: string): Promise<string> {
  const store = openStore(dbPath, { readonly: true });
  try {
    return `${output}\n${JSON.stringify(await store.list({ limit: 1_000_000 }))}`;
  } finally {
    await store.close();
  }
}

async function startPythonFlask(context: HostileContext) {
  const p = await project("python-flask");
  const started = await startProject(SYSTEM_PYTHON, ["app.py"], {
    cwd: p.dir,
    env: projectEnv({
      PORT: "0",
      PYTHONDONTWRITEBYTECODE: "1",
      AUTH: "bearer",
      BEARER_TOKEN: context.bearerToken,
    }),
  });
  return { url: started.url, evidence: async () => started.output(), stop: started.stop };
}

const NODE_START_TIMEOUT_MS = 60_000;

export const HOSTILE_RECEIVERS: readonly HostileReceiver[] = [
  {
    name: "serve, direct mTLS",
    requires: [],
    startTimeoutMs: NODE_START_TIMEOUT_MS,
    start: (c) => startServe(c, "direct"),
  },
  {
    name: "serve behind the generated nginx config",
    requires: ["nginx"],
    startTimeoutMs: PROXY_START_TIMEOUT_MS,
    start: async (c) => behind("nginx", await startServe(c, "behind-proxy"), c.pkiDir),
  },
  {
    name: "serve behind the generated Apache config",
    requires: ["apache2"],
    startTimeoutMs: PROXY_START_TIMEOUT_MS,
    start: async (c) => behind("apache", await startServe(c, "behind-proxy"), c.pkiDir),
  },
  {
    name: "express-ts template, direct mTLS",
    requires: [],
    startTimeoutMs: INSTALL_AGAINST_PACKED_KIT_TIMEOUT_MS,
    start: (c) => startExpressTs(c, false),
  },
  {
    name: "node-http template, direct mTLS",
    requires: [],
    startTimeoutMs: NODE_START_TIMEOUT_MS,
    start: (c) => startNodeHttp(c, false),
  },
  {
    name: "node-http template behind the generated nginx config",
    requires: ["nginx"],
    startTimeoutMs: PROXY_START_TIMEOUT_MS,
    start: async (c) => behind("nginx", await startNodeHttp(c, true), c.pkiDir),
  },
  {
    name: "python-flask template behind the generated nginx config",
    requires: ["nginx", "python3-flask", "python3-waitress"],
    startTimeoutMs: PROXY_START_TIMEOUT_MS,
    start: async (c) => behind("nginx", await startPythonFlask(c), c.pkiDir),
  },
  {
    name: "python-flask template behind the generated Apache config",
    requires: ["apache2", "python3-flask", "python3-waitress"],
    startTimeoutMs: PROXY_START_TIMEOUT_MS,
    start: async (c) => behind("apache", await startPythonFlask(c), c.pkiDir),
  },
];
