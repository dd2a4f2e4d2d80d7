// One request on a fresh TLS connection, written at once: for TLS 1.3 the request leaves in
// the same flight as the client's certificate and Finished, before the server has looked
// at the certificate. That is the order a careless receiver gets wrong.
import { readFileSync } from "node:fs";
import * as tls from "node:tls";
import type { PkiName } from "../../../src/pki/pki-names.js";
import { pkiFile } from "../../helpers/pki.js";

export interface Exchange {
  /** The HTTP status, or null when the connection closed without an answer. */
  status: number | null;
  /** The body after the header block, as UTF-8. */
  body: string;
  /** Everything the server sent, as latin1 text. */
  raw: string;
}

/** How long one exchange may take before the client gives up on it. */
const EXCHANGE_TIMEOUT_MS = 10_000;

export function tlsExchange(options: {
  port: number;
  pkiDir: string;
  /** The dev PKI identity presented; null for none. */
  client: PkiName | null;
  request: Buffer;
  /** Only TLS 1.3, so that the request really rides behind the certificate. */
  tls13Only?: boolean;
}): Promise<Exchange> {
  const ca = readFileSync(pkiFile(options.pkiDir, "ca", "pem"));
  const identity =
    options.client === null
      ? {}
      : {
          cert: readFileSync(pkiFile(options.pkiDir, options.client, "pem")),
          key: readFileSync(pkiFile(options.pkiDir, options.client, "key")),
        };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = tls.connect({
      host: "127.0.0.1",
      port: options.port,
      servername: "localhost",
      ca,
      ...identity,
      ...(options.tls13Only ? { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } : {}),
    });
    // Written now, not on secureConnect: Node sends it the moment its side of the handshake
    // is done, which in TLS 1.3 is before the server has verified the certificate.
    socket.write(options.request);
    const timer = setTimeout(() => finish(), EXCHANGE_TIMEOUT_MS);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const text = raw.toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
      const split = raw.indexOf("\r\n\r\n");
      resolve({
        status: status ? Number(status[1]) : null,
        body: split >= 0 ? raw.subarray(split + 4).toString("utf8") : "",
        raw: text,
      });
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // A whole answer (headers and Content-Length bytes of body) ends the exchange: a
      // server that keeps the connection open is not waited for.
      if (responseComplete(Buffer.concat(chunks))) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
  });
}

/** True once `raw` holds a status line, the header block and the Content-Length body. */
function responseComplete(raw: Buffer): boolean {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) return false;
  const head = raw.subarray(0, split).toString("latin1");
  if (!/^HTTP\/1\.[01] \d{3} /.test(head)) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  return length !== null && raw.length - (split + 4) >= Number(length[1]);
}
