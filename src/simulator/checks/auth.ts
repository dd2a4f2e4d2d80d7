import { type AuthConfig, authorizationHeaderFor } from "../../protocol/auth.js";
import type { CheckContext, CheckDefinition, Verdict } from "../check.js";
import { fail, notApplicable, pass, skip } from "../check.js";
import type { Outcome } from "../http-client.js";
import { describeOutcome, is4xx, isSuccess } from "../outcome-classify.js";
import { judgeRefusals } from "./_control.js";
import { inTurn, type Labelled } from "./_expect.js";

const DENIED = (outcome: Outcome) =>
  outcome.kind === "response" && (outcome.status === 401 || outcome.status === 403);
const CHECK_CREDENTIALS_FIX =
  "Compare the whole Authorization header with the configured credentials (constant-time), and answer 401 with WWW-Authenticate when it is missing or wrong.";

/** The Authorization values the malformed-header check sends (all must get a 4xx). */
function malformedHeaders(): Array<[label: string, value: string | string[]]> {
  return [
    ["Bearer without a token", "Bearer"],
    ["Basic without credentials", "Basic"],
    ["Bearer with spaces in the token", "Bearer a b c"],
    ["Basic that is not base64", "Basic %%%not-base64%%%"],
    ["Basic without a colon", `Basic ${Buffer.from("no-colon").toString("base64")}`],
    ["an 8 KiB Bearer token", `Bearer ${"A".repeat(8192)}`],
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
  if (auth.scheme === "none") {
    return ctx.options.authDeclared
      ? notApplicable("--auth none: the receiver takes no credentials")
      : skip(
          "no credentials given: pass --bearer-token-file F or --basic-user U --basic-password-file F, or --auth none if the receiver takes none",
        );
  }
  return body(auth);
}

/** The same notification with the configured credentials: what every refusal is judged against. */
async function control(ctx: CheckContext): Promise<Labelled> {
  const label = "control, with the configured credentials";
  return { label, outcome: await ctx.deliver(ctx.probePayload(), { label }) };
}

/** Sends the control, then each Authorization variant, and judges them at the HTTP layer. */
async function authVariants(
  ctx: CheckContext,
  variants: Array<[label: string, value: string | string[]]>,
  ok: (o: Outcome) => boolean,
  cause: string,
  acceptedCause: string,
): Promise<Verdict> {
  const reference = await control(ctx);
  const results = await inTurn(variants, async ([label, value]) => ({
    label,
    outcome: await ctx.deliver(ctx.canaryPayload(label), {
      label,
      headers: { authorization: value },
    }),
  }));
  return judgeRefusals(results, reference, { ok, cause, layer: "http", acceptedCause });
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
    guarded(ctx, () =>
      authVariants(
        ctx,
        [["no Authorization header", []]],
        DENIED,
        "a notification without credentials was not denied.",
        "no-authorization-check",
      ),
    ),
};

export const rejectsWrong: CheckDefinition = {
  id: "auth.rejects-wrong",
  title: "wrong credentials: 401 or 403",
  level: "required",
  fix: CHECK_CREDENTIALS_FIX,
  run: (ctx) =>
    guarded(ctx, (auth) =>
      authVariants(
        ctx,
        wrongCredentials(auth).map((wrong) => [
          wrongLabel(auth, wrong),
          authorizationHeaderFor(wrong) ?? "",
        ]),
        DENIED,
        "wrong credentials were not denied.",
        "credentials-not-compared",
      ),
    ),
};

export const rejectsMalformed: CheckDefinition = {
  id: "auth.rejects-malformed",
  title: "malformed Authorization headers: 4xx, never 5xx",
  level: "required",
  fix: "Parse the Authorization header defensively: a wrong scheme, bad base64, extra spaces or an oversized value is a 400 or 401, never a crash or a pass.",
  run: (ctx) =>
    guarded(ctx, () =>
      authVariants(
        ctx,
        malformedHeaders(),
        is4xx,
        "a malformed Authorization header was not answered with a 4xx.",
        "credentials-not-compared",
      ),
    ),
};

/**
 * Hardening, not conformance: Netdata never sends two Authorization headers, and a receiver
 * that uses the first one (Node's req.headers does) lets no one in who lacks the credentials.
 * Refusing the pair closes the gap where a proxy and the app would read different ones.
 */
export const rejectsRepeated: CheckDefinition = {
  id: "auth.rejects-repeated",
  title: "two Authorization headers (valid + wrong): 4xx",
  level: "recommended",
  fix: "Refuse a request with more than one Authorization header (Node: count them in req.rawHeaders); a proxy in front may read the other one.",
  run: (ctx) =>
    guarded(ctx, (auth) =>
      authVariants(
        ctx,
        [["two Authorization headers", [authorizationHeaderFor(auth) ?? "", "Bearer wrong-token"]]],
        is4xx,
        "a request with two Authorization headers, the first one valid, was not refused.",
        "repeated-authorization-accepted",
      ),
    ),
};

export const AUTH_CHECKS = [
  acceptsValid,
  rejectsMissing,
  rejectsWrong,
  rejectsMalformed,
  rejectsRepeated,
];
