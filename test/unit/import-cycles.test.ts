// No module of src/ may reach itself again through its imports, type-only imports included:
// a type cycle is a design cycle (two modules that each need the other's concepts) even
// though the compiler erases it. Reads the TypeScript sources, so it sees what dist/ cannot.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findImportCycles, importsOf } from "../helpers/import-graph.js";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("import graph of src/", () => {
  it("reads static, type-only and re-export imports", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'export * from "./c.js";',
      "export type { D } from './d.js';",
      'import {\n  e,\n  type F,\n} from "./e.js";',
      'const lazy = await import("./lazy.js");',
      'import { readFileSync } from "node:fs";',
    ].join("\n");
    expect(importsOf(text)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js", "./e.js", "node:fs"]);
  });

  it("finds a cycle made only of type imports", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(findImportCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("has no import cycle in src/, type-only imports included", () => {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(SRC)) {
      const targets = importsOf(readFileSync(file, "utf8"))
        .filter((spec) => spec.startsWith("."))
        .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      graph.set(file, targets);
    }
    const cycles = findImportCycles(graph).map((cycle) =>
      cycle.map((file) => relative(SRC, file)).join(" -> "),
    );
    expect(cycles).toEqual([]);
  });
});
