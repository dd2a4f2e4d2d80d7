import { describe, expect, it } from "vitest";
import { TEMPLATES } from "../../src/scaffold/catalogue.js";

// The verify line `init` prints is a new project's first verify: it must watch the receiver
// (--observe-log on the log its run step writes), or its refusals are judged on the wire
// only and the first run ends in a warning.

describe.each(TEMPLATES.map((t) => [t.name, t] as const))("init --template %s", (_, template) => {
  const steps = template.nextSteps("my-receiver").map((line) => line.replace(/\s+#.*$/, ""));
  const verify = steps.find((line) => line.includes("netdata-webhook-kit verify "));

  it("prints a verify line that observes the log its run step writes", () => {
    const log = /--observe-log (\S+)/.exec(verify ?? "")?.[1];
    expect(log, verify).toBeDefined();
    const writer = steps.find((line) => line.endsWith(`| tee ${log}`));
    expect(writer, steps.join("\n")).toBeDefined();
    // The receiver is started before verify runs.
    expect(steps.indexOf(writer ?? "")).toBeLessThan(steps.indexOf(verify ?? ""));
  });
});
