// The helper that turns documented shell blocks into a script on free ports.
import { describe, expect, it } from "vitest";
import { shellScript } from "../helpers/shell-script.js";

describe("shellScript", () => {
  it("maps each documented port once, even when a free port holds another documented port", () => {
    const script = shellScript(["curl http://127.0.0.1:8080/ --resolve x:8443:127.0.0.1"], {
      "8443": 35557,
      "8080": 38443,
    });
    expect(script).toContain("curl http://127.0.0.1:38443/ --resolve x:35557:127.0.0.1");
    expect(script).not.toContain("335557");
  });

  it("leaves a longer number that merely contains a documented port alone", () => {
    expect(shellScript(["echo 18080"], { "8080": 40000 })).toContain("echo 18080");
  });
});
