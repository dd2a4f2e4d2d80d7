// @ts-check
// The forwarding target of bench row 9: a plain HTTP server on 127.0.0.1 that reads each POST
// and answers 204, counting what it got (IPC "count"). Started by lib/children.js.
import * as http from "node:http";

const send = (/** @type {Record<string, unknown>} */ message) => process.send?.(message);
let received = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received += 1;
    res.writeHead(204).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  send({ type: "ready", url: `http://127.0.0.1:${address.port}/sink` });
});
process.on("message", (/** @type {any} */ message) => {
  if (message?.type === "count") send({ type: "count", count: received });
  if (message?.type === "stop") {
    server.closeAllConnections();
    server.close(() => process.disconnect());
  }
});
process.once("disconnect", () => server.close());
