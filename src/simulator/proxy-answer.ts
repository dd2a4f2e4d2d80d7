/** An HTTP answer as an outcome or an exchange records it. */
interface Answer {
  status: number;
  headers: Readonly<Record<string, unknown>>;
  body: string;
}

/**
 * An answer a TLS proxy in front (nginx, Apache) made itself, rather than one of the receiver
 * behind it passed through: its own error page, which says the proxy's part went wrong.
 */
export interface ProxyAnswer {
  server: "nginx" | "Apache";
  /**
   * no-client-certificate: the proxy requires one and none was sent (nginx 400 "No required
   * SSL certificate was sent", 496); certificate-refused: the proxy refused the one sent (nginx
   * 400 "The SSL certificate error", 495); upstream-unreachable: 502/503, the proxy could not
   * reach the receiver; upstream-timeout: 504, the receiver did not answer the proxy in time.
   */
  kind:
    | "no-client-certificate"
    | "certificate-refused"
    | "upstream-unreachable"
    | "upstream-timeout";
  /** The page's title, e.g. `400 No required SSL certificate was sent` (empty when it has none). */
  title: string;
}

/** nginx's pages end in `<center>nginx</center>`, Apache's in `<address>Apache/2.4 ...`. */
function serverOf(outcome: Answer): ProxyAnswer["server"] | null {
  const header = String(outcome.headers.server ?? "");
  if (/^nginx\b/i.test(header) || /<center>nginx\b/i.test(outcome.body)) return "nginx";
  if (/^Apache\b/i.test(header) || /<address>Apache\b/i.test(outcome.body)) return "Apache";
  return null;
}

/** The proxy's own answer in `outcome`, or null (an answer of the receiver). */
export function recognizeProxyAnswer(outcome: Answer): ProxyAnswer | null {
  // The proxy's pages are HTML; a receiver's JSON passed through is the receiver's.
  if (!/<html|<!DOCTYPE/i.test(outcome.body)) return null;
  const server = serverOf(outcome);
  if (!server) return null;
  const { status, body } = outcome;
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim() ?? "";
  const kind = kindOf(status, body);
  return kind ? { server, kind, title } : null;
}

function kindOf(status: number, body: string): ProxyAnswer["kind"] | null {
  if (status === 496 || /No required SSL certificate was sent/i.test(body)) {
    return "no-client-certificate";
  }
  if (status === 495 || /SSL certificate error/i.test(body)) return "certificate-refused";
  if (status === 502 || status === 503) return "upstream-unreachable";
  if (status === 504) return "upstream-timeout";
  return null;
}

/** Where the proxy sends requests: what `netdata-webhook-kit proxy` calls --upstream. */
const UPSTREAM_FIX =
  "Start the receiver on the address the proxy forwards to (the --upstream given to 'netdata-webhook-kit proxy': proxy_pass in nginx, ProxyPass in Apache) and check that it listens there; the proxy's error log names the address it tried.";

/** The cause and fix of a proxy's own answer, for the baseline and for the checks. */
export function proxyAnswerDiagnosis(
  answer: ProxyAnswer,
  identityGiven: boolean,
): { cause: string; fix: string } {
  const seen = `its page "${answer.title}"`;
  switch (answer.kind) {
    case "no-client-certificate":
      return {
        cause: `${answer.server}, the TLS proxy in front, answered for itself (${seen}): it requires a client certificate and verify sent none.`,
        fix: "Pass --pki DIR (a folder written by 'certs') or --client-cert FILE --client-key FILE with an identity the proxy trusts.",
      };
    case "certificate-refused":
      return {
        cause: `${answer.server}, the TLS proxy in front, refused the client certificate (${seen}).`,
        fix: identityGiven
          ? "Present an identity the proxy trusts (--pki DIR of the CA in its ssl_client_certificate / SSLCACertificateFile), or make the proxy trust that CA."
          : "Pass --pki DIR or --client-cert FILE --client-key FILE with an identity the proxy trusts.",
      };
    case "upstream-unreachable":
      return {
        cause: `${answer.server}, the TLS proxy in front, answered for itself (${seen}): it could not reach the receiver behind it (upstream).`,
        fix: `Is the receiver running? ${UPSTREAM_FIX}`,
      };
    case "upstream-timeout":
      return {
        cause: `${answer.server}, the TLS proxy in front, answered for itself (${seen}): the receiver behind it (upstream) did not answer it in time.`,
        fix: `Check that the receiver answers quickly, and that it is the one on the proxy's upstream address. ${UPSTREAM_FIX}`,
      };
  }
}
