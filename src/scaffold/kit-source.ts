import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Where the running kit came from: `registry` when npm installed it from a registry (its
 * lockfile entry resolves to a registry tarball), `checkout` for a source checkout, `local`
 * for anything else (a tarball, a link, a copy). Only a registry install can be named by a
 * version range in a new project; the others have to be packed into it.
 */
export type KitSource = "registry" | "checkout" | "local";

const PACKAGE_NAME = "netdata-webhook-kit";

export function kitSource(root: string): KitSource {
  if (existsSync(join(root, ".git")) || existsSync(join(root, "src"))) return "checkout";
  const parent = dirname(root);
  const nodeModules = basename(root) === PACKAGE_NAME ? parent : undefined;
  if (nodeModules === undefined || basename(nodeModules) !== "node_modules") return "local";
  // npm writes node_modules/.package-lock.json on every install (npx's cache included).
  let resolved: unknown;
  try {
    const lock = JSON.parse(readFileSync(join(nodeModules, ".package-lock.json"), "utf8"));
    resolved = lock?.packages?.[`node_modules/${PACKAGE_NAME}`]?.resolved;
  } catch {
    return "local";
  }
  const fromRegistry =
    typeof resolved === "string" &&
    /^https?:\/\//.test(resolved) &&
    resolved.includes(`/${PACKAGE_NAME}/-/${PACKAGE_NAME}-`);
  return fromRegistry ? "registry" : "local";
}
