// netdata-webhook-kit/pki: a development PKI (CA, server and client certificates).
export { ensureDevPki } from "../pki/ensure-dev-pki.js";
export type { DevPki, DevPkiEntry, GenerateDevPkiOptions } from "../pki/generate-dev-pki.js";
export { generateDevPki, IncompletePkiError } from "../pki/generate-dev-pki.js";
export type { PkiFilePaths, PkiName } from "../pki/pki-names.js";
export { DEFAULT_PKI_DIR, PKI_NAMES, pkiPaths } from "../pki/pki-names.js";
