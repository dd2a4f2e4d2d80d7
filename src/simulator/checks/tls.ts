import type { CheckContext, CheckDefinition, Verdict } from "../check.js";
import { fail, notApplicable, pass, skip } from "../check.js";
import type { Outcome } from "../http-client.js";
import { describeOutcome } from "../outcome-classify.js";

const DAY_IN_MS = 24 * 60 * 60 * 1000;
/** Warn when the server certificate expires this soon (Let's Encrypt renews at 30 days). */
export const EXPIRY_WARNING_IN_DAYS = 30;
const MODERN_PROTOCOLS = ["TLSv1.2", "TLSv1.3"];

/**
 * Why the TLS checks cannot run on this target, or null. --proxy-headers says TLS is the
 * proxy's job (not applicable here); plain HTTP without it leaves them untested (incomplete).
 */
export function noTls(ctx: CheckContext): Verdict | null {
  if (ctx.options.url.protocol === "https:") return null;
  if (ctx.options.proxyHeaders) {
    return notApplicable(
      "--proxy-headers: TLS is terminated by the proxy in front; verify its https URL too",
    );
  }
  return skip(
    `${ctx.options.allowHttp ? "--allow-http: plain HTTP" : "the URL is http"}, so TLS and client certificates could not be tested: verify the https URL, or add --proxy-headers for an app behind a TLS proxy`,
  );
}

export const httpsOnly: CheckDefinition = {
  id: "tls.https-only",
  title: "the webhook URL is https",
  level: "required",
  needs: "nothing",
  fix: "Serve the receiver over https, or put a TLS proxy in front ('netdata-webhook-kit proxy nginx'). Behind a loopback proxy, pass --allow-http.",
  run: async (ctx) => {
    if (ctx.options.url.protocol === "https:") return pass("the URL is https");
    // Behind a TLS proxy the app's own URL is http by design; the proxy's is the webhook URL.
    if (ctx.options.proxyHeaders) {
      return pass("http allowed by --proxy-headers", [
        "--proxy-headers: Netdata Cloud itself refuses http URLs; the https front end is not tested",
      ]);
    }
    if (ctx.options.allowHttp) {
      return skip(
        "--allow-http: the URL is http, which Netdata Cloud refuses; verify the https URL in front of it",
      );
    }
    return fail("the URL is http", "Netdata Cloud only accepts https:// webhook URLs.");
  },
};

const CERTIFICATE_CAUSES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server chain ends in a root that is not trusted (a private CA: Netdata Cloud will not know it either)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the issuer of the server certificate is unknown: the server does not send its intermediate certificate, or the CA is private",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the issuer of the server certificate is unknown: the server does not send its intermediate certificate, or the CA is private",
  CERT_HAS_EXPIRED: "the server certificate has expired",
  CERT_NOT_YET_VALID: "the server certificate is not valid yet (check the server's clock)",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server certificate does not name this host in its subjectAltName",
};

export const serverCertificate: CheckDefinition = {
  id: "tls.server-certificate",
  title: "the server certificate is valid for the host",
  level: "required",
  needs: "nothing",
  fix: "Serve a certificate from a public CA for this host name with its full chain (nginx: ssl_certificate fullchain.pem). For a private test CA, pass --server-ca FILE.",
  run: async (ctx) => {
    const blocked = noTls(ctx);
    if (blocked) return blocked;
    if (ctx.options.insecure) {
      return skip(
        "--insecure: the server certificate was not verified; pass --server-ca FILE (the CA that issued it) instead",
      );
    }
    const probe = await ctx.probe();
    if (probe.kind === "server-certificate-rejected") {
      const cause = CERTIFICATE_CAUSES[probe.code] ?? probe.message;
      return fail(describeOutcome(probe), `${cause} (${probe.code}).`);
    }
    const peer = probe.tls?.peer;
    if (!peer) return noHandshake(probe);
    const daysLeft = Math.floor((Date.parse(peer.validTo) - Date.now()) / DAY_IN_MS);
    const warnings =
      daysLeft < EXPIRY_WARNING_IN_DAYS
        ? [`the server certificate expires in ${daysLeft} days (${peer.validTo}): renew it`]
        : [];
    return pass(
      `CN=${peer.subject}, issued by ${peer.issuer}, valid ${daysLeft} more days`,
      warnings,
    );
  },
};

function noHandshake(probe: Outcome): Verdict {
  if (probe.kind === "refused") {
    return skip(
      "the TLS handshake did not complete without a client certificate; pass --pki DIR or --client-cert/--client-key",
    );
  }
  return fail(describeOutcome(probe), "the TLS handshake did not complete.");
}

export const protocolVersion: CheckDefinition = {
  id: "tls.protocol",
  title: "TLS 1.2 or newer, TLS 1.0/1.1 refused",
  level: "recommended",
  needs: "http",
  fix: "Allow TLS 1.2 and 1.3 only: nginx 'ssl_protocols TLSv1.2 TLSv1.3;', Apache 'SSLProtocol -all +TLSv1.2 +TLSv1.3', Node minVersion 'TLSv1.2'.",
  run: async (ctx) => {
    const blocked = noTls(ctx);
    if (blocked) return blocked;
    const probe = await ctx.probe();
    const negotiated = probe.tls?.protocol;
    if (!negotiated) return noHandshake(probe);
    if (!MODERN_PROTOCOLS.includes(negotiated)) {
      return fail(`negotiated ${negotiated}`, "the server prefers a protocol older than TLS 1.2.");
    }
    const legacy = await ctx.send("TLS 1.0/1.1 only ClientHello", {
      method: "GET",
      identity: ctx.options.netdata,
      // SECLEVEL=0: OpenSSL 3 will not offer TLS 1.0/1.1 ciphers otherwise.
      tls: { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" },
    });
    return legacyVerdict(negotiated, legacy);
  },
};

function legacyVerdict(negotiated: string, legacy: Outcome): Verdict {
  if (legacy.kind === "client-error") {
    return pass(`negotiated ${negotiated}`, [
      `TLS 1.0/1.1 not tested: this Node.js cannot offer them (${legacy.code})`,
    ]);
  }
  const accepted =
    legacy.tls?.protocol === "TLSv1" ||
    legacy.tls?.protocol === "TLSv1.1" ||
    legacy.kind === "response" ||
    legacy.kind === "server-certificate-rejected";
  if (accepted) {
    const version = legacy.tls?.protocol ?? "TLS 1.0/1.1";
    return fail(
      `negotiated ${negotiated}, but also accepted ${version}`,
      `the server still accepts ${version}.`,
    );
  }
  if (legacy.kind === "timeout") {
    return fail(
      `negotiated ${negotiated}; TLS 1.1 attempt: ${describeOutcome(legacy)}`,
      "the server hung on a TLS 1.1 ClientHello instead of refusing it.",
    );
  }
  return pass(`negotiated ${negotiated}; TLS 1.0/1.1 ${describeOutcome(legacy)}`);
}
