import type { CheckDefinition } from "../check.js";
import { fail, notApplicable, pass, skip } from "../check.js";
import { describeOutcome, isSuccess } from "../outcome-classify.js";
import { misses, refusalNotAboutPayload } from "./_expect.js";

export const acceptsTestNotification: CheckDefinition = {
  id: "verification.accepts-test-notification",
  title: "the test notification gets a 2xx",
  level: "required",
  fix: "Accept {message, title, token} with a 2xx and show the token to the operator (log line, inbox): it must be copied into the Netdata UI, or the integration cannot be saved.",
  run: async (ctx) => {
    if (ctx.options.profile === "legacy-crc") {
      return notApplicable("--profile legacy-crc: the test notification is not tested");
    }
    const blocked = await ctx.deliveryBlocker();
    if (blocked) return skip(blocked);
    const payload = ctx.payloads.test();
    const outcome = await ctx.deliver(payload);
    if (isSuccess(outcome)) return pass(`${describeOutcome(outcome)} in ${outcome.latencyMs} ms`);
    const results = [{ label: payload.label, outcome }];
    const [miss] = misses(results, isSuccess);
    const other = refusalNotAboutPayload(results, isSuccess);
    if (other) return fail(miss ?? describeOutcome(outcome), other.cause, other.fix, other.causeId);
    return fail(miss ?? describeOutcome(outcome), "the receiver refused the test notification.");
  },
};
