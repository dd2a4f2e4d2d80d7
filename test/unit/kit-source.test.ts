import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kitSource } from "../../src/scaffold/kit-source.js";

const work = mkdtempSync(join(tmpdir(), "ndwk-kit-source-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A project with the kit installed under node_modules, its lockfile entry resolving to `resolved`. */
function installed(name: string, resolved: string | undefined): string {
  const nodeModules = join(work, name, "node_modules");
  const root = join(nodeModules, "netdata-webhook-kit");
  mkdirSync(join(root, "dist"), { recursive: true });
  const entry = resolved === undefined ? {} : { resolved };
  writeFileSync(
    join(nodeModules, ".package-lock.json"),
    JSON.stringify({ packages: { "node_modules/netdata-webhook-kit": entry } }),
  );
  return root;
}

describe("where the running kit came from", () => {
  it("is the registry when npm's lockfile resolves it to a registry tarball", () => {
    const root = installed(
      "registry",
      "https://registry.npmjs.org/netdata-webhook-kit/-/netdata-webhook-kit-0.1.0.tgz",
    );
    expect(kitSource(root)).toBe("registry");
  });

  it("is local when it was installed from a tarball file", () => {
    expect(kitSource(installed("tarball", "file:../kit.tgz"))).toBe("local");
  });

  it("is local when npm recorded no source", () => {
    expect(kitSource(installed("unknown", undefined))).toBe("local");
  });

  it("is a checkout for this repository", () => {
    expect(kitSource(new URL("../..", import.meta.url).pathname)).toBe("checkout");
  });
});
