// A plain-HTTP receiver (as behind a TLS proxy) that accepts the first notification it is
// sent and then refuses every request with 401: verify's baseline gets through, and every
// control sent afterwards is refused, so no refusal proves anything.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RefusingReceiver {
  url: string;
  close(): Promise<void>;
}

export async function startReceiverThatRefusesAfterOne(): Promise<RefusingReceiver> {
  let accepted = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const first = req.method === "POST" && accepted === 0;
      if (first) accepted += 1;
      res.writeHead(first ? 200 : 401, {
        "content-type": "application/json",
        ...(first ? {} : { "www-authenticate": "Bearer" }),
      });
      res.end(first ? '{"ok":true}' : '{"error":"unauthorized"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/netdata`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
