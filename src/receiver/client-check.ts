import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { headerValues } from "../protocol/auth.js";
import { checkClientIdentity, peerFactsFromSocket } from "../protocol/client-identity.js";
import { commonNameOfDistinguishedName } from "../protocol/distinguished-name.js";
import type { ResolvedWebhookOptions } from "./options.js";

/** Who sent a request, as far as the receiver could establish it. */
export type ClientCheck =
  | { ok: true; cn: string | null; dn: string | null }
  | {
      ok: false;
      reason: string;
      cn: string | null;
      /** Set when the peer is not a trusted proxy: its headers were not even read. */
      untrustedPeer?: true;
    };

/** The value the proxy's verification header must carry (nginx `$ssl_client_verify`). */
export const PROXY_VERIFY_SUCCESS = "SUCCESS";
/** Longest forwarded header value echoed into a reason or a log line. */
const ECHO_MAX = 80;

type Identity = ResolvedWebhookOptions["identity"];

/**
 * Checks the client of one request. `socket` is the request's own (undefined off Node);
 * `remote` the peer's address (undefined when the runtime does not tell).
 */
export type ClientChecker = (
  socket: Socket | undefined,
  rawHeaders: readonly string[],
  remote: string | undefined,
) => ClientCheck;

/**
 * The client check for one configuration. Over TLS the verdict is computed once per
 * connection and kept on the socket (a WeakMap, so it goes with the socket): the handshake
 * gate and every request on a kept-alive connection share it. Behind a proxy, the headers
 * are believed only from a trusted peer.
 */
export function createClientChecker(identity: Identity): ClientChecker {
  if (identity.source === "none") return () => NOT_CHECKED;
  if (identity.source === "proxy-headers") {
    return (_socket, rawHeaders, remote) => {
      if (!identity.trustedProxies.trusts(remote)) {
        const reason = `peer ${remote ?? "(unknown)"} is not a trusted proxy; its ${identity.verifyHeader} is not believed`;
        return { ...refuse(reason), untrustedPeer: true };
      }
      return checkProxyHeaders(identity, rawHeaders);
    };
  }
  const verdicts = new WeakMap<Socket, ClientCheck>();
  return (socket) => {
    if (!(socket instanceof TLSSocket)) return NOT_TLS;
    let verdict = verdicts.get(socket);
    if (verdict === undefined) {
      const result = checkClientIdentity(peerFactsFromSocket(socket), identity.expectedCns);
      verdict = result.ok ? { ok: true, cn: result.cn, dn: null } : result;
      verdicts.set(socket, verdict);
    }
    return verdict;
  };
}

const NOT_CHECKED: ClientCheck = { ok: true, cn: null, dn: null };
const NOT_TLS: ClientCheck = {
  ok: false,
  reason: "this endpoint requires TLS with a client certificate",
  cn: null,
};

/**
 * Behind a proxy: the proxy must say it verified a certificate and forward the subject DN,
 * whose one CN must be on the allow-list. Repeated headers are refused: a client could have
 * added its own copy that the proxy failed to strip.
 */
export function checkProxyHeaders(identity: Identity, rawHeaders: readonly string[]): ClientCheck {
  const verify = headerValues(rawHeaders, identity.verifyHeader);
  if (verify.length === 0) {
    return refuse(
      `${identity.verifyHeader} is missing: the proxy did not verify a client certificate`,
    );
  }
  if (verify.length > 1) return refuse(`${identity.verifyHeader} was sent more than once`);
  if (verify[0] !== PROXY_VERIFY_SUCCESS) {
    return refuse(
      `${identity.verifyHeader} is ${echo(verify[0] ?? "")}, not ${PROXY_VERIFY_SUCCESS}`,
    );
  }
  const dns = headerValues(rawHeaders, identity.dnHeader);
  if (dns.length > 1) return refuse(`${identity.dnHeader} was sent more than once`);
  const dn = dns[0] ?? "";
  // A proxy can lose the header it set (a client's `Connection: X-Client-DN` makes some drop
  // it); without the DN the CN allow-list would be skipped, so its absence is a refusal.
  if (dn.trim() === "") {
    return refuse(
      `${identity.dnHeader} is ${dns.length === 0 ? "missing" : "empty"}: the proxy must forward the verified client DN so its CN can be checked`,
    );
  }
  const cn = commonNameOfDistinguishedName(dn);
  if (!cn.ok) return refuse(`${identity.dnHeader} ${echo(dn)}: ${cn.reason}`);
  if (!identity.expectedCns.includes(cn.cn)) {
    return { ok: false, reason: "client certificate CN is not allowed", cn: cn.cn };
  }
  return { ok: true, cn: cn.cn, dn };
}

function refuse(reason: string): ClientCheck {
  return { ok: false, reason, cn: null };
}

function echo(value: string): string {
  return JSON.stringify(value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}...` : value);
}
