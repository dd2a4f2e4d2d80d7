// @ts-check
// What the baseline servers share: the receiver's TLS setup without the receiver, and the
// least a webhook endpoint can do with a request (read the body, JSON.parse it, answer 200).
import { readFileSync } from "node:fs";
import { createServer } from "node:https";

const ACCEPTED = JSON.stringify({ status: "accepted" });

/**
 * Reads the body, parses it, answers 200 (or 400 when it is not JSON).
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 */
export function parseAndAccept(req, res) {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on("data", (/** @type {Buffer} */ chunk) => chunks.push(chunk));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(ACCEPTED);
  });
}

/**
 * An HTTPS server with the receiver's certificate, key and client CA: a client certificate
 * is required and verified (by OpenSSL; no CN check), TLS 1.2 at least. Listens on a free
 * loopback port and reports `{ type: "ready", url }` to the parent; stops on `{ type: "stop" }`
 * or when the parent goes away.
 * @param {{ cert: string, key: string, ca: string }} tls file paths
 * @param {import("node:http").RequestListener} handler
 */
export function serveLean(tls, handler) {
  const server = createServer(
    {
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ca: readFileSync(tls.ca),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
    },
    handler,
  );
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.send?.({ type: "ready", url: `https://127.0.0.1:${port}/webhooks/netdata` });
  });
  const stop = () => {
    server.close(() => {
      if (process.connected) process.disconnect();
    });
    server.closeAllConnections();
  };
  // The bench process went away (Ctrl-C, a crash): stop too rather than linger.
  process.once("disconnect", stop);
  process.on("message", (/** @type {any} */ message) => {
    if (message?.type === "stop") stop();
  });
}
