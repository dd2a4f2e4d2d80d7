import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TEMPLATES } from "../../src/scaffold/catalogue.js";

// The verify line `init` prints is a new project's first verify: it must watch the receiver
// (the inbox it writes, or the log its run step writes), or its refusals are judged on the
// wire only and the first run ends in a warning.

describe.each(TEMPLATES.map((t) => [t.name, t] as const))(
  "init --template %s",
  (name, template) => {
    const steps = template.nextSteps("my-receiver").map((line) => line.replace(/\s+#.*$/, ""));
    const verify = steps.find((line) => line.includes("netdata-webhook-kit verify ")) ?? "";

    it("prints a verify line that observes what the receiver it starts writes", () => {
      const log = /--observe-log (\S+)/.exec(verify)?.[1];
      const inbox = /--observe-command '[^']*inbox --db (\S+) --json/.exec(verify)?.[1];
      expect(log ?? inbox, verify).toBeDefined();
      if (log) {
        // The log is the one the run step writes, and the receiver starts before verify.
        const writer = steps.find((line) => line.endsWith(`| tee ${log}`));
        expect(writer, steps.join("\n")).toBeDefined();
        expect(steps.indexOf(writer ?? "")).toBeLessThan(steps.indexOf(verify));
      } else {
        // The inbox is the one the project's dev settings store to.
        const devEnv = readFileSync(
          new URL(`../../templates/${name}/dev.env`, import.meta.url),
          "utf8",
        );
        expect(devEnv).toMatch(new RegExp(`^DB_PATH=${inbox}$`, "m"));
      }
    });
  },
);
