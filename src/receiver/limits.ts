/**
 * Every tunable of the receiver, with its unit and the reason for its value. Node's defaults
 * are made for general web servers; an internet-facing webhook endpoint that receives a few
 * small POSTs from one sender can be much stricter.
 */

/**
 * Time for a TLS handshake. Node's default, 120 s, lets a TCP connection that never sends a
 * ClientHello hold a connection slot for two minutes. A handshake takes well under a second;
 * 5 s tolerates a slow link.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 5_000;

/**
 * Connections from one address that may be in their TLS handshake at the same time; more are
 * closed at once. Netdata opens a handful of connections; without this one address could take
 * every connection slot (MAX_CONNECTIONS) with connections that never send a ClientHello.
 */
export const MAX_PENDING_HANDSHAKES_PER_ADDRESS = 16;

/**
 * Failed handshakes and refused connections are logged as a count per address once per
 * interval, not a line each: a scanner would otherwise fill the log.
 */
export const HANDSHAKE_LOG_INTERVAL_MS = 60_000;

/**
 * Time to receive the complete request headers (Node: 60 s). Netdata sends a few hundred
 * bytes at once; 10 s cuts off clients that trickle headers (slowloris).
 */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Time to receive the whole request, body included (Node: 300 s). 256 KiB in 30 s is ~70 kbit/s. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * How often Node enforces the two timeouts above. Its default, 30 s, would let a 10 s
 * headers timeout fire only at 30 s.
 */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** Idle time kept between two requests on one connection (Node's default too). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/**
 * Largest request header block, in bytes (Node's default, written down). Netdata sends well
 * under 1 KiB plus the extra headers its user configured. Larger gets 431.
 */
export const MAX_HEADER_SIZE_BYTES = 16 * 1024;

/** Simultaneous connections; more are dropped on accept. Netdata opens a handful at most. */
export const MAX_CONNECTIONS = 256;

/** Default largest body, in bytes. The largest captured Netdata payload is about 4 KiB. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** How long close() waits for in-flight requests before it cuts the remaining connections. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Retry-After sent with a 503 when the store cannot commit (e.g. disk full, locked). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Node flags the CLI runs with: the shebang of src/cli.ts passes them (a test keeps the two
 * equal). `--max-semi-space-size=4` (MB): under load V8 grows its young generation to 3 x 16
 * MB and keeps it. With 4 MB semi-spaces the receiver's RSS after 10,000 notifications was
 * 114 MB instead of 133 MB, for about 4% of its throughput (`npm run bench`, rows 4 and 8;
 * 2 MB cost 15%). A receiver run as `node dist/cli.js serve` or as a library gets them from
 * `NODE_OPTIONS=--max-semi-space-size=4`.
 */
export const RECEIVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/**
 * Default hand-over deadline: how long the answer to a stored notification waits for your
 * `onNotification` handler. Past it Netdata gets its 200 anyway (the notification is
 * committed) and the handler goes on; the receiver logs that it overran. Netdata publishes no
 * delivery timeout; a few seconds stays well inside the 5 s it documents for the CRC answer.
 */
export const HAND_OVER_DEADLINE_MS = 3_000;

/**
 * Most request headers the receiver reads (Node reads 2,000 and silently drops the rest, so a
 * second Authorization past them would go unseen). Netdata sends about ten plus the ones its
 * user configured; a request with more gets 431. The server reads one more, to notice.
 */
export const MAX_REQUEST_HEADERS = 100;
