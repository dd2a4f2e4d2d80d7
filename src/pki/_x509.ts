// The polyfill must run before @peculiar/x509 loads: keep this import first.
import "./_reflect-metadata.js";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// Node's own WebCrypto does key generation and signing (native, fast).
x509.cryptoProvider.set(webcrypto);

export { x509 };
