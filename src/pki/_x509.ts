// tsyringe, a dependency of @peculiar/x509, needs the Reflect metadata API at import time;
// reflect-metadata is the standard polyfill. Keep this import first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

// Node's own WebCrypto does key generation and signing (native, fast).
x509.cryptoProvider.set(webcrypto);

export { x509 };
