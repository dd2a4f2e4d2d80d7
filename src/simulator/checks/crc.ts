import { authorizationHeaderFor } from "../../protocol/auth.js";
import { computeCrcResponseToken } from "../../protocol/crc.js";
import type { CheckContext, CheckDefinition, Verdict } from "../check.js";
import { fail, failWith, inconclusive, notApplicable, pass, skip } from "../check.js";
import type { Outcome } from "../http-client.js";
import { describeOutcome, is4xx, isSuccess } from "../outcome-classify.js";
import { judgeRefusals } from "./_control.js";
import { crcMistake } from "./_crc-answer.js";
import { inTurn, type Labelled, listBriefly, misses, tally } from "./_expect.js";

/** The CRC GET as Netdata sends it; whether Netdata adds Authorization is unknown, so we do. */
function crcGet(ctx: CheckContext, label: string, query: string | undefined, timeoutMs?: number) {
  const authorization = authorizationHeaderFor(ctx.options.auth);
  return ctx.send(label, {
    method: "GET",
    ...(query !== undefined ? { query } : { query: "" }),
    identity: ctx.options.netdata,
    headers: authorization ? { authorization } : {},
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

async function crcBlocker(ctx: CheckContext): Promise<Verdict | null> {
  if (ctx.options.profile === "current") {
    return notApplicable("--no-challenge (--profile current): the receiver has no CRC challenge");
  }
  const blocked = await ctx.deliveryBlocker();
  return blocked ? skip(blocked) : null;
}

const NO_SECRET =
  "no --challenge-secret given: pass --challenge-secret-file F, or --no-challenge if the receiver has no CRC challenge";

/**
 * Without a challenge secret, a receiver that refuses the well-formed control challenge has the
 * challenge turned off, as expected: its refusals prove nothing, so the check is skipped (not
 * inconclusive). A receiver that answers the control is still checked.
 */
function skipWithoutSecret(ctx: CheckContext, reference: Labelled): Verdict | null {
  if (ctx.options.challengeSecret !== null || isSuccess(reference.outcome)) return null;
  return skip(`${NO_SECRET} (the control challenge got ${describeOutcome(reference.outcome)})`);
}

const MS_PER_S = 1000;

export const answersChallenge: CheckDefinition = {
  id: "crc.answers-challenge",
  title: "answers the crc_token challenge",
  level: "required",
  fix: 'Answer GET ?crc_token=T with 200 and {"response_token":"sha256=" + base64(HMAC-SHA256(challenge secret, T))}, within 5 s; `netdata-webhook-kit crc T --challenge-secret-file F` prints the expected answer.',
  run: async (ctx) => {
    const blocked = await crcBlocker(ctx);
    if (blocked) return blocked;
    const secret = ctx.options.challengeSecret;
    if (secret === null) return skip(NO_SECRET);
    const token = ctx.payloads.token();
    const deadline = ctx.options.crcDeadlineMs;
    // Wait a little past the deadline, so a late answer is reported as late, not as silence.
    const timeoutMs = Math.max(ctx.options.timeoutMs, deadline + deadline / 5);
    const outcome = await crcGet(
      ctx,
      `crc_token=${token}`,
      `crc_token=${encodeURIComponent(token)}`,
      timeoutMs,
    );
    return challengeVerdict(outcome, { secret, token }, deadline);
  },
};

function challengeVerdict(
  outcome: Outcome,
  challenge: { secret: string; token: string },
  deadlineMs: number,
): Verdict {
  const expected = computeCrcResponseToken(challenge.secret, challenge.token);
  const seconds = (deadlineMs / MS_PER_S).toFixed(1);
  if (outcome.kind !== "response") {
    return fail(describeOutcome(outcome), `no answer to the challenge within ${seconds} s.`);
  }
  const took = `${describeOutcome(outcome)} in ${outcome.latencyMs} ms`;
  if (outcome.status !== 200) {
    return fail(took, `the answer must be exactly 200 (Netdata checks it), got ${outcome.status}.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(outcome.body);
  } catch {
    return fail(took, "the body is not JSON.");
  }
  const got = (body as { response_token?: unknown } | null)?.response_token;
  if (got !== expected) {
    const shown = typeof got === "string" ? `"${got.slice(0, 80)}"` : JSON.stringify(got ?? null);
    const mistake = crcMistake(body, challenge.secret, challenge.token);
    const said = mistake?.field
      ? `${took}; the answer is in ${JSON.stringify(mistake.field)}, not in response_token`
      : `${took}; response_token ${shown}, expected "${expected}"`;
    if (mistake) return failWith(said, mistake.id);
    return fail(
      said,
      `response_token is not the expected answer: base64 (not hex) of HMAC-SHA256 keyed with the challenge secret over crc_token, prefixed with sha256=.`,
    );
  }
  if (outcome.latencyMs > deadlineMs) {
    return fail(took, `the answer took longer than ${seconds} s; Netdata gives up at 5 s.`);
  }
  const type = String(outcome.headers["content-type"] ?? "");
  const warnings = type.includes("application/json")
    ? []
    : [`Content-Type is "${type}", not application/json`];
  return pass(took, warnings);
}

/** A challenge with a well-formed token: what the CRC refusals are judged against. */
async function crcControl(ctx: CheckContext): Promise<Labelled> {
  const label = "control, GET with a valid crc_token";
  const token = ctx.payloads.token();
  return { label, outcome: await crcGet(ctx, label, `crc_token=${encodeURIComponent(token)}`) };
}

export const rejectsMissingToken: CheckDefinition = {
  id: "crc.rejects-missing-token",
  title: "a GET without crc_token gets a 4xx",
  level: "recommended",
  fix: "Answer 400 when crc_token is missing; never let a missing parameter reach the HMAC code.",
  run: async (ctx) => {
    const blocked = await crcBlocker(ctx);
    if (blocked) return blocked;
    const reference = await crcControl(ctx);
    const unsecret = skipWithoutSecret(ctx, reference);
    if (unsecret) return unsecret;
    const label = "GET without crc_token";
    const outcome = await crcGet(ctx, label, undefined);
    return judgeRefusals([{ label, outcome }], reference, {
      ok: is4xx,
      cause: "a GET without crc_token was not answered with a 4xx.",
      layer: "http",
    });
  },
};

/** Tokens a careless parser trips on: repeated (an array in Express), empty, 4 KiB, bracketed. */
const ODD_QUERIES: Array<[label: string, query: string]> = [
  ["crc_token twice", "crc_token=a&crc_token=b"],
  ["empty crc_token", "crc_token="],
  ["4 KiB crc_token", `crc_token=${"t".repeat(4096)}`],
  ["crc_token[x]=1", "crc_token%5Bx%5D=1"],
];

export const survivesOddTokens: CheckDefinition = {
  id: "crc.survives-odd-tokens",
  title: "odd crc_token values: no 5xx, no hang",
  level: "recommended",
  fix: "Validate crc_token before use: exactly one non-empty, bounded string; answer 400 otherwise.",
  run: async (ctx) => {
    const blocked = await crcBlocker(ctx);
    if (blocked) return blocked;
    const reference = await crcControl(ctx);
    const unsecret = skipWithoutSecret(ctx, reference);
    if (unsecret) return unsecret;
    const results = await inTurn(ODD_QUERIES, async ([label, query]) => ({
      label,
      outcome: await crcGet(ctx, label, query),
    }));
    const bad = misses(results, (o) => o.kind === "response" && o.status < 500);
    if (bad.length > 0)
      return fail(listBriefly(bad), "an odd crc_token crashed or hung the receiver.");
    // A 4xx to every odd token says nothing when a well-formed one is refused as well.
    if (!isSuccess(reference.outcome) && results.some(({ outcome }) => is4xx(outcome))) {
      return inconclusive(
        `answered ${tally(results)}, but the control was refused too: this proves nothing`,
        `${reference.label}: ${describeOutcome(reference.outcome)}`,
      );
    }
    return pass(`${results.length} odd tokens: ${tally(results)}`);
  },
};

export const CRC_CHECKS = [answersChallenge, rejectsMissingToken, survivesOddTokens];
