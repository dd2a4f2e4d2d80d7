import type { CheckContext, CheckDefinition, DeliveryOverrides, Verdict } from "../check.js";
import { fail, pass, skip } from "../check.js";
import type { Outcome } from "../http-client.js";
import { is4xx, isSuccess } from "../outcome-classify.js";
import { judgeRefusals } from "./_control.js";
import { inTurn, type Labelled, listBriefly, misses } from "./_expect.js";

/** 4 MiB: about a thousand times a real notification, above any sensible body limit. */
export const OVERSIZED_BODY_BYTES = 4 * 1024 * 1024;

type Variant = [label: string, overrides: DeliveryOverrides];

/** The same notification as Netdata sends it: what every refusal is judged against. */
export async function controlDelivery(ctx: CheckContext): Promise<Labelled> {
  const label = "control, a valid notification";
  return { label, outcome: await ctx.deliver(ctx.probePayload(), { label }) };
}

/**
 * Sends the control, then the probe payload once per variant, and requires `ok` of every
 * answer; a refusal counts only when the control was accepted.
 */
function variantCheck(
  ctx: CheckContext,
  variants: Variant[],
  ok: (outcome: Outcome) => boolean,
  cause: string,
): Promise<Verdict> {
  return guardedRun(ctx, async () => {
    const reference = await controlDelivery(ctx);
    const results = await inTurn(variants, async ([label, overrides]) => ({
      label,
      outcome: await ctx.deliver(ctx.canaryPayload(label), { label, ...overrides }),
    }));
    return judgeRefusals(results, reference, { ok, cause, layer: "http" });
  });
}

async function guardedRun(ctx: CheckContext, body: () => Promise<Verdict>): Promise<Verdict> {
  const blocked = await ctx.deliveryBlocker();
  return blocked ? skip(blocked) : body();
}

export const rejectsInvalidJson: CheckDefinition = {
  id: "input.rejects-invalid-json",
  title: "invalid JSON: 4xx, and the receiver still answers",
  level: "recommended",
  fix: 'Catch JSON parse errors and answer 400 {"error": ...} (Express: an error handler for entity.parse.failed); never 500.',
  run: (ctx) =>
    guardedRun(ctx, async () => {
      const reference = await controlDelivery(ctx);
      const label = "truncated JSON";
      const invalid = await ctx.deliver(ctx.probePayload(), {
        label,
        body: '{"message": "truncated',
      });
      const verdict = judgeRefusals([{ label, outcome: invalid }], reference, {
        ok: is4xx,
        cause: "invalid JSON was not answered with a 4xx.",
        layer: "http",
      });
      if (verdict.status !== "pass") return verdict;
      const after = await ctx.deliver(ctx.probePayload(), {
        label: "a valid notification afterwards",
      });
      const down = misses(
        [{ label: "a valid notification afterwards", outcome: after }],
        isSuccess,
      );
      if (down.length > 0)
        return fail(listBriefly(down), "the receiver stopped answering after invalid JSON.");
      return pass("truncated JSON refused; the control and the next notification accepted");
    }),
};

export const rejectsWrongContentType: CheckDefinition = {
  id: "input.rejects-wrong-content-type",
  title: "a body that is not application/json: 4xx",
  level: "recommended",
  fix: "Answer 415 when Content-Type is not application/json (Express's json() skips such bodies silently).",
  run: (ctx) =>
    variantCheck(
      ctx,
      [
        ["Content-Type: text/plain", { headers: { "content-type": "text/plain" } }],
        [
          "Content-Type: application/x-www-form-urlencoded",
          { headers: { "content-type": "application/x-www-form-urlencoded" } },
        ],
      ],
      is4xx,
      "a body with the wrong Content-Type was accepted or crashed the receiver.",
    ),
};

export const rejectsEmptyBody: CheckDefinition = {
  id: "input.rejects-empty-body",
  title: "an empty body (0 bytes) and an empty JSON object {}: 4xx",
  level: "recommended",
  fix: "Validate the parsed body: neither an empty body (which Express parses to {}) nor an empty JSON object {} is a notification; answer 400 or 422.",
  run: (ctx) =>
    variantCheck(
      ctx,
      [
        ["an empty body (0 bytes)", { body: "" }],
        ["{} (an empty JSON object)", { body: "{}" }],
      ],
      is4xx,
      "an empty body or an empty JSON object {} was accepted or crashed the receiver.",
    ),
};

export const rejectsOversizedBody: CheckDefinition = {
  id: "input.rejects-oversized-body",
  title: `a ${OVERSIZED_BODY_BYTES / 1024 / 1024} MiB body: 4xx or closed, never a hang`,
  level: "recommended",
  fix: "Limit the body size (1 MiB is ample; Express json({ limit }), nginx client_max_body_size) and answer 413.",
  run: (ctx) => {
    const label = `${OVERSIZED_BODY_BYTES} byte valid notification`;
    const payload = JSON.parse(ctx.canaryPayload(label).body) as Record<string, unknown>;
    payload.padding = "x".repeat(OVERSIZED_BODY_BYTES);
    const refusedOrClosed = (o: Outcome) => is4xx(o) || o.kind === "refused";
    return variantCheck(
      ctx,
      [[label, { body: JSON.stringify(payload) }]],
      refusedOrClosed,
      "an oversized body was stored, crashed the receiver or hung the connection.",
    );
  },
};

export const rejectsWrongMethod: CheckDefinition = {
  id: "input.rejects-wrong-method",
  title: "PUT and DELETE: 4xx",
  level: "recommended",
  fix: "Route only POST (and GET for the CRC challenge); answer 405 with Allow: GET, POST otherwise.",
  run: (ctx) =>
    variantCheck(
      ctx,
      [
        ["PUT", { method: "PUT" }],
        ["DELETE", { method: "DELETE" }],
      ],
      is4xx,
      "a PUT or DELETE was not refused with a 4xx.",
    ),
};

export const INPUT_CHECKS = [
  rejectsInvalidJson,
  rejectsWrongContentType,
  rejectsEmptyBody,
  rejectsOversizedBody,
  rejectsWrongMethod,
];
