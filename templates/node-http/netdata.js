// The Netdata Cloud webhook protocol, with no dependencies: CRC challenge, Authorization,
// client identity and payload classification. Pure functions, no I/O: server.js uses them.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Longest crc_token accepted. Netdata sends a UUID (36 chars). */
export const CRC_TOKEN_MAX_LENGTH = 512;
/** Longest Authorization value looked at; real ones are far shorter. */
const AUTHORIZATION_MAX_LENGTH = 4096;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

// ---- legacy CRC challenge -------------------------------------------------------------

/** `{"response_token": "sha256=" + base64(HMAC-SHA256(secret, crc_token))}` */
export function crcResponseBody(secret, crcToken) {
  const digest = createHmac("sha256", secret).update(crcToken, "utf8").digest("base64");
  return { response_token: `sha256=${digest}` };
}

/** Exactly one non-empty, bounded, printable-ASCII `crc_token`, from all its query values. */
export function parseCrcToken(values) {
  if (values.length === 0) return { ok: false, reason: "crc_token query parameter is missing" };
  if (values.length > 1) return { ok: false, reason: "crc_token was given more than once" };
  const token = values[0];
  if (token.length === 0) return { ok: false, reason: "crc_token is empty" };
  if (token.length > CRC_TOKEN_MAX_LENGTH) {
    return { ok: false, reason: `crc_token is longer than ${CRC_TOKEN_MAX_LENGTH} characters` };
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return { ok: false, reason: "crc_token must be printable ASCII without spaces" };
  }
  return { ok: true, token };
}

// ---- Authorization: Basic or Bearer, compared in constant time ------------------------

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest();

/**
 * `config` is {scheme:"none"} | {scheme:"basic", username, password} | {scheme:"bearer", token}.
 * Returns a check over all Authorization values of a request. Credentials are compared as
 * SHA-256 digests with timingSafeEqual, so neither their content nor length leaks by timing.
 */
export function createAuthVerifier(config) {
  if (config.scheme === "none") return () => ({ ok: true });
  const expected =
    config.scheme === "bearer"
      ? sha256(config.token)
      : sha256(`${config.username}:${config.password}`);
  return (values) => {
    const parsed = parseAuthorization(values);
    if (!parsed.ok) return parsed;
    if (parsed.scheme !== config.scheme) return deny(`expected ${config.scheme} credentials`);
    return timingSafeEqual(sha256(parsed.credentials), expected)
      ? { ok: true }
      : deny("credentials do not match");
  };
}

function parseAuthorization(values) {
  if (values.length === 0) return deny("Authorization header is missing");
  if (values.length > 1) return malformed("more than one Authorization header");
  const value = values[0];
  if (value.length > AUTHORIZATION_MAX_LENGTH) return malformed("Authorization header is too long");
  const match = /^([A-Za-z]+) +(\S+)$/.exec(value.trim());
  if (!match) return malformed("Authorization header must be '<scheme> <credentials>'");
  const scheme = match[1].toLowerCase(); // scheme names are case-insensitive (RFC 9110)
  const credentials = match[2];
  if (scheme === "bearer") {
    if (!TOKEN68.test(credentials)) return malformed("Bearer token has characters outside token68");
    return { ok: true, scheme, credentials };
  }
  if (scheme === "basic") {
    // Buffer.from(x, "base64") skips junk characters silently: insist on canonical base64.
    if (!STRICT_BASE64.test(credentials))
      return malformed("Basic credentials are not valid base64");
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    if (!decoded.includes(":")) return malformed("Basic credentials must be 'user:password'");
    return { ok: true, scheme, credentials: decoded };
  }
  return deny(`unsupported Authorization scheme "${match[1]}"`);
}

const deny = (reason) => ({ ok: false, status: 401, reason });
const malformed = (reason) => ({ ok: false, status: 400, reason });

export const isToken68 = (value) => TOKEN68.test(value);

// ---- client identity ------------------------------------------------------------------

/**
 * The TLS peer passes when OpenSSL verified its chain against CLIENT_CA and its subject has
 * exactly one CN, equal to one of `expectedCns`. With two CN attributes Node gives an array:
 * never stringify or substring-match it.
 */
export function checkTlsPeer(socket, expectedCns) {
  if (!socket.authorized) {
    return { ok: false, reason: `client certificate not verified: ${socket.authorizationError}` };
  }
  return checkCn(socket.getPeerCertificate()?.subject?.CN, expectedCns);
}

/**
 * Behind a proxy: the proxy verified the certificate and says so in X-Client-Verify; the
 * subject DN (RFC 4514, e.g. "CN=app.netdata.cloud,O=Netdata") comes in X-Client-DN.
 * The CN is checked again here as a second line of defence.
 */
/** The attribute type of the common name as a DN may spell it (types are upper-cased). */
const CN_TYPES = new Set(["CN", "COMMONNAME", "2.5.4.3"]);

export function checkProxyHeaders(verifyValues, dnValues, expectedCns) {
  if (verifyValues.length !== 1 || verifyValues[0] !== "SUCCESS") {
    return { ok: false, reason: "the proxy did not verify a client certificate (X-Client-Verify)" };
  }
  if (dnValues.length !== 1)
    return { ok: false, reason: "expected exactly one X-Client-DN header" };
  const attributes = parseDistinguishedName(dnValues[0]);
  if (!attributes)
    return { ok: false, reason: "X-Client-DN is not an RFC 4514 distinguished name" };
  // The CN under each of its names: a second CN spelled otherwise is still a second CN.
  const cns = attributes.filter((a) => CN_TYPES.has(a.type)).map((a) => a.value);
  return checkCn(cns.length === 1 ? cns[0] : cns, expectedCns);
}

function checkCn(cn, expectedCns) {
  if (cn === undefined || (Array.isArray(cn) && cn.length === 0)) {
    return { ok: false, reason: "client certificate subject has no CN" };
  }
  if (typeof cn !== "string") {
    return { ok: false, reason: "client certificate subject has more than one CN" };
  }
  if (!expectedCns.includes(cn)) {
    return { ok: false, reason: `client certificate CN ${JSON.stringify(cn)} is not allowed` };
  }
  return { ok: true, cn };
}

/**
 * Splits an RFC 4514 DN (as nginx's $ssl_client_s_dn writes it) into {type, value} pairs,
 * honouring backslash escapes (`\,` and hex pairs like `\C3\A9`) and multi-valued RDNs (`+`).
 * Returns null for anything else, so a DN that cannot be read is never trusted.
 */
export function parseDistinguishedName(dn) {
  const attributes = [];
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf("=", i);
    if (eq < 0) return null;
    const type = dn.slice(i, eq).trim().toUpperCase();
    if (!/^(?:[A-Z][A-Z0-9-]*|\d+(?:\.\d+)*)$/.test(type)) return null;
    const bytes = [];
    for (i = eq + 1; i < dn.length && dn[i] !== "," && dn[i] !== "+"; i++) {
      if (dn[i] !== "\\") {
        bytes.push(...Buffer.from(dn[i], "utf8"));
      } else if (/^[0-9A-Fa-f]{2}$/.test(dn.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(dn.slice(i + 1, i + 3), 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        bytes.push(...Buffer.from(dn[++i], "utf8"));
      } else {
        return null;
      }
    }
    attributes.push({ type, value: Buffer.from(bytes).toString("utf8") });
    if (i < dn.length) i++; // the separator
  }
  return attributes.length > 0 ? attributes : null;
}

// ---- payloads -------------------------------------------------------------------------

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The body as JSON: strict UTF-8 (a byte that is not UTF-8 is refused, never replaced), and
 * no lone surrogate escape such as "\ud800" in any string or key, since such text cannot be
 * written to a UTF-8 log, file or database unchanged. Returns { ok: true, body } or
 * { ok: false, reason } for a 400; the reason never quotes the body, which is not
 * authenticated by anything but the connection.
 */
export function parseBody(raw) {
  let text;
  try {
    text = UTF8.decode(raw);
  } catch {
    return { ok: false, reason: "body is not valid UTF-8" };
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  if (!wellFormed(body, MAX_BODY_DEPTH + 1)) {
    return { ok: false, reason: "body holds a lone surrogate (\\ud800-\\udfff), not Unicode text" };
  }
  return { ok: true, body };
}

function wellFormed(value, levelsLeft) {
  if (typeof value === "string") return value.isWellFormed();
  if (typeof value !== "object" || value === null || levelsLeft === 0) return true;
  return Object.entries(value).every(
    ([key, child]) => key.isWellFormed() && wellFormed(child, levelsLeft - 1),
  );
}

/** Deepest nesting accepted; Netdata's payloads are at most 5 levels deep. */
export const MAX_BODY_DEPTH = 32;
const ALERT_STATES = ["critical", "warning", "clear"];
const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
// JSON.parse makes "__proto__" an own key: read own properties only, never merge bodies.
const own = (o, key) => (isObject(o) && Object.hasOwn(o, key) ? o[key] : undefined);
const isString = (v) => typeof v === "string" && v.length > 0;

/**
 * Recognises the five kinds Netdata Cloud has sent (test, alert flat and nested,
 * reachability flat and nested) by their distinguishing fields, tolerating every historical
 * spelling (alarm/alert, rooms/Rooms, critical_count...) and any unknown field.
 * Returns { ok: true, notification } with a short summary and the body as `original`, or
 * { ok: false, reasons } for a 422.
 */
export function classifyNotification(body) {
  if (!isObject(body)) return rejected("body must be a JSON object");
  if (tooDeep(body, MAX_BODY_DEPTH))
    return rejected(`body is nested deeper than ${MAX_BODY_DEPTH} levels`);
  if (typeof own(body, "message") !== "string") return rejected("message must be a string");
  const alert = own(body, "alert") ?? own(body, "alarm");
  if (isObject(alert)) return nestedAlert(body, alert);
  if (alert !== undefined) return flatAlert(body, alert);
  const status = own(body, "status");
  if (isObject(status)) return flatReachability(body, status);
  if (status !== undefined || own(body, "reachable") !== undefined) {
    return nestedReachability(body, status, own(body, "reachable"));
  }
  if (isString(own(body, "token"))) {
    return accepted("test", "info", body, { title: own(body, "title") ?? null, token: body.token });
  }
  return rejected("not a Netdata notification: none of token, alert, alarm, status, reachable");
}

/** A string field in lower case, or null for anything else (a list or object is never a word). */
const word = (value) => (typeof value === "string" ? value.toLowerCase() : null);

function nestedAlert(body, alert) {
  const status = word(own(own(alert, "state"), "status"));
  if (!isString(own(alert, "name"))) return rejected("alert-nested: alert.name must be a string");
  if (!ALERT_STATES.includes(status)) {
    return rejected("alert-nested: alert.state.status must be Critical, Warning or Clear");
  }
  const node = own(body, "node");
  if (node !== undefined) {
    if (!isString(own(node, "hostname"))) {
      return rejected("alert-nested: node.hostname must be a non-empty string");
    }
    const rooms = own(node, "rooms");
    if (rooms !== undefined && !isRoomList(rooms)) {
      return rejected("alert-nested: node.rooms must be a list of {name, url}");
    }
  }
  if (!isDateOrAbsent(own(alert, "triggered_at"))) {
    return rejected(`alert-nested: alert.triggered_at must be ${RFC3339_EXAMPLE}`);
  }
  return accepted("alert-nested", status, body, {
    alertName: alert.name,
    host: node === undefined ? null : node.hostname,
  });
}

function flatAlert(body, alert) {
  const severity = word(own(body, "severity"));
  if (!isString(alert)) return rejected("alert-flat: alert (or alarm) must be a non-empty string");
  if (!ALERT_STATES.includes(severity)) {
    return rejected("alert-flat: severity must be critical, warning or clear");
  }
  if (!isDateOrAbsent(own(body, "date"))) {
    return rejected(`alert-flat: date must be ${RFC3339_EXAMPLE}`);
  }
  for (const field of ["rooms", "Rooms"]) {
    const rooms = own(body, field);
    if (rooms !== undefined && !isRoomList(rooms) && !isRoomMap(rooms)) {
      return rejected(`alert-flat: ${field} must map room names to URLs, or list {name, url}`);
    }
  }
  for (const field of ALERT_COUNTS) {
    const count = own(body, field);
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) {
      return rejected(`alert-flat: ${field} must be a whole number, 0 or more`);
    }
  }
  return accepted("alert-flat", severity, body, { alertName: alert });
}

/** The counts of other active alerts (the first 2023-01 version: critical_count, warning_count). */
const ALERT_COUNTS = [
  "additional_active_critical_alerts",
  "additional_active_warning_alerts",
  "critical_count",
  "warning_count",
];

const isRoomList = (v) =>
  Array.isArray(v) &&
  v.every((room) => {
    const url = own(room, "url");
    return typeof own(room, "name") === "string" && (url == null || typeof url === "string");
  });
const isRoomMap = (v) => isObject(v) && Object.values(v).every((url) => typeof url === "string");

const RFC3339_EXAMPLE = "an RFC 3339 date-time with an offset, e.g. 2026-04-10T22:11:48-05:00";
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Absent, or an RFC 3339 date-time with an offset as Netdata (Go) writes it, on a real
 * calendar day: Date.parse alone would roll February 30 over to March 2.
 */
function isDateOrAbsent(value) {
  if (value === undefined) return true;
  const match = typeof value === "string" ? RFC3339.exec(value) : null;
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetH = 0, offsetM = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetH <= 23 &&
    offsetM <= 59
  );
}

function flatReachability(body, status) {
  const reachable = own(status, "reachable");
  if (typeof reachable !== "boolean") {
    return rejected("reachability-flat: status.reachable must be a boolean");
  }
  if (!isString(own(body, "host"))) return rejected("reachability-flat: host must be a string");
  const text = word(own(status, "text"));
  const known = text === "reachable" || text === "unreachable";
  if (known && text !== (reachable ? "reachable" : "unreachable")) {
    return rejected(`reachability-flat: status.text contradicts status.reachable (${reachable})`);
  }
  return accepted("reachability-flat", reachable ? "info" : "critical", body, { host: body.host });
}

function nestedReachability(body, status, reachable) {
  const nodes = own(body, "nodes");
  if (
    !Array.isArray(nodes) ||
    nodes.length === 0 ||
    !nodes.every((n) => isString(own(n, "hostname")))
  ) {
    return rejected("reachability-nested: nodes must be a non-empty list of {hostname}");
  }
  if (reachable !== undefined && typeof reachable !== "boolean") {
    return rejected("reachability-nested: reachable must be a boolean");
  }
  const text = word(status);
  if (status !== undefined && text !== "reachable" && text !== "unreachable") {
    return rejected("reachability-nested: status must be reachable or unreachable");
  }
  if (reachable !== undefined && status !== undefined && reachable !== (text === "reachable")) {
    return rejected(`reachability-nested: status contradicts reachable (${reachable})`);
  }
  const up = reachable ?? text === "reachable";
  return accepted("reachability-nested", up ? "info" : "critical", body, {
    host: nodes[0].hostname,
  });
}

function tooDeep(value, levelsLeft) {
  if (typeof value !== "object" || value === null) return false;
  if (levelsLeft === 0) return true;
  return Object.values(value).some((child) => tooDeep(child, levelsLeft - 1));
}

const rejected = (reason) => ({ ok: false, reasons: [reason] });
const accepted = (kind, severity, body, fields) => ({
  ok: true,
  notification: {
    kind,
    severity,
    message: body.message,
    title: null,
    host: null,
    alertName: null,
    token: null,
    ...fields,
    original: body,
  },
});

/**
 * Netdata sends no event id, so a redelivery is recognised by its content: the SHA-256 of
 * the body re-serialised with sorted keys (key order and whitespace do not matter).
 */
export function contentKey(body) {
  const canonical = (v) => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (!isObject(v)) return JSON.stringify(v);
    const members = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`);
    return `{${members.join(",")}}`;
  };
  return createHash("sha256").update(canonical(body)).digest("hex");
}
