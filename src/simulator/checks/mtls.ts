import type { CheckContext, CheckDefinition, Verdict } from "../check.js";
import { fail, pass, skip } from "../check.js";
import type { Identity, Outcome } from "../http-client.js";
import { describeOutcome, isRefusal, isSuccess } from "../outcome-classify.js";
import type { PkiClientName } from "../resolve-options.js";
import type { CheckLevel } from "../types.js";
import { judgeRefusals } from "./_control.js";
import { noTls } from "./tls.js";

const EXACT_CN_FIX =
  "Compare the certificate's CN, as a parsed field, for equality with app.netdata.cloud, and require exactly one CN (the kit's proxy configs and receiver do). Never match the DN string with a substring or an unanchored regex.";
const VERIFY_CHAIN_FIX =
  "Let the TLS layer verify the client certificate against the Netdata Root CA only: nginx 'ssl_verify_client on' + 'ssl_client_certificate netdata-root-ca.pem', Apache 'SSLVerifyClient require' + 'SSLCACertificateFile', or a TLS server that requires and verifies the peer certificate.";

interface Rejection {
  id: string;
  /** The PKI certificate presented; null sends none. */
  identity: PkiClientName | null;
  level: CheckLevel;
  title: string;
  /** What an accepted request means (a cause of causes.ts); `proxy` with --proxy-headers. */
  accepted: { direct: string; proxy: string };
  fix: string;
}

const REJECTIONS: Rejection[] = [
  {
    id: "mtls.rejects-no-certificate",
    identity: null,
    level: "required",
    title: "a request without a client certificate is refused",
    accepted: { direct: "client-certificate-not-required", proxy: "proxy-headers-ignored" },
    fix: "Require a client certificate: nginx 'ssl_verify_client on;', Apache 'SSLVerifyClient require' at virtual-host level, Node requestCert with a check of socket.authorized.",
  },
  {
    id: "mtls.rejects-untrusted-ca",
    identity: "client-untrusted",
    level: "required",
    title: "a certificate from another CA is refused",
    accepted: { direct: "chain-not-verified", proxy: "proxy-verdict-not-checked" },
    fix: VERIFY_CHAIN_FIX,
  },
  {
    id: "mtls.rejects-wrong-cn",
    identity: "client-wrong-cn",
    level: "required",
    title: "a trusted certificate with another CN is refused",
    accepted: { direct: "cn-not-checked", proxy: "cn-not-checked" },
    fix: EXACT_CN_FIX,
  },
  {
    id: "mtls.rejects-lookalike-cn",
    identity: "client-lookalike-cn",
    level: "required",
    title: "CN app.netdata.cloud.evil.example is refused",
    accepted: { direct: "cn-matched-loosely", proxy: "cn-matched-loosely" },
    fix: EXACT_CN_FIX,
  },
  {
    id: "mtls.rejects-expired",
    identity: "client-expired",
    level: "required",
    title: "an expired certificate is refused",
    accepted: { direct: "validity-not-checked", proxy: "proxy-verdict-not-checked" },
    fix: VERIFY_CHAIN_FIX,
  },
  {
    id: "mtls.rejects-not-yet-valid",
    identity: "client-not-yet-valid",
    level: "required",
    title: "a not-yet-valid certificate is refused",
    accepted: { direct: "validity-not-checked", proxy: "proxy-verdict-not-checked" },
    fix: VERIFY_CHAIN_FIX,
  },
  {
    id: "mtls.rejects-two-cn",
    identity: "client-two-cn",
    level: "recommended",
    title: "a subject with two CNs is refused",
    accepted: { direct: "cn-one-of-several", proxy: "cn-one-of-several" },
    fix: EXACT_CN_FIX,
  },
  {
    id: "mtls.rejects-wrong-purpose",
    identity: "client-server-eku",
    level: "recommended",
    title: "a certificate for servers only (EKU serverAuth) is refused",
    accepted: { direct: "purpose-not-checked", proxy: "proxy-verdict-not-checked" },
    fix: VERIFY_CHAIN_FIX,
  },
];

async function blockedFor(ctx: CheckContext): Promise<Verdict | null> {
  // With --proxy-headers the identities travel as the proxy's headers over plain HTTP.
  if (ctx.options.proxyHeaders) return null;
  const blocked = noTls(ctx);
  if (blocked) return blocked;
  const untrusted = await ctx.connectBlocker();
  return untrusted ? skip(untrusted) : null;
}

const NOT_CLEANLY_REFUSED =
  "the receiver neither accepted nor cleanly refused the certificate: refuse with a TLS alert or a 4xx, never a 5xx or silence.";

function rejectionCheck(spec: Rejection): CheckDefinition {
  return {
    id: spec.id,
    title: spec.title,
    level: spec.level,
    needs: "http",
    fix: spec.fix,
    run: async (ctx) => {
      const blocked = await blockedFor(ctx);
      if (blocked) return blocked;
      let identity: Identity | null = null;
      if (spec.identity !== null) {
        identity = ctx.options.pki?.[spec.identity] ?? null;
        if (!identity)
          return skip(`no --pki given: the ${spec.identity} certificate comes from a PKI folder`);
      }
      const netdata = ctx.options.netdata;
      const controlLabel = `control, as ${netdata?.name ?? "Netdata (no identity given)"}`;
      const control = {
        label: controlLabel,
        outcome: await ctx.deliver(ctx.probePayload(), {
          label: controlLabel,
          identity: netdata,
        }),
      };
      const label = identity ? `as ${identity.name}` : "without a client certificate";
      const outcome = await ctx.deliver(ctx.canaryPayload(label), { label, identity });
      return judgeRefusals([{ label, outcome }], control, {
        ok: isRefusal,
        cause: NOT_CLEANLY_REFUSED,
        layer: "tls",
        acceptedCause: ctx.options.proxyHeaders ? spec.accepted.proxy : spec.accepted.direct,
      });
    },
  };
}

function acceptanceVerdict(outcome: Outcome, who: string): Verdict {
  if (isSuccess(outcome)) return pass(describeOutcome(outcome));
  const summary = describeOutcome(outcome);
  if (outcome.kind === "response" && (outcome.status === 401 || outcome.status === 403)) {
    return fail(
      summary,
      `the TLS connection was accepted but the request was refused: see auth.accepts-valid.`,
    );
  }
  if (outcome.kind === "response" && outcome.status < 500) {
    return fail(
      summary,
      "the TLS connection was accepted but the notification was refused: see the delivery checks.",
    );
  }
  return fail(
    summary,
    `the receiver refused ${who}: it does not trust the CA that issued it, or its CN allow-list is not exactly app.netdata.cloud.`,
  );
}

export const acceptsNetdataClient: CheckDefinition = {
  id: "mtls.accepts-netdata-client",
  title: "Netdata's client certificate gets through",
  level: "required",
  fix: "Trust the CA that issues Netdata's client certificate (the Netdata Root CA; with --pki, that folder's ca.pem) and allow CN app.netdata.cloud.",
  run: async (ctx) => {
    const blocked = await blockedFor(ctx);
    if (blocked) return blocked;
    const identity = ctx.options.netdata;
    if (!identity)
      return skip("no --pki or --client-cert given: no identity to present as Netdata");
    const outcome = await ctx.deliver(ctx.probePayload(), {
      label: `as ${identity.name}`,
      identity,
    });
    return acceptanceVerdict(outcome, `the client certificate ${identity.name}`);
  },
};

export const acceptsIntermediateChain: CheckDefinition = {
  id: "mtls.accepts-intermediate-chain",
  title: "a client chain with one intermediate gets through",
  level: "required",
  fix: "Allow a verify depth of 2: Apache 'SSLVerifyDepth 2' (its default 1 refuses any intermediate: 'Chain too long'), nginx 'ssl_verify_depth 2'. Trust the root, not only the intermediate.",
  run: async (ctx) => {
    const blocked = await blockedFor(ctx);
    if (blocked) return blocked;
    const identity = ctx.options.pki?.["client-via-intermediate"];
    if (!identity)
      return skip(
        "no --pki given: the client-via-intermediate certificate comes from a PKI folder",
      );
    const outcome = await ctx.deliver(ctx.probePayload(), {
      label: `as ${identity.name}`,
      identity,
    });
    return acceptanceVerdict(outcome, "a certificate issued through an intermediate CA");
  },
};

export const MTLS_CHECKS: CheckDefinition[] = [
  acceptsNetdataClient,
  acceptsIntermediateChain,
  ...REJECTIONS.map(rejectionCheck),
];
