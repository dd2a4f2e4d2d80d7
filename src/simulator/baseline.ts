import type { CheckContext } from "./check.js";
import { bodyHint } from "./checks/_expect.js";
import { type Outcome, sendRequest } from "./http-client.js";
import { describeOutcome, isSuccess } from "./outcome-classify.js";
import { schemeMismatch } from "./port-protocol.js";
import { proxyAnswerDiagnosis, recognizeProxyAnswer } from "./proxy-answer.js";
import type { ResolvedVerifyOptions } from "./resolve-options.js";
import { deliveryRequest, onTheWire } from "./runtime.js";
import type { Baseline } from "./types.js";

/** Paths a Netdata receiver commonly listens on, tried when the given one answers 404. */
export const COMMON_WEBHOOK_PATHS = ["/webhooks/netdata", "/"];

type Diagnosis = NonNullable<Baseline["diagnosis"]>;
type Reached = Baseline["reached"];

/**
 * Before the catalogue: reach the host, trust the server certificate, complete mTLS with the
 * Netdata identity and POST one notification with the given credentials. When that fails,
 * every later verdict would only repeat it, so the one root cause is named here.
 */
export async function runBaseline(ctx: CheckContext): Promise<Omit<Baseline, "exchanges">> {
  const probe = await ctx.probe();
  const early =
    connectionDiagnosis(ctx.options, probe) ?? (await schemeDiagnosis(ctx.options, probe));
  if (early) return { ok: false, ...early };
  const label = "baseline: a notification as Netdata sends it";
  const outcome = await ctx.deliver(ctx.witnessPayload(), { label });
  if (isSuccess(outcome)) return { ok: true, reached: "accepted", diagnosis: null };
  const reached: Reached = outcome.kind === "response" ? "http" : "tcp";
  return { ok: false, reached, diagnosis: await deliveryDiagnosis(ctx, outcome) };
}

function where(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
}

function connectionDiagnosis(
  options: ResolvedVerifyOptions,
  probe: Outcome,
): { reached: Reached; diagnosis: Diagnosis } | null {
  if (probe.kind === "unreachable" || (probe.kind === "timeout" && probe.stage === "connect")) {
    const cause =
      probe.kind === "unreachable"
        ? `${where(options.url)} could not be reached (${probe.code})`
        : `${where(options.url)} did not accept a TCP connection within ${Math.round(probe.latencyMs)} ms`;
    return {
      reached: "nothing",
      diagnosis: {
        cause,
        fix: "Check the host name and port, that the receiver is running and listening there, and that no firewall is in the way.",
      },
    };
  }
  if (probe.kind === "server-certificate-rejected") {
    return {
      reached: "tcp",
      diagnosis: {
        cause: `the server certificate is not trusted (${probe.code}): ${probe.message}.`,
        fix: "For a private or test CA pass --server-ca FILE (the CA that issued the server certificate; --pki DIR trusts its own test CA). For a public host, serve the full chain of a public CA: Netdata Cloud will not trust it either.",
      },
    };
  }
  return null;
}

/** An https:// URL on a plain-HTTP port, or an http:// URL on a TLS port. */
async function schemeDiagnosis(
  options: ResolvedVerifyOptions,
  probe: Outcome,
): Promise<{ reached: Reached; diagnosis: Diagnosis } | null> {
  const hint = await schemeMismatch(options.url, probe);
  if (!hint) return null;
  const https = options.url.protocol === "https:";
  const other = new URL(options.url.href);
  other.protocol = https ? "http:" : "https:";
  return {
    reached: "tcp",
    diagnosis: {
      cause: `${where(options.url)} got ${https ? "a TLS handshake" : "a plain HTTP request"} and answered ${describeOutcome(probe)}: ${hint}.`,
      fix: https
        ? `Verify ${other.href} with --allow-http (and --proxy-headers for an app behind a TLS proxy), or point verify at the TLS port.`
        : `Verify ${other.href}.`,
    },
  };
}

async function deliveryDiagnosis(ctx: CheckContext, outcome: Outcome): Promise<Diagnosis> {
  const { options } = ctx;
  const seen = `${describeOutcome(outcome)}${bodyHint(outcome)}`;
  if (outcome.kind === "refused" && options.url.protocol === "https:") {
    return clientCertificateDiagnosis(options, seen);
  }
  if (outcome.kind !== "response") {
    return {
      cause: `a valid notification got no answer: ${seen}.`,
      fix: `Check that the receiver answers a POST within --timeout-ms (${options.timeoutMs} ms) and does not close the connection.`,
    };
  }
  // A TLS proxy in front that answered for itself: the fix is the proxy's, not the receiver's.
  const proxy = recognizeProxyAnswer(outcome);
  if (proxy) return proxyAnswerDiagnosis(proxy, options.netdata !== null);
  if (outcome.status === 404) return notFoundDiagnosis(options, ctx.probePayload().body, seen);
  if (outcome.status === 401 || outcome.status === 403) {
    const proxy = proxyHeaderDiagnosis(options, outcome, seen);
    if (proxy) return proxy;
    const challenged = outcome.headers["www-authenticate"] !== undefined;
    if (!challenged && /certificate/i.test(outcome.body) && !options.proxyHeaders) {
      return clientCertificateDiagnosis(options, seen);
    }
    if (outcome.status === 403 && !challenged && !CREDENTIALS_WORDS.test(outcome.body)) {
      return forbiddenDiagnosis(options, seen);
    }
    return credentialsDiagnosis(options, outcome, seen);
  }
  if (outcome.status >= 500) {
    return {
      cause: `the receiver failed on a valid notification: ${seen}.`,
      fix: "Read the receiver's log for this request: a valid notification must get a 2xx.",
    };
  }
  return {
    cause: `the receiver refused a valid notification: ${seen}.`,
    fix: "Accept notifications as Netdata sends them (POST, Content-Type: application/json, the documented fields, unknown fields ignored); the body of the answer says what it objected to.",
  };
}

/** A 403 body that speaks of credentials rather than of the client's identity. */
const CREDENTIALS_WORDS = /token|credential|authoriz|password|bearer|basic|api.?key/i;

/**
 * A 403 without a challenge is an identity refusal more often than a credentials one: what
 * verify presented as the client (no certificate, a certificate, no proxy headers) says which.
 */
function forbiddenDiagnosis(options: ResolvedVerifyOptions, seen: string): Diagnosis {
  if (options.url.protocol === "https:") {
    if (!options.netdata) {
      return {
        cause: `${seen}: verify sent no client certificate, and the receiver refuses the request as forbidden.`,
        fix: "Pass --pki DIR (a folder written by 'certs') or --client-cert FILE --client-key FILE with the identity the receiver trusts.",
      };
    }
    return {
      cause: `${seen}: the receiver may refuse the client certificate ${options.netdata.name} (its CA or its CN), though the TLS handshake accepted it.`,
      fix: "Present the identity the receiver allows: --pki DIR of the CA it trusts (or --client-cert/--client-key), with CN app.netdata.cloud; or make the receiver trust that CA and allow CN app.netdata.cloud. If it refuses for another reason, its answer body and log say which.",
    };
  }
  if (!options.proxyHeaders) {
    return {
      cause: `${seen}: verify sent no proxy headers, and an app behind a TLS proxy refuses a request whose client identity its proxy did not vouch for.`,
      fix: "Pass --proxy-headers to send what the proxy would forward (--proxy-verify-header/--proxy-dn-header if the app renamed them), or verify the proxy's https URL instead.",
    };
  }
  return {
    cause: `${seen}: the receiver may refuse the identity played as ${options.proxyVerifyHeader}/${options.proxyDnHeader}.`,
    fix: "Check the header names the app reads (--proxy-verify-header/--proxy-dn-header) and that it allows CN app.netdata.cloud.",
  };
}

function clientCertificateDiagnosis(options: ResolvedVerifyOptions, seen: string): Diagnosis {
  if (!options.netdata) {
    return {
      cause: `the receiver requires a client certificate and none was given (${seen}).`,
      fix: "Pass --pki DIR (a folder written by 'certs') or --client-cert FILE --client-key FILE with the identity the receiver trusts.",
    };
  }
  return {
    cause: `the TLS layer refused the client certificate ${options.netdata.name} (${seen}).`,
    fix: "Present an identity the receiver trusts (--pki DIR of the CA it trusts, or --client-cert/--client-key), or make the receiver trust that CA and allow CN app.netdata.cloud.",
  };
}

async function notFoundDiagnosis(
  options: ResolvedVerifyOptions,
  body: string,
  seen: string,
): Promise<Diagnosis> {
  const answers: string[] = [];
  for (const path of COMMON_WEBHOOK_PATHS) {
    if (path === options.url.pathname) continue;
    const url = new URL(path, options.url);
    const connection = { ...options.connection, url };
    const spec = deliveryRequest(options, { body });
    const outcome = await sendRequest(
      connection,
      onTheWire(options, { ...spec, timeoutMs: options.timeoutMs }),
    );
    if (outcome.kind === "response" && outcome.status !== 404) {
      answers.push(`${url.href} answers ${describeOutcome(outcome)}`);
    }
  }
  const tried = COMMON_WEBHOOK_PATHS.filter((path) => path !== options.url.pathname);
  const elsewhere =
    answers.length > 0
      ? ` Meanwhile ${answers.join("; ")}.`
      : ` verify also tried ${tried.join(" and ")}: no answer but 404 there either.`;
  return {
    cause: `wrong path: POST ${options.url.pathname} answered ${seen}: the receiver has no webhook there.${elsewhere}`,
    fix:
      answers.length > 0
        ? `The receiver does answer at ${answers[0]?.split(" ")[0]}: if that is its webhook, give verify that URL (and configure the same one in Netdata Cloud).`
        : "Give verify the exact webhook URL the receiver serves (its route, as in its code or config), the one configured in Netdata Cloud.",
  };
}

/** A behind-proxy receiver refusing a request that lacks its proxy's verification header. */
function proxyHeaderDiagnosis(
  options: ResolvedVerifyOptions,
  outcome: Extract<Outcome, { kind: "response" }>,
  seen: string,
): Diagnosis | null {
  if (options.proxyHeaders) return null;
  const named = [options.proxyVerifyHeader, options.proxyDnHeader].find((name) =>
    outcome.body.toLowerCase().includes(name.toLowerCase()),
  );
  if (!named && !/proxy/i.test(outcome.body)) return null;
  const header = named ?? options.proxyVerifyHeader;
  return {
    cause: `refused for a missing proxy header: the receiver sits behind a TLS proxy and wants ${header} (${seen}).`,
    fix: `Pass --proxy-headers to send what the proxy would forward (--proxy-verify-header/--proxy-dn-header if the receiver renamed them), or verify the proxy's https URL instead.`,
  };
}

/** The flags that send each scheme verify can send. */
const AUTH_FLAGS: Record<string, string> = {
  basic: "--auth basic --basic-user U --basic-password-file F",
  bearer: "--auth bearer --bearer-token-file F",
};

function credentialsDiagnosis(
  options: ResolvedVerifyOptions,
  outcome: Extract<Outcome, { kind: "response" }>,
  seen: string,
): Diagnosis {
  const challenge = [outcome.headers["www-authenticate"] ?? []].flat().join(", ");
  const wanted = challenge ? (/^\s*([A-Za-z][\w-]*)/.exec(challenge)?.[1] ?? challenge) : null;
  const sentScheme = options.auth.scheme;
  const sent =
    sentScheme === "none" ? "no Authorization header" : `${capital(sentScheme)} credentials`;
  const wants = wanted ? ` (WWW-Authenticate: ${challenge}): it wants ${capital(wanted)}` : "";
  const cause = `credentials refused: ${seen}${wants}; verify sent ${sent}.`;
  if (wanted && wanted.toLowerCase() !== sentScheme) {
    return {
      cause,
      fix: `Pass the receiver's ${capital(wanted)} credentials: ${AUTH_FLAGS[wanted.toLowerCase()] ?? `--auth ${wanted.toLowerCase()}`}.`,
    };
  }
  return {
    cause,
    fix:
      sentScheme === "none"
        ? "Pass the receiver's credentials: --bearer-token-file FILE, or --basic-user U --basic-password-file FILE."
        : `Pass the ${capital(sentScheme)} credentials the receiver is configured with; the ones given do not match.`,
  };
}

function capital(scheme: string): string {
  return scheme.charAt(0).toUpperCase() + scheme.slice(1).toLowerCase();
}
