// A real HTTP server to forward to: records every request (arrival time, headers, body) and
// answers as the test says (a status, or never).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface SinkRequest {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SinkServer {
  url: string;
  requests: SinkRequest[];
  /** How to answer request number `n` (0-based): a status code, or "hang" to never answer. */
  answer: (n: number, request: SinkRequest) => number | "hang";
  close: () => Promise<void>;
}

export async function startSinkServer(
  answer: SinkServer["answer"] = () => 200,
): Promise<SinkServer> {
  const requests: SinkRequest[] = [];
  const sink = { requests, answer } as SinkServer;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        at: Date.now(),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      const n = requests.push(request) - 1;
      const status = sink.answer(n, request);
      if (status === "hang") return;
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
  sink.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}

/** Waits (polling) until `condition` holds; fails with `what` after `timeoutMs`. Not a timing check. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
