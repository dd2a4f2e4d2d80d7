// Real nginx and Apache for tests: each instance runs in the foreground from a temporary
// prefix (its own config, pid file, logs and temp folders) on a loopback port, never as
// the system service. The site config under test is included from a minimal main config,
// as /etc/nginx/nginx.conf and /etc/apache2/apache2.conf would include it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export type ProxyServerName = "nginx" | "apache2";

/** Debian's folder of Apache modules (package apache2-bin). */
export const APACHE_MODULES_DIR = "/usr/lib/apache2/modules";

/** What a site config needs from Apache beyond the compiled-in core. */
const APACHE_TEST_MODULES = [
  ["mpm_event_module", "mod_mpm_event.so"],
  ["authz_core_module", "mod_authz_core.so"],
  ["alias_module", "mod_alias.so"],
  ["headers_module", "mod_headers.so"],
  ["socache_shmcb_module", "mod_socache_shmcb.so"],
  ["ssl_module", "mod_ssl.so"],
  ["proxy_module", "mod_proxy.so"],
  ["proxy_http_module", "mod_proxy_http.so"],
  // For a config with several --upstream (a balancer://).
  ["slotmem_shm_module", "mod_slotmem_shm.so"],
  ["proxy_balancer_module", "mod_proxy_balancer.so"],
  ["lbmethod_byrequests_module", "mod_lbmethod_byrequests.so"],
] as const;

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServerBinary {
  name: ProxyServerName;
  /** Absolute path, or null when the program is not installed. */
  path: string | null;
  /** Skip the tests that need it: missing, and not under CI=true (where missing fails). */
  skip: boolean;
  /** Shown in the test title: what runs, or why it is skipped. */
  label: string;
}

/** Finds nginx or apache2 on PATH or in /usr/sbin (root's PATH is not everyone's). */
export function findServerBinary(name: ProxyServerName): ServerBinary {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
  const path =
    dirs
      .filter((dir) => dir.length > 0)
      .map((dir) => join(dir, name))
      .find((candidate) => isExecutable(candidate)) ?? null;
  const ci = process.env.CI === "true";
  const skip = path === null && !ci;
  const label =
    path !== null
      ? `real ${name}`
      : ci
        ? `${name} is missing and CI=true: these tests fail until .ci/run installs it`
        : `skipped: ${name} is not installed (apt-get install ${name === "nginx" ? "nginx" : "apache2"}; .ci/run does it)`;
  return { name, path, skip, label };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function requireBinary(name: ProxyServerName): string {
  const { path } = findServerBinary(name);
  if (path === null) throw new Error(`${name} is not installed; .ci/run installs it`);
  return path;
}

/** A site config, or a function that renders one for a port the helper picked. */
export type SiteConfig = string | ((port: number) => string);

export interface RunningServer {
  port: number;
  /** The temporary prefix: main config, site config, logs. */
  prefix: string;
  /** The error log so far (nginx error.log, Apache ErrorLog). */
  errorLog: () => Promise<string>;
  stop: () => Promise<void>;
}

export interface ConfigCheck {
  ok: boolean;
  /** What `nginx -t` / `apache2 -t` printed. */
  output: string;
}

/** `nginx -t` on a site config wrapped in a minimal main config. */
export async function checkNginxConfig(site: string): Promise<ConfigCheck> {
  const prefix = await writeNginxPrefix(site);
  try {
    return await runCheck(requireBinary("nginx"), [...nginxArgs(prefix), "-t"]);
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

/** `apache2 -t` on a site config wrapped in a minimal main config. */
export async function checkApacheConfig(site: string): Promise<ConfigCheck> {
  const prefix = await writeApachePrefix(site);
  try {
    return await runCheck(requireBinary("apache2"), [...apacheArgs(prefix), "-t"]);
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

/** Starts nginx in the foreground with the site config; resolves once its port accepts. */
export function startNginx(site: SiteConfig): Promise<RunningServer> {
  return startWithPort(site, async (text, port) => {
    const prefix = await writeNginxPrefix(text);
    return launch(requireBinary("nginx"), nginxArgs(prefix), prefix, port, "error.log");
  });
}

/** Starts Apache in the foreground with the site config; resolves once its port accepts. */
export function startApache(site: SiteConfig): Promise<RunningServer> {
  return startWithPort(site, async (text, port) => {
    const prefix = await writeApachePrefix(text);
    return launch(requireBinary("apache2"), apacheArgs(prefix), prefix, port, "error.log");
  });
}

function nginxArgs(prefix: string): string[] {
  return ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", join(prefix, "error.log")];
}

function apacheArgs(prefix: string): string[] {
  return ["-d", prefix, "-f", join(prefix, "apache2.conf"), "-DFOREGROUND"];
}

async function writeNginxPrefix(site: string): Promise<string> {
  const prefix = await mkdtemp(join(tmpdir(), "ndwk-nginx-"));
  await mkdir(join(prefix, "temp"));
  await writeFile(join(prefix, "site.conf"), site);
  const temp = (kind: string) => `    ${kind}_temp_path ${join(prefix, "temp", kind)};`;
  const main = [
    "# Test wrapper: what /etc/nginx/nginx.conf provides around a conf.d/ site file.",
    "daemon off;",
    "master_process on;",
    "worker_processes 1;",
    // The tests run as root; workers stay root so they can use the temporary prefix.
    "user root;",
    `pid ${join(prefix, "nginx.pid")};`,
    `error_log ${join(prefix, "error.log")} info;`,
    "events { worker_connections 256; }",
    "http {",
    `    access_log ${join(prefix, "access.log")};`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp),
    `    include ${join(prefix, "site.conf")};`,
    "}",
    "",
  ].join("\n");
  await writeFile(join(prefix, "nginx.conf"), main);
  return prefix;
}

async function writeApachePrefix(site: string): Promise<string> {
  const prefix = await mkdtemp(join(tmpdir(), "ndwk-apache-"));
  await writeFile(join(prefix, "site.conf"), site);
  const main = [
    "# Test wrapper: what /etc/apache2/apache2.conf and mods-enabled/ provide around a site.",
    `ServerRoot "${prefix}"`,
    `DefaultRuntimeDir "${prefix}"`,
    `PidFile "${join(prefix, "apache2.pid")}"`,
    `ErrorLog "${join(prefix, "error.log")}"`,
    "LogLevel info",
    "ServerName localhost",
    "User www-data",
    "Group www-data",
    ...APACHE_TEST_MODULES.map(
      ([id, file]) => `LoadModule ${id} ${join(APACHE_MODULES_DIR, file)}`,
    ),
    `SSLSessionCache "shmcb:${join(prefix, "ssl_scache")}(512000)"`,
    "# Debian's conf-enabled/security.conf, included before sites-enabled/.",
    "ServerTokens OS",
    "ServerSignature On",
    "TraceEnable On",
    "# Debian's default: nothing outside a configured site is served.",
    "<Directory />",
    "    AllowOverride None",
    "    Require all denied",
    "</Directory>",
    `Include "${join(prefix, "site.conf")}"`,
    "",
  ].join("\n");
  await writeFile(join(prefix, "apache2.conf"), main);
  return prefix;
}

function runCheck(binary: string, args: string[]): Promise<ConfigCheck> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: START_TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Picks a free loopback port when the site is a function; retries if another process took it. */
async function startWithPort(
  site: SiteConfig,
  start: (text: string, port: number) => Promise<RunningServer>,
): Promise<RunningServer> {
  if (typeof site === "string") return start(site, portFromSite(site));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await start(site(port), port);
    } catch (error) {
      lastError = error;
      if (!/Address already in use|could not bind/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

/** The port of a site's first `listen 127.0.0.1:N` (nginx) or `Listen 127.0.0.1:N` (Apache). */
function portFromSite(site: string): number {
  const match = /^\s*listen\s+(?:\S+:)?(\d+)\b/im.exec(site);
  if (!match) throw new Error("the site config has no listen directive with a port");
  return Number(match[1]);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function launch(
  binary: string,
  args: string[],
  prefix: string,
  port: number,
  errorLogName: string,
): Promise<RunningServer> {
  const errorLog = () => readFile(join(prefix, errorLogName), "utf8").catch(() => "");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    await stopChild(child);
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
  } catch (error) {
    await stopChild(child);
    const log = await errorLog();
    await rm(prefix, { recursive: true, force: true });
    throw new Error(`failed to start ${binary}: ${(error as Error).message}\n${output}\n${log}`);
  }
  return { port, prefix, errorLog, stop };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode} before listening`);
    }
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not accept connections within ${START_TIMEOUT_MS} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** SIGTERM (nginx and Apache stop at once on it, as do the templates), SIGKILL if it lingers. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
