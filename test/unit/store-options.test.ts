// The store options that exist for `npm run bench` and the receiver's memory: durability can
// be switched off only on request, and the page cache stays at SQLite's 2 MB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openStore, STORE_CACHE_SIZE_KIB } from "../../src/receiver/store.js";
import type { NotificationStore } from "../../src/receiver/store-types.js";

let dir: string;
let path: string;
const open: NotificationStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ndwk-store-options-"));
  path = join(dir, "inbox.db");
});
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function openWith(options: Parameters<typeof openStore>[1]): NotificationStore {
  const store = openStore(path, options);
  open.push(store);
  return store;
}

describe("openStore options", () => {
  it("is durable (synchronous=FULL) unless told otherwise", () => {
    expect(openWith({}).describe().durability).toContain("synchronous=full");
    expect(openWith({ synchronous: "full" }).describe().durability).toContain("synchronous=full");
  });

  it("turns fsync off only when synchronous is 'off'", () => {
    expect(openWith({ synchronous: "off" }).describe().durability).toContain("synchronous=off");
  });

  it("rejects a synchronous value other than 'full' or 'off', naming the option", () => {
    expect(() => openStore(path, { synchronous: "normal" as "full" })).toThrow(
      /openStore: synchronous: expected "full" or "off", got "normal"/,
    );
  });

  it("sets SQLite's 2 MB page cache instead of better-sqlite3's 16 MB", () => {
    const pragma = vi.spyOn(Database.prototype, "pragma");
    try {
      openWith({});
      expect(pragma).toHaveBeenCalledWith(`cache_size = -${STORE_CACHE_SIZE_KIB}`);
      expect(STORE_CACHE_SIZE_KIB).toBe(2000);
    } finally {
      pragma.mockRestore();
    }
  });
});
