import type { Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger } from "./log.js";

export interface HandshakeGuardOptions {
  /** Connections from one address that may be in their TLS handshake at once. */
  maxPendingPerAddress: number;
  /** How often the counts of failed and refused handshakes are logged, one line per address. */
  logIntervalMs: number;
  logger: Logger;
}

/** Addresses counted one by one per log interval; the rest share one line. */
const MAX_TALLIED_ADDRESSES = 100;

interface Tally {
  failed: number;
  refused: number;
  reasons: Record<string, number>;
}

/**
 * Keeps one address from holding the connection slots with handshakes it never finishes:
 * beyond `maxPendingPerAddress` unfinished handshakes, its new connections are closed at once.
 * Failed handshakes and refused connections are counted per address and logged once per
 * interval instead of once each. Returns `flush`, which logs and clears the counts (the
 * receiver calls it on shutdown), and stops its timer when the server closes.
 */
export function installHandshakeGuard(
  server: HttpsServer,
  options: HandshakeGuardOptions,
): () => void {
  const pending = new Map<string, Set<string>>();
  const tallies = new Map<string, Tally>();
  // A socket's address, read while connected: a failed TLS socket no longer knows it.
  const addressOf = new WeakMap<Socket, string>();
  const refusedSockets = new WeakSet<Socket>();
  const tally = (seen: string): Tally => {
    // Many addresses in one interval are counted together, so the counts stay small.
    const address = tallies.has(seen) || tallies.size < MAX_TALLIED_ADDRESSES ? seen : "(others)";
    let t = tallies.get(address);
    if (!t) {
      t = { failed: 0, refused: 0, reasons: {} };
      tallies.set(address, t);
    }
    return t;
  };
  const settle = (address: string, key: string): void => {
    const set = pending.get(address);
    if (!set) return;
    set.delete(key);
    if (set.size === 0) pending.delete(address);
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "(unknown)";
    addressOf.set(socket, address);
    const key = `${address}|${socket.remotePort}`;
    const set = pending.get(address) ?? new Set<string>();
    if (set.size >= options.maxPendingPerAddress) {
      tally(address).refused += 1;
      refusedSockets.add(socket);
      socket.destroy();
      return;
    }
    set.add(key);
    pending.set(address, set);
    socket.once("close", () => settle(address, key));
  });
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    const address = socket.remoteAddress ?? "(unknown)";
    settle(address, `${address}|${socket.remotePort}`);
  });
  server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    const raw = rawSocketOf(socket);
    if (raw && refusedSockets.has(raw)) return; // counted as refused already
    const t = tally(addressOf.get(raw ?? socket) ?? socket.remoteAddress ?? "(unknown)");
    t.failed += 1;
    const reason = error.code ?? error.message;
    t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
  });

  const flush = (): void => {
    for (const [address, t] of tallies) {
      if (t.failed > 0) {
        options.logger.info("TLS handshakes failed", {
          remote: address,
          count: t.failed,
          reasons: t.reasons,
          interval_ms: options.logIntervalMs,
        });
      }
      if (t.refused > 0) {
        options.logger.warn(
          "connections refused: too many unfinished TLS handshakes from one address",
          {
            remote: address,
            count: t.refused,
            limit: options.maxPendingPerAddress,
          },
        );
      }
    }
    tallies.clear();
  };
  const timer = setInterval(flush, options.logIntervalMs);
  timer.unref();
  server.once("close", () => clearInterval(timer));
  return flush;
}

/**
 * The TCP socket a server-side TLSSocket wraps. Node keeps it as `_parent` (undocumented but
 * stable since Node 0.11); without it the failure is still counted, under the TLS socket's
 * own address.
 */
function rawSocketOf(socket: TLSSocket): Socket | undefined {
  const parent = (socket as TLSSocket & { _parent?: unknown })._parent;
  return parent && typeof parent === "object" ? (parent as Socket) : undefined;
}
