import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import {
  checkClientIdentity,
  checkProxyIdentity,
  type IdentityResult,
  NOT_TLS,
  peerFactsFromSocket,
  untrustedProxy,
} from "../protocol/client-identity.js";
import type { ClientIdentitySettings } from "./options.js";

/**
 * Judges the client of one request. `socket` is the request's own (undefined off Node);
 * `remote` the peer's address (undefined when the runtime does not tell).
 */
export type ClientChecker = (
  socket: Socket | undefined,
  rawHeaders: readonly string[],
  remote: string | undefined,
) => IdentityResult;

const NOT_CHECKED: IdentityResult = { ok: true, cn: null, dn: null };

/**
 * The client check for one configuration; the rules themselves are protocol/client-identity's.
 * Over TLS the verdict is computed once per connection and kept on the socket (a WeakMap, so
 * it goes with the socket): the handshake gate and every request on a kept-alive connection
 * share it. Behind a proxy, the headers are believed only from a trusted peer.
 */
export function createClientChecker(identity: ClientIdentitySettings): ClientChecker {
  if (identity.source === "none") return () => NOT_CHECKED;
  if (identity.source === "proxy-headers") {
    return (_socket, rawHeaders, remote) =>
      identity.trustedProxies.trusts(remote)
        ? checkProxyIdentity(rawHeaders, identity, identity.expectedCns)
        : untrustedProxy(remote, identity.verifyHeader);
  }
  const verdicts = new WeakMap<Socket, IdentityResult>();
  return (socket) => {
    if (!(socket instanceof TLSSocket)) return NOT_TLS;
    let verdict = verdicts.get(socket);
    if (verdict === undefined) {
      verdict = checkClientIdentity(peerFactsFromSocket(socket), identity.expectedCns);
      verdicts.set(socket, verdict);
    }
    return verdict;
  };
}
