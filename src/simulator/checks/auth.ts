import { type AuthConfig, authorizationHeaderFor } from "../../protocol/auth.js";
import type { CheckContext, CheckDefinition, Verdict } from "../check.js";
import { fail, pass, skip } from "../check.js";
import type { Outcome } from "../http-client.js";
import { describeOutcome, is4xx, isSuccess } from "../outcome-classify.js";
import { inTurn, type Labelled, listBriefly, misses, tally } from "./_expect.js";

const DENIED = (outcome: Outcome) =>
  outcome.kind === "response" && (outcome.status === 401 || outcome.status === 403);
const CHECK_CREDENTIALS_FIX =
  "Compare the whole Authorization header with the configured credentials (constant-time), and answer 401 with WWW-Authenticate when it is missing or wrong.";

/** The Authorization values the malformed-header check sends (all must get a 4xx). */
function malformedHeaders(valid: string): Array<[label: string, value: string | string[]]> {
  return [
    ["Bearer without a token", "Bearer"],
    ["Basic without credentials", "Basic"],
    ["Bearer with spaces in the token", "Bearer a b c"],
    ["Basic that is not base64", "Basic %%%not-base64%%%"],
    ["Basic without a colon", `Basic ${Buffer.from("no-colon").toString("base64")}`],
    ["an 8 KiB Bearer token", `Bearer ${"A".repeat(8192)}`],
    ["two Authorization headers", [valid, "Bearer wrong-token"]],
  ];
}

function wrongCredentials(auth: Exclude<AuthConfig, { scheme: "none" }>): AuthConfig[] {
  if (auth.scheme === "bearer") return [{ scheme: "bearer", token: `${auth.token}x` }];
  return [
    { ...auth, password: `${auth.password}x` },
    { ...auth, username: `${auth.username}x` },
  ];
}

function wrongLabel(auth: AuthConfig, wrong: AuthConfig): string {
  if (auth.scheme === "basic" && wrong.scheme === "basic" && wrong.username !== auth.username) {
    return "wrong user";
  }
  return auth.scheme === "basic" ? "wrong password" : "wrong token";
}

async function guarded(
  ctx: CheckContext,
  body: (auth: Exclude<AuthConfig, { scheme: "none" }>) => Promise<Verdict>,
): Promise<Verdict> {
  const blocked = await ctx.deliveryBlocker();
  if (blocked) return skip(blocked);
  const { auth } = ctx.options;
  if (auth.scheme === "none") return skip("--auth none: no credentials to check");
  return body(auth);
}

function expectAll(
  results: Labelled[],
  ok: (o: Outcome) => boolean,
  want: string,
  cause: string,
): Verdict {
  const bad = misses(results, ok);
  if (bad.length === 0) return pass(`${want}: ${tally(results)}`);
  return fail(listBriefly(bad), cause);
}

export const acceptsValid: CheckDefinition = {
  id: "auth.accepts-valid",
  title: "the configured credentials are accepted",
  level: "required",
  fix: "Give verify the credentials configured in the receiver (--auth, --bearer-token-file, --basic-user, --basic-password-file), and check the receiver compares them exactly.",
  run: async (ctx) => {
    const blocked = await ctx.deliveryBlocker();
    if (blocked) return skip(blocked);
    const outcome = await ctx.deliver(ctx.probePayload());
    if (isSuccess(outcome)) return pass(`${ctx.options.auth.scheme}: ${describeOutcome(outcome)}`);
    return fail(
      describeOutcome(outcome),
      `the receiver did not accept a notification with ${ctx.options.auth.scheme} credentials.`,
    );
  },
};

export const rejectsMissing: CheckDefinition = {
  id: "auth.rejects-missing",
  title: "no Authorization header: 401 or 403",
  level: "required",
  fix: CHECK_CREDENTIALS_FIX,
  run: (ctx) =>
    guarded(ctx, async () => {
      const outcome = await ctx.deliver(ctx.probePayload(), {
        label: "no Authorization header",
        headers: { authorization: [] },
      });
      const results = [{ label: "no Authorization header", outcome }];
      return expectAll(
        results,
        DENIED,
        "denied",
        "a notification without credentials was not denied.",
      );
    }),
};

export const rejectsWrong: CheckDefinition = {
  id: "auth.rejects-wrong",
  title: "wrong credentials: 401 or 403",
  level: "required",
  fix: CHECK_CREDENTIALS_FIX,
  run: (ctx) =>
    guarded(ctx, async (auth) => {
      const results = await inTurn(wrongCredentials(auth), async (wrong) => {
        const label = wrongLabel(auth, wrong);
        const headers = { authorization: authorizationHeaderFor(wrong) ?? "" };
        return { label, outcome: await ctx.deliver(ctx.probePayload(), { label, headers }) };
      });
      return expectAll(results, DENIED, "denied", "wrong credentials were not denied.");
    }),
};

export const rejectsMalformed: CheckDefinition = {
  id: "auth.rejects-malformed",
  title: "malformed Authorization headers: 4xx, never 5xx",
  level: "required",
  fix: "Parse the Authorization header defensively: a wrong scheme, bad base64, extra spaces, an oversized value or a repeated header is a 400 or 401, never a crash or a pass.",
  run: (ctx) =>
    guarded(ctx, async (auth) => {
      const valid = authorizationHeaderFor(auth) ?? "";
      const results = await inTurn(malformedHeaders(valid), async ([label, value]) => ({
        label,
        outcome: await ctx.deliver(ctx.probePayload(), {
          label,
          headers: { authorization: value },
        }),
      }));
      return expectAll(
        results,
        is4xx,
        `${results.length} refused`,
        "a malformed Authorization header was not answered with a 4xx.",
      );
    }),
};

export const AUTH_CHECKS = [acceptsValid, rejectsMissing, rejectsWrong, rejectsMalformed];
