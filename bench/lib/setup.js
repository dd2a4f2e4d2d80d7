// @ts-check
// What every row shares: a fresh bench/.tmp, the development PKI made by the kit, the secrets,
// and helpers to start the receiver or a baseline server in a child process.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { generateDevPki, pkiPaths } from "../../dist/index.js";
import { startChild } from "./children.js";
import { nextUniqueBody } from "./payloads.js";

export const REPO_DIR = fileURLToPath(new URL("../..", import.meta.url));
export const TMP_DIR = fileURLToPath(new URL("../.tmp", import.meta.url));
const RECEIVER_SCRIPT = fileURLToPath(new URL("../receiver-process.js", import.meta.url));
const BASELINES_DIR = fileURLToPath(new URL("../baselines", import.meta.url));
export const OPENSSL_PKI_SCRIPT = fileURLToPath(
  new URL("../baselines/openssl-pki.sh", import.meta.url),
);
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

/**
 * @typedef {object} BenchContext
 * @property {string} tmp
 * @property {string} pkiDir
 * @property {{ cert: string, key: string, ca: string }} serverTls file paths
 * @property {import("./load.js").TlsClient} clientTls the "client" identity (CN app.netdata.cloud)
 * @property {string} certAndKeyFile client certificate then key, for ab -E
 * @property {string} bodyFile one notification, for ab -p
 * @property {string} bearerToken
 * @property {string} bearerTokenFile
 * @property {string} challengeSecret
 * @property {string} challengeSecretFile
 * @property {string[]} receiverExecArgv node flags for receiver children (the CLI's, --cpu-prof)
 * @property {number} runs measurements per figure
 * @property {number} durationS seconds per load run
 * @property {(message: string) => void} progress
 */

/**
 * @param {{ runs: number, durationS: number, receiverExecArgv: string[],
 *   progress: (message: string) => void }} options
 * @returns {Promise<BenchContext>}
 */
export async function prepare(options) {
  rmSync(TMP_DIR, { recursive: true, force: true });
  await mkdir(TMP_DIR, { recursive: true });
  const pkiDir = `${TMP_DIR}/pki`;
  await generateDevPki({ outDir: pkiDir, force: true });
  const paths = pkiPaths(pkiDir);
  const secretFile = (/** @type {string} */ name, /** @type {string} */ value) => {
    const path = `${TMP_DIR}/${name}`;
    writeFileSync(path, value, { mode: 0o600 });
    return path;
  };
  const bearerToken = randomBytes(24).toString("base64url");
  const challengeSecret = randomBytes(24).toString("base64url");
  const clientCert = readFileSync(paths.client.cert);
  const clientKey = readFileSync(paths.client.key);
  return {
    tmp: TMP_DIR,
    pkiDir,
    serverTls: { cert: paths.server.cert, key: paths.server.key, ca: paths.ca.cert },
    clientTls: { cert: clientCert, key: clientKey, ca: readFileSync(paths.ca.cert) },
    certAndKeyFile: secretFile("client-cert-and-key.pem", `${clientCert}\n${clientKey}`),
    bodyFile: secretFile("body.json", nextUniqueBody()),
    bearerToken,
    bearerTokenFile: secretFile("bearer-token", bearerToken),
    challengeSecret,
    challengeSecretFile: secretFile("challenge-secret", challengeSecret),
    ...options,
  };
}

/**
 * Deletes the receivers' SQLite files (hundreds of MB after a full bench); their logs stay.
 * @param {BenchContext} ctx
 */
export function removeStores(ctx) {
  for (const name of readdirSync(ctx.tmp)) {
    if (/\.db(-wal|-shm)?$/.test(name)) rmSync(`${ctx.tmp}/${name}`, { force: true });
  }
}

let childCount = 0;

/**
 * The reference receiver in a child process: bearer auth, challenge secret, its own SQLite file.
 * @param {BenchContext} ctx
 * @param {{ name: string, db?: string, mode?: "direct" | "behind-proxy", synchronous?: "full" | "off",
 *   execArgv?: string[], forwardUrl?: string, adapter?: "node" }} options node flags on top of
 *   ctx.receiverExecArgv; forwardUrl: forward each notification there through the outbox;
 *   adapter "node": netdataWebhookNode on a node:https server instead of startReceiver
 */
export function startReceiverProcess(ctx, options) {
  childCount += 1;
  const name = `${String(childCount).padStart(2, "0")}-${options.name}`;
  return startChild(
    RECEIVER_SCRIPT,
    {
      mode: options.mode ?? "direct",
      db: options.db ?? `${ctx.tmp}/${name}.db`,
      synchronous: options.synchronous ?? "full",
      tls: ctx.serverTls,
      bearerToken: ctx.bearerToken,
      challengeSecret: ctx.challengeSecret,
      ...(options.forwardUrl ? { forwardUrl: options.forwardUrl } : {}),
      ...(options.adapter ? { adapter: options.adapter } : {}),
    },
    { name, logDir: ctx.tmp, execArgv: [...ctx.receiverExecArgv, ...(options.execArgv ?? [])] },
  );
}

/**
 * A lean server from bench/baselines/ in a child process, with the receiver's TLS files.
 * @param {BenchContext} ctx
 * @param {"raw-https" | "express-helmet"} name
 */
export function startBaselineProcess(ctx, name) {
  childCount += 1;
  return startChild(
    `${BASELINES_DIR}/${name}.js`,
    { tls: ctx.serverTls },
    { name: `${String(childCount).padStart(2, "0")}-${name}`, logDir: ctx.tmp },
  );
}

/**
 * The forwarding target of row 9 (`sink-process.js`): HTTP on 127.0.0.1, answers 204.
 * @param {BenchContext} ctx
 */
export function startSinkProcess(ctx) {
  childCount += 1;
  return startChild(
    fileURLToPath(new URL("../sink-process.js", import.meta.url)),
    {},
    { name: `${String(childCount).padStart(2, "0")}-forward-sink`, logDir: ctx.tmp },
  );
}
