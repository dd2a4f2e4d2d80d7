"""The Netdata Cloud webhook protocol with the standard library only: CRC challenge,
Authorization, the identity the TLS proxy forwards, and payload classification.
Pure functions, no Flask: app.py uses them."""

import base64
import binascii
import datetime
import hashlib
import hmac
import json
import re

CRC_TOKEN_MAX_LENGTH = 512  # Netdata sends a UUID (36 characters)
AUTHORIZATION_MAX_LENGTH = 4096  # real Authorization values are far shorter
MAX_BODY_DEPTH = 32  # Netdata's payloads are at most 5 levels deep
ALERT_STATES = ("critical", "warning", "clear")

_STRICT_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")
_TOKEN68 = re.compile(r"^[A-Za-z0-9\-._~+/]+=*\Z")
_PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+\Z")
_AUTHORIZATION = re.compile(r"^([A-Za-z]+) +(\S+)\Z")
_ATTRIBUTE_TYPE = re.compile(r"^(?:[A-Z][A-Z0-9-]*|\d+(?:\.\d+)*)\Z", re.ASCII)


# ---- legacy CRC challenge ---------------------------------------------------------------

def crc_response_body(secret, crc_token):
    """{"response_token": "sha256=" + base64(HMAC-SHA256(secret, crc_token))}"""
    digest = hmac.new(secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return {"response_token": "sha256=" + base64.b64encode(digest).decode()}


def parse_crc_token(values):
    """Exactly one non-empty, bounded, printable-ASCII crc_token. Returns (token, reason)."""
    if not values:
        return None, "crc_token query parameter is missing"
    if len(values) > 1:
        return None, "crc_token was given more than once"
    token = values[0]
    if token == "":
        return None, "crc_token is empty"
    if len(token) > CRC_TOKEN_MAX_LENGTH:
        return None, f"crc_token is longer than {CRC_TOKEN_MAX_LENGTH} characters"
    if not _PRINTABLE_ASCII.match(token):
        return None, "crc_token must be printable ASCII without spaces"
    return token, None


# ---- Authorization: Basic or Bearer, compared in constant time --------------------------

def is_token68(value):
    return bool(_TOKEN68.match(value))


def _sha256(text):
    return hashlib.sha256(text.encode()).digest()


class AuthVerifier:
    """Checks every Authorization value of a request against one configuration:
    {"scheme": "none"}, {"scheme": "basic", "username", "password"} or
    {"scheme": "bearer", "token"}. Credentials are compared as SHA-256 digests with
    hmac.compare_digest, so neither their content nor their length leaks by timing."""

    def __init__(self, config):
        self.scheme = config["scheme"]
        if self.scheme == "bearer":
            self._expected = _sha256(config["token"])
        elif self.scheme == "basic":
            self._expected = _sha256(f"{config['username']}:{config['password']}")

    def check(self, values):
        """Returns (status, reason): status None when the request may pass, else 400 or 401."""
        if self.scheme == "none":
            return None, None
        scheme, credentials, status, reason = _parse_authorization(values)
        if status:
            return status, reason
        if scheme != self.scheme:
            return 401, f"expected {self.scheme} credentials"
        if not hmac.compare_digest(_sha256(credentials), self._expected):
            return 401, "credentials do not match"
        return None, None


def _parse_authorization(values):
    if not values:
        return None, None, 401, "Authorization header is missing"
    if len(values) > 1:
        return None, None, 400, "more than one Authorization header"
    value = values[0]
    if len(value) > AUTHORIZATION_MAX_LENGTH:
        return None, None, 400, "Authorization header is too long"
    match = _AUTHORIZATION.match(value.strip())
    if not match:
        return None, None, 400, "Authorization header must be '<scheme> <credentials>'"
    scheme, credentials = match.group(1).lower(), match.group(2)  # RFC 9110: any letter case
    if scheme == "bearer":
        if not _TOKEN68.match(credentials):
            return None, None, 400, "Bearer token has characters outside token68"
        return scheme, credentials, None, None
    if scheme == "basic":
        if not _STRICT_BASE64.match(credentials):
            return None, None, 400, "Basic credentials are not valid base64"
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None, 400, "Basic credentials are not valid base64 of UTF-8"
        if ":" not in decoded:
            return None, None, 400, "Basic credentials must be 'user:password'"
        return scheme, decoded, None, None
    return None, None, 401, f"unsupported Authorization scheme {match.group(1)!r}"


# ---- client identity, as forwarded by the TLS proxy --------------------------------------

_JOINED = re.compile(r"(?<!\\),\s")


def check_proxy_identity(verify_values, dn_values, expected_cns):
    """The proxy verified the client chain ("SUCCESS" in X-Client-Verify) and forwards the
    subject DN (RFC 4514, "CN=app.netdata.cloud,O=...") in X-Client-DN. The CN is checked
    again here: exactly one CN attribute, equal to an allowed name. Returns a reason or None."""
    if verify_values != ["SUCCESS"]:
        return "the proxy did not verify a client certificate (X-Client-Verify)"
    if len(dn_values) != 1 or _JOINED.search(dn_values[0]):
        # Waitress joins repeated headers with ", ", which RFC 4514 never writes (a space
        # after a separator would be escaped), so such a value is two headers.
        return "expected exactly one X-Client-DN header"
    attributes = parse_distinguished_name(dn_values[0])
    if attributes is None:
        return "X-Client-DN is not an RFC 4514 distinguished name"
    # The CN under each of its names: a second CN spelled otherwise is still a second CN.
    cns = [value for kind, value in attributes if kind in ("CN", "COMMONNAME", "2.5.4.3")]
    if not cns:
        return "client certificate subject has no CN"
    if len(cns) > 1:
        return "client certificate subject has more than one CN"
    if cns[0] not in expected_cns:
        return f"client certificate CN {cns[0]!r} is not allowed"
    return None


def parse_distinguished_name(dn):
    """Splits an RFC 4514 DN (as nginx's $ssl_client_s_dn writes it) into (type, value)
    pairs, honouring backslash escapes ("\\," and hex pairs like "\\C3\\A9") and
    multi-valued RDNs ("+"). Returns None for anything else: an unreadable DN is never trusted."""
    attributes = []
    i = 0
    while i < len(dn):
        eq = dn.find("=", i)
        if eq < 0:
            return None
        kind = dn[i:eq].strip().upper()
        if not _ATTRIBUTE_TYPE.match(kind):
            return None
        value = bytearray()
        i = eq + 1
        while i < len(dn) and dn[i] not in ",+":
            if dn[i] != "\\":
                value += dn[i].encode()
            elif re.match(r"^[0-9A-Fa-f]{2}$", dn[i + 1:i + 3]):
                value.append(int(dn[i + 1:i + 3], 16))
                i += 2
            elif i + 1 < len(dn):
                i += 1
                value += dn[i].encode()
            else:
                return None
            i += 1
        try:
            attributes.append((kind, value.decode("utf-8")))
        except UnicodeDecodeError:
            return None
        i += 1  # the separator
    return attributes or None


# ---- payloads ---------------------------------------------------------------------------

class BodyError(ValueError):
    """A body that is not strict UTF-8 JSON; str(error) is the reason, quoting nothing of it."""


def parse_json(raw):
    """Parses a body as strict UTF-8 JSON: no NaN or Infinity, and no lone surrogate escape
    ("\\ud800") in any string or key, since such text cannot be encoded as UTF-8 for a log, a
    file or a database (json.loads lets it through). Raises BodyError with a reason that
    echoes nothing of the body, which nothing but the connection has authenticated yet."""
    def reject_constant(_name):
        raise BodyError("body is not valid JSON (NaN and Infinity are not JSON)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("body is not valid UTF-8") from None
    try:
        body = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise BodyError("body is nested too deeply") from None
    except json.JSONDecodeError as e:
        raise BodyError(f"body is not valid JSON (line {e.lineno}, column {e.colno})") from None
    if _has_lone_surrogate(body, MAX_BODY_DEPTH + 1):
        raise BodyError("body holds a lone surrogate (\\ud800-\\udfff), not Unicode text")
    return body


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _has_lone_surrogate(value, levels_left):
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if levels_left == 0:
        return False
    if isinstance(value, dict):
        return any(_SURROGATE.search(k) or _has_lone_surrogate(v, levels_left - 1)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v, levels_left - 1) for v in value)
    return False


def classify_notification(body):
    """Recognises the five kinds Netdata Cloud has sent (test, alert flat and nested,
    reachability flat and nested) by their distinguishing fields, tolerating every historical
    spelling (alarm/alert, rooms/Rooms, critical_count...) and any unknown field.
    Returns (summary, None), the summary holding the unchanged body as "original", or
    (None, reason) for a 422."""
    if not isinstance(body, dict):
        return None, "body must be a JSON object"
    if _too_deep(body, MAX_BODY_DEPTH):
        return None, f"body is nested deeper than {MAX_BODY_DEPTH} levels"
    if not isinstance(body.get("message"), str):
        return None, "message must be a string"
    alert = body["alert"] if body.get("alert") is not None else body.get("alarm")
    if isinstance(alert, dict):
        return _nested_alert(body, alert)
    if alert is not None:
        return _flat_alert(body, alert)
    status = body.get("status")
    if isinstance(status, dict):
        return _flat_reachability(body, status)
    if "status" in body or "reachable" in body:
        return _nested_reachability(body, status)
    if _is_text(body.get("token")):
        return _summary("test", "info", body, title=body.get("title"), token=body["token"]), None
    return None, "not a Netdata notification: none of token, alert, alarm, status, reachable"


def _nested_alert(body, alert):
    state = alert.get("state")
    status = state.get("status") if isinstance(state, dict) else None
    if not _is_text(alert.get("name")):
        return None, "alert-nested: alert.name must be a string"
    if not isinstance(status, str) or status.lower() not in ALERT_STATES:
        return None, "alert-nested: alert.state.status must be Critical, Warning or Clear"
    node = body.get("node")
    if node is not None:
        if not isinstance(node, dict) or not _is_text(node.get("hostname")):
            return None, "alert-nested: node.hostname must be a non-empty string"
        if "rooms" in node and not _is_room_list(node["rooms"]):
            return None, "alert-nested: node.rooms must be a list of {name, url}"
    if "triggered_at" in alert and not _is_rfc3339(alert["triggered_at"]):
        return None, f"alert-nested: alert.triggered_at must be {RFC3339_EXAMPLE}"
    return _summary("alert-nested", status.lower(), body, alert_name=alert["name"],
                    host=node["hostname"] if node is not None else None), None


def _flat_alert(body, alert):
    severity = body.get("severity")
    if not _is_text(alert):
        return None, "alert-flat: alert (or alarm) must be a non-empty string"
    if not isinstance(severity, str) or severity.lower() not in ALERT_STATES:
        return None, "alert-flat: severity must be critical, warning or clear"
    if "date" in body and not _is_rfc3339(body["date"]):
        return None, f"alert-flat: date must be {RFC3339_EXAMPLE}"
    for field in ("rooms", "Rooms"):
        if field in body and not (_is_room_list(body[field]) or _is_room_map(body[field])):
            return None, f"alert-flat: {field} must map room names to URLs, or list {{name, url}}"
    for field in ALERT_COUNTS:
        count = body.get(field)
        if field in body and not (type(count) is int and count >= 0):
            return None, f"alert-flat: {field} must be a whole number, 0 or more"
    return _summary("alert-flat", severity.lower(), body, alert_name=alert), None


# The counts of other active alerts (the first 2023-01 version: critical_count, warning_count).
ALERT_COUNTS = ("additional_active_critical_alerts", "additional_active_warning_alerts",
                "critical_count", "warning_count")


def _is_room_list(value):
    return isinstance(value, list) and all(
        isinstance(room, dict) and isinstance(room.get("name"), str)
        and (room.get("url") is None or isinstance(room["url"], str)) for room in value)


def _is_room_map(value):
    return isinstance(value, dict) and all(isinstance(url, str) for url in value.values())


RFC3339_EXAMPLE = "an RFC 3339 date-time with an offset, e.g. 2026-04-10T22:11:48-05:00"
_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?"
                      r"(?:[Zz]|[+-](\d{2}):(\d{2}))\Z", re.ASCII)


def _is_rfc3339(value):
    """An RFC 3339 date-time with an offset as Netdata (Go) writes it, on a real calendar day."""
    match = _RFC3339.match(value) if isinstance(value, str) else None
    if not match:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    offset_h, offset_m = (int(part or 0) for part in match.groups()[6:])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return hour <= 23 and minute <= 59 and second <= 59 and offset_h <= 23 and offset_m <= 59


def _flat_reachability(body, status):
    reachable = status.get("reachable")
    if not isinstance(reachable, bool):
        return None, "reachability-flat: status.reachable must be a boolean"
    if not _is_text(body.get("host")):
        return None, "reachability-flat: host must be a string"
    text = status.get("text")
    text = text.lower() if isinstance(text, str) else None
    if text in ("reachable", "unreachable") and text != ("reachable" if reachable else "unreachable"):
        return None, f"reachability-flat: status.text contradicts status.reachable ({reachable})"
    severity = "info" if reachable else "critical"
    return _summary("reachability-flat", severity, body, host=body["host"]), None


def _nested_reachability(body, status):
    nodes = body.get("nodes")
    reachable = body.get("reachable")
    if not isinstance(nodes, list) or not nodes or not all(
            isinstance(n, dict) and _is_text(n.get("hostname")) for n in nodes):
        return None, "reachability-nested: nodes must be a non-empty list of {hostname}"
    if reachable is not None and not isinstance(reachable, bool):
        return None, "reachability-nested: reachable must be a boolean"
    word = status.lower() if isinstance(status, str) else None
    if status is not None and word not in ("reachable", "unreachable"):
        return None, "reachability-nested: status must be reachable or unreachable"
    if reachable is not None and status is not None and reachable != (word == "reachable"):
        return None, f"reachability-nested: status contradicts reachable ({reachable})"
    up = reachable if reachable is not None else word == "reachable"
    severity = "info" if up else "critical"
    return _summary("reachability-nested", severity, body, host=nodes[0]["hostname"]), None


def _is_text(value):
    return isinstance(value, str) and value != ""


def _too_deep(value, levels_left):
    if isinstance(value, dict):
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return False
    if levels_left == 0:
        return True
    return any(_too_deep(child, levels_left - 1) for child in children)


def _summary(kind, severity, body, title=None, host=None, alert_name=None, token=None):
    return {"kind": kind, "severity": severity, "message": body["message"], "title": title,
            "host": host, "alert_name": alert_name, "token": token, "original": body}


def content_key(body):
    """Netdata sends no event id, so a redelivery is recognised by its content: the SHA-256
    of the body re-serialised with sorted keys (key order and whitespace do not matter)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
