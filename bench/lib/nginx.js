// @ts-check
// nginx with the kit's generated site config (renderProxyConfig), in the foreground from a
// temporary prefix on a loopback port, never as the system service. The main config around
// the site is Debian's stock /etc/nginx/nginx.conf reduced to what matters here.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { renderProxyConfig } from "../../dist/index.js";

const START_TIMEOUT_MS = 15_000;

/**
 * @param {{ nginx: string, prefix: string, upstream: string,
 *   tls: { cert: string, key: string, ca: string } }} options
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startNginx(options) {
  const { prefix } = options;
  mkdirSync(join(prefix, "temp"), { recursive: true });
  const port = await freeLoopbackPort();
  const site = renderProxyConfig("nginx", {
    serverName: "localhost",
    cert: options.tls.cert,
    key: options.tls.key,
    clientCa: options.tls.ca,
    upstream: options.upstream,
    listen: `127.0.0.1:${port}`,
  });
  writeFileSync(join(prefix, "site.conf"), site);
  writeFileSync(join(prefix, "nginx.conf"), mainConfig(prefix));
  const errorLog = join(prefix, "error.log");
  const child = spawn(
    options.nginx,
    ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", errorLog],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      const log = readFileSync(errorLog, "utf8");
      throw new Error(`failed to start nginx: ${stderr.trim()}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `https://127.0.0.1:${port}/webhooks/netdata`,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** @param {string} prefix */
function mainConfig(prefix) {
  const temp = (/** @type {string} */ kind) =>
    `    ${kind}_temp_path ${join(prefix, "temp", kind)};`;
  return [
    "# bench wrapper: what Debian's /etc/nginx/nginx.conf provides around a conf.d/ site file.",
    "daemon off;",
    "worker_processes auto;",
    // As root, workers would switch to nobody, who cannot use the temporary prefix.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    `pid ${join(prefix, "nginx.pid")};`,
    `error_log ${join(prefix, "error.log")} warn;`,
    "events { worker_connections 768; }",
    "http {",
    "    sendfile on;",
    "    tcp_nopush on;",
    `    access_log ${join(prefix, "access.log")};`,
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp),
    `    include ${join(prefix, "site.conf")};`,
    "}",
    "",
  ].join("\n");
}

/** @returns {Promise<number>} */
function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** @param {number} port @returns {Promise<boolean>} */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
