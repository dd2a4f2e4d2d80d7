import type { Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger } from "./log.js";

export interface ConnectionGuardOptions {
  /** Direct mode: connections are TLS, and unfinished handshakes are limited. */
  tls: boolean;
  /** Behind a proxy: peers whose connections are accepted; the others are closed at once. */
  trustsPeer?: (address: string | undefined) => boolean;
  /** Open connections one address may hold. */
  maxPerAddress: number;
  /** Connections from one address that may be in their TLS handshake at once. */
  maxPendingPerAddress: number;
  /** Connections from all addresses that may be in their TLS handshake at once. */
  maxPendingTotal: number;
  /** The server's own limit (`server.maxConnections`), for the log line when it is reached. */
  maxConnections: number;
  /** How often the counts of failed and refused connections are logged, one line per address. */
  logIntervalMs: number;
  logger: Logger;
  /** Told of each connection closed because its peer is not a trusted proxy (for events). */
  onUntrustedPeer?: (socket: Socket) => void;
}

/** Addresses counted one by one per log interval; the rest share one line. */
const MAX_TALLIED_ADDRESSES = 100;

/** Why a connection was closed by the guard, each with its log message. */
const CAUSES = {
  untrusted: "connections refused: the peer is not a trusted proxy",
  perAddress: "connections refused: too many open connections from one address",
  pendingPerAddress: "connections refused: too many unfinished TLS handshakes from one address",
  pendingTotal: "connections refused: too many unfinished TLS handshakes in total",
  evicted: "unfinished TLS handshakes closed to make room for another address",
  serverFull: "connections refused: the connection limit is reached",
} as const;
type Cause = keyof typeof CAUSES;

interface Tally {
  failed: number;
  reasons: Record<string, number>;
  closed: Partial<Record<Cause, number>>;
  /** Clients refused after their handshake: the first of each code is logged, these counted. */
  refused: Record<string, number>;
}

/** What the guard does with the clients its server refuses after their TLS handshake. */
export interface ConnectionGuard {
  /** Logs and clears the counts (the receiver calls it on shutdown). */
  flush(): void;
  /**
   * Logs the first refusal of each kind (reason and CN) per address and interval in full, and
   * counts the repeats by code into one line per address at the end of the interval: a client
   * that reconnects in a loop without a certificate cannot fill the log.
   */
  refused(socket: Socket, verdict: { code: string; reason: string; cn: string | null }): void;
}

/**
 * Keeps the connection slots for the real sender, and decides before any byte is read:
 * - behind a proxy, a peer that is not trusted is closed at once (its headers would not be
 *   believed anyway, and its slow requests would hold slots);
 * - one address holds at most `maxPerAddress` connections;
 * - direct mode: one address holds at most `maxPendingPerAddress` unfinished TLS handshakes,
 *   and all addresses together `maxPendingTotal` (below the server's limit, so that clients
 *   that completed their handshake always find room). When the total is reached, a newcomer
 *   from an address holding fewer unfinished handshakes than the busiest one takes the place
 *   of that address's oldest, so many addresses cannot starve a new one either.
 * Failed handshakes and closed connections (including those the server drops at its own
 * limit) are counted per address and cause, and logged once per interval instead of once
 * each, as are clients refused after their handshake (`refused`). The timer stops when the
 * server closes.
 */
export function installConnectionGuard(
  server: HttpServer,
  options: ConnectionGuardOptions,
): ConnectionGuard {
  const open = new Map<string, number>();
  // Insertion-ordered: the first socket of a set is the address's oldest handshake.
  const pending = new Map<string, Set<Socket>>();
  let pendingTotal = 0;
  const tallies = new Map<string, Tally>();
  // A socket's address, read while connected: a failed TLS socket no longer knows it.
  const addressOf = new WeakMap<Socket, string>();
  const closedByGuard = new WeakSet<Socket>();
  const tally = (seen: string): Tally => {
    // Many addresses in one interval are counted together, so the counts stay small.
    const address = tallies.has(seen) || tallies.size < MAX_TALLIED_ADDRESSES ? seen : "(others)";
    let t = tallies.get(address);
    if (!t) {
      t = { failed: 0, reasons: {}, closed: {}, refused: {} };
      tallies.set(address, t);
    }
    return t;
  };
  const close = (socket: Socket, address: string, cause: Cause): void => {
    const t = tally(address);
    t.closed[cause] = (t.closed[cause] ?? 0) + 1;
    closedByGuard.add(socket);
    socket.destroy();
  };
  const settle = (address: string, socket: Socket): void => {
    const set = pending.get(address);
    if (!set?.delete(socket)) return;
    pendingTotal -= 1;
    if (set.size === 0) pending.delete(address);
  };
  const busiest = (): [string, Set<Socket>] | undefined => {
    let found: [string, Set<Socket>] | undefined;
    for (const entry of pending) if (!found || entry[1].size > found[1].size) found = entry;
    return found;
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "(unknown)";
    addressOf.set(socket, address);
    if (options.trustsPeer && !options.trustsPeer(socket.remoteAddress)) {
      close(socket, address, "untrusted");
      options.onUntrustedPeer?.(socket);
      return;
    }
    const count = open.get(address) ?? 0;
    if (count >= options.maxPerAddress) {
      close(socket, address, "perAddress");
      return;
    }
    if (options.tls) {
      const mine = pending.get(address) ?? new Set<Socket>();
      if (mine.size >= options.maxPendingPerAddress) {
        close(socket, address, "pendingPerAddress");
        return;
      }
      if (pendingTotal >= options.maxPendingTotal) {
        const top = busiest();
        const oldest =
          top && top[1].size > mine.size + 1 ? top[1].values().next().value : undefined;
        if (!top || !oldest) {
          close(socket, address, "pendingTotal");
          return;
        }
        settle(top[0], oldest);
        close(oldest, top[0], "evicted");
      }
      mine.add(socket);
      pending.set(address, mine);
      pendingTotal += 1;
    }
    open.set(address, count + 1);
    socket.once("close", () => {
      settle(address, socket);
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
  server.on("drop", (data?: { remoteAddress?: string }) => {
    const t = tally(data?.remoteAddress ?? "(unknown)");
    t.closed.serverFull = (t.closed.serverFull ?? 0) + 1;
  });
  if (options.tls) {
    server.prependListener("secureConnection", (socket: TLSSocket) => {
      const raw = rawSocketOf(socket);
      if (raw) settle(addressOf.get(raw) ?? "(unknown)", raw);
    });
    server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      const raw = rawSocketOf(socket);
      if (raw && closedByGuard.has(raw)) return; // counted already
      const t = tally(addressOf.get(raw ?? socket) ?? socket.remoteAddress ?? "(unknown)");
      t.failed += 1;
      const reason = error.code ?? error.message;
      t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
    });
  }

  const limits: Record<Cause, number | undefined> = {
    untrusted: undefined,
    perAddress: options.maxPerAddress,
    pendingPerAddress: options.maxPendingPerAddress,
    pendingTotal: options.maxPendingTotal,
    evicted: options.maxPendingTotal,
    serverFull: options.maxConnections,
  };
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
      const repeated = Object.values(t.refused).reduce((sum, n) => sum + n, 0);
      if (repeated > 0) {
        options.logger.warn("TLS clients refused before HTTP, again", {
          remote: address,
          count: repeated,
          codes: t.refused,
          interval_ms: options.logIntervalMs,
        });
      }
      for (const cause of Object.keys(CAUSES) as Cause[]) {
        const count = t.closed[cause] ?? 0;
        if (count === 0) continue;
        const limit = limits[cause];
        options.logger.warn(CAUSES[cause], {
          remote: address,
          count,
          ...(limit === undefined ? {} : { limit }),
          interval_ms: options.logIntervalMs,
        });
      }
    }
    tallies.clear();
    loggedRefusals.clear();
  };
  const timer = setInterval(flush, options.logIntervalMs);
  timer.unref();
  server.once("close", () => clearInterval(timer));
  // Address, reason and CN of the refusals logged in full in this interval.
  const loggedRefusals = new Set<string>();
  const refused: ConnectionGuard["refused"] = (socket, verdict) => {
    const address = socket.remoteAddress ?? "(unknown)";
    // The same refusal again (the same reason and CN) is what a reconnecting loop sends.
    const key = `${address} ${verdict.reason} ${verdict.cn ?? ""}`;
    if (!loggedRefusals.has(key) && loggedRefusals.size < MAX_TALLIED_ADDRESSES) {
      loggedRefusals.add(key);
      options.logger.warn("TLS client refused before HTTP", {
        reason: verdict.reason,
        client_cn: verdict.cn,
        remote: address,
      });
      return;
    }
    const t = tally(address);
    t.refused[verdict.code] = (t.refused[verdict.code] ?? 0) + 1;
  };
  return { flush, refused };
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
