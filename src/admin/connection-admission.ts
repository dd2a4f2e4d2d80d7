import type * as http from "node:http";
import type { Socket } from "node:net";

export interface AdmissionLimits {
  /** Connections the port holds at once. */
  total: number;
  /** Connections one client address may hold. */
  perAddress: number;
}

/**
 * Which connections the admin port keeps, decided when each one opens. One address holds at
 * most `perAddress`; when `total` are open, a new connection from an address holding fewer
 * than the busiest one takes the place of one of the busiest address's connections (an idle
 * one if it has any, else its oldest). So however many addresses flood the port with
 * keep-alive connections, a new client (a liveness probe, an operator's browser) gets in;
 * only an address already holding its share is turned away. Replaces `server.maxConnections`,
 * which refuses every new connection once the port is full.
 */
export function admitConnections(server: http.Server, limits: AdmissionLimits): void {
  /** Open connections per address, oldest first. */
  const open = new Map<string, Set<Socket>>();
  /** Connections with a request in progress. */
  const busy = new WeakSet<Socket>();
  let count = 0;

  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    busy.add(req.socket);
    res.once("finish", () => busy.delete(req.socket));
  });
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const mine = open.get(address) ?? new Set<Socket>();
    if (mine.size >= limits.perAddress) {
      socket.destroy();
      return;
    }
    if (count >= limits.total) {
      const victim = evictable(open, mine.size, busy);
      if (!victim) {
        socket.destroy();
        return;
      }
      forget(open, victim.address, victim.socket);
      count--;
      victim.socket.destroy();
    }
    mine.add(socket);
    open.set(address, mine);
    count++;
    socket.once("close", () => {
      if (forget(open, address, socket)) count--;
    });
  });
}

/**
 * A connection of the address holding the most, when that is at least two more than `holding`
 * (so taking one of its places leaves it no worse off than the newcomer): an idle one first.
 */
function evictable(
  open: Map<string, Set<Socket>>,
  holding: number,
  busy: WeakSet<Socket>,
): { address: string; socket: Socket } | undefined {
  let address = "";
  let largest: Set<Socket> | undefined;
  for (const [at, sockets] of open) {
    if (!largest || sockets.size > largest.size) [address, largest] = [at, sockets];
  }
  if (!largest || largest.size < holding + 2) return undefined;
  let socket: Socket | undefined;
  for (const candidate of largest) {
    socket ??= candidate; // the oldest
    if (!busy.has(candidate)) {
      socket = candidate;
      break;
    }
  }
  return socket && { address, socket };
}

/** Removes `socket` from its address's set; false when it was not there (already evicted). */
function forget(open: Map<string, Set<Socket>>, address: string, socket: Socket): boolean {
  const sockets = open.get(address);
  if (!sockets?.delete(socket)) return false;
  if (sockets.size === 0) open.delete(address);
  return true;
}
