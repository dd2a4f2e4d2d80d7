import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// A leaf module: it imports nothing from the kit, so the library, the commands and the
// generated-file headers can all learn the package's name, version and files without
// loading the CLI. This file is `src/package-facts.ts` from source and
// `dist/package-facts.js` when installed: one level below the package root either way.

/** The package root, as a file URL ending in `/`. */
export const PACKAGE_ROOT_URL = new URL("../", import.meta.url);

/** The package root as a path. */
export const PACKAGE_ROOT = fileURLToPath(PACKAGE_ROOT_URL);

const manifest = JSON.parse(readFileSync(new URL("package.json", PACKAGE_ROOT_URL), "utf8")) as {
  name: string;
  version: string;
};

/** `netdata-webhook-kit`, from package.json. */
export const PACKAGE_NAME: string = String(manifest.name);
/** The installed version, from package.json. */
export const PACKAGE_VERSION: string = String(manifest.version);

/** The JSON Schemas of the notification kinds (`schemas/`). */
export const SCHEMAS_DIR_URL = new URL("schemas/", PACKAGE_ROOT_URL);
/** The receiver project templates (`templates/`). */
export const TEMPLATES_DIR = fileURLToPath(new URL("templates/", PACKAGE_ROOT_URL));
/** The proxy config templates (`templates/proxy/`). */
export const PROXY_TEMPLATES_DIR_URL = new URL("templates/proxy/", PACKAGE_ROOT_URL);
/** The pinned Netdata Root CA shipped with the package (`certs/netdata-ca.pem`). */
export const BUNDLED_NETDATA_CA_PATH = fileURLToPath(
  new URL("certs/netdata-ca.pem", PACKAGE_ROOT_URL),
);
