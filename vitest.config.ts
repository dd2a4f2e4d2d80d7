import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["test/helpers/global-setup.ts"],
    // Integration tests start real servers on loopback; two cores, so keep forks few.
    pool: "forks",
    maxWorkers: 2,
  },
});
