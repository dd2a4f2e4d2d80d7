// @ts-check
// Baseline of bench rows 1 and 2: the leanest server that does the receiver's TLS work. Same
// certificate, key and client CA as the receiver, a client certificate required and verified
// (by OpenSSL, the receiver's own CN check left out), TLS 1.2 at least; it reads the body,
// JSON.parses it and answers 200. Started by lib/children.js like receiver-process.js.
import { parseAndAccept, serveLean } from "./_lean-server.js";

/** @type {{ tls: { cert: string, key: string, ca: string } }} */
const config = JSON.parse(process.argv[2] ?? "{}");
serveLean(config.tls, parseAndAccept);
