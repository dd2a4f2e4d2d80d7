// @ts-check
// The two load generators. autocannon keeps connections open (keep-alive) and sends a new
// unique body with every request; ab (Debian's apache2-utils) opens a new connection, with a
// full TLS handshake, for every request and can only send one body file.
import { execFile } from "node:child_process";
// @ts-expect-error autocannon ships no type declarations
import autocannon from "autocannon";
import { nextUniqueBody } from "./payloads.js";

/**
 * @typedef {object} LoadResult
 * @property {number} rps answers with a 2xx status per second
 * @property {number} ok 2xx answers
 * @property {number} bad other answers, connection errors and timeouts
 * @property {number} p50Ms latency median of the 2xx answers
 * @property {number} p99Ms
 * @property {number} durationS
 */

/**
 * @typedef {object} TlsClient
 * @property {Buffer} cert
 * @property {Buffer} key
 * @property {Buffer} ca
 */

/**
 * POSTs unique notifications over kept-alive connections, for `durationS` seconds or until
 * `amount` answers.
 * @param {{ url: string, bearerToken: string, tls: TlsClient, connections: number,
 *   durationS?: number, amount?: number }} options
 * @returns {Promise<LoadResult>}
 */
export function keepAliveLoad(options) {
  const { url, bearerToken, tls, connections } = options;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.durationS ?? 5 }),
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${bearerToken}` },
        // Passed through to tls.connect for every connection.
        tlsOptions: { cert: tls.cert, key: tls.key, ca: tls.ca },
        requests: [
          {
            setupRequest: (/** @type {Record<string, unknown>} */ request) => ({
              ...request,
              body: nextUniqueBody(),
            }),
          },
        ],
      },
      (/** @type {Error | null} */ error, /** @type {any} */ result) => {
        if (error) return reject(error);
        const ok = result["2xx"];
        const bad = result.non2xx + result.errors + result.timeouts;
        const durationS = result.duration;
        resolve({
          rps: ok / durationS,
          ok,
          bad,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          durationS,
        });
      },
    );
  });
}

/**
 * ab: one body file, a new TCP connection and TLS handshake per request (no -k), for
 * `durationS` seconds. `-l`: the receiver's answer to a repeated body adds `"duplicate":true`,
 * which ab would otherwise count as a failure for its different length.
 * @param {{ url: string, bearerToken: string, certAndKeyFile: string, bodyFile: string,
 *   concurrency: number, durationS: number }} options
 * @returns {Promise<LoadResult & { protocol: string }>}
 */
export function handshakePerRequestLoad(options) {
  const args = [
    "-q",
    "-l",
    "-t",
    String(options.durationS),
    // After -t, which would cap it at 50,000.
    "-n",
    "10000000",
    "-c",
    String(options.concurrency),
    "-E",
    options.certAndKeyFile,
    "-p",
    options.bodyFile,
    "-T",
    "application/json",
    "-H",
    `Authorization: Bearer ${options.bearerToken}`,
    options.url,
  ];
  return new Promise((resolve, reject) => {
    execFile("ab", args, { timeout: (options.durationS + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`failed to run ab: ${error.message}\n${stderr}`));
      try {
        resolve(parseAb(stdout));
      } catch (parseError) {
        reject(new Error(`failed to read ab's output: ${String(parseError)}\n${stdout}`));
      }
    });
  });
}

/** @param {string} output */
function parseAb(output) {
  /** @param {RegExp} pattern */
  const number = (pattern) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`no match for ${pattern}`);
    return Number(match[1]);
  };
  const complete = number(/^Complete requests:\s+(\d+)/m);
  const failed = number(/^Failed requests:\s+(\d+)/m);
  const non2xx = /^Non-2xx responses:\s+(\d+)/m.test(output)
    ? number(/^Non-2xx responses:\s+(\d+)/m)
    : 0;
  const durationS = number(/^Time taken for tests:\s+([\d.]+) seconds/m);
  const ok = complete - failed - non2xx;
  return {
    rps: ok / durationS,
    ok,
    bad: failed + non2xx,
    p50Ms: number(/^\s+50%\s+(\d+)/m),
    p99Ms: number(/^\s+99%\s+(\d+)/m),
    durationS,
    protocol: /^SSL\/TLS Protocol:\s+(\S+)/m.exec(output)?.[1] ?? "unknown",
  };
}
