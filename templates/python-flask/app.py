"""A Netdata Cloud webhook receiver: Flask behind the TLS proxy that
`netdata-webhook-kit proxy nginx` generates. README.md explains the configuration
(environment variables), the deployment and how to verify it."""

import argparse
import ipaddress
import json
import logging
import os
import sys
import threading
import unicodedata
from collections import OrderedDict


def _install_hint(module):
    """How to get `module` for the interpreter running this file: Debian's packages serve
    /usr/bin/python3 only, not a pyenv or venv python3 found first on the PATH."""
    return (f"{module} is not installed for {sys.executable}: apt-get install python3-flask "
            "python3-waitress (for /usr/bin/python3: run /usr/bin/python3 app.py), or "
            f"{sys.executable} -m pip install -r requirements.txt")


try:
    from flask import Flask, jsonify, request
    from werkzeug.exceptions import HTTPException
except ImportError:
    print(f"configuration error: {_install_hint('flask')}", file=sys.stderr)
    sys.exit(2)

from netdata_protocol import (
    AuthVerifier,
    BodyError,
    check_proxy_identity,
    classify_notification,
    content_key,
    crc_response_body,
    is_token68,
    parse_crc_token,
    parse_json,
)

log = logging.getLogger("netdata-receiver")

# How long a request may take to arrive, as the Node receivers' 30 s request timeout. Waitress
# cannot answer 408: it closes a connection that has been silent this long (see README.md).
REQUEST_TIMEOUT_SECONDS = 30
# Connections waitress keeps open at once (its own default too); more wait in the kernel's
# backlog. Waitress has no per-address limit: see README.md, "Limits".
CONNECTION_LIMIT = 100
# How often waitress looks for such connections (its default, 30 s, would double the wait).
TIMEOUT_CHECK_INTERVAL_SECONDS = 1


def handle_notification(notification):
    """>>> YOUR CODE GOES HERE <<<
    Called once per distinct notification, after the proxy's mTLS check, auth and validation,
    with a summary: kind, severity, message, title, host, alert_name, token and original,
    the parsed body exactly as Netdata sent it, unknown fields included.
    Raising makes the receiver answer 500, so that Netdata may deliver it again."""
    if notification["kind"] == "test":
        # Netdata's setup flow: paste this token into the webhook form in Netdata Cloud.
        # JSON-quoted, so spaces or odd characters in a token cannot blur where it starts and ends.
        log.info("TEST NOTIFICATION: token %s (paste it into Netdata Cloud)",
                 json.dumps(notification["token"]))
        return
    log.info("%s %s: %s", notification["kind"], notification["severity"], notification["message"])


# ---- configuration ----------------------------------------------------------------------

class ConfigError(Exception):
    pass


def load_config(env):
    """Reads and checks the whole configuration once; raises ConfigError naming the variable."""
    if env.get("BEHIND_PROXY", "1") not in ("1", "true", "yes"):
        raise ConfigError("this app runs only behind the TLS proxy (BEHIND_PROXY=1); see README.md")
    host = env.get("HOST") or "127.0.0.1"
    trusted = _trusted_proxies(env.get("TRUST_PROXY"))
    if not _is_loopback(host) and not env.get("TRUST_PROXY"):
        # The proxy's X-Client-* headers are only trustworthy from the proxy itself.
        raise ConfigError(f"HOST must be a loopback address (127.0.0.1 or ::1), got {host!r}; "
                          "or set TRUST_PROXY to the proxy's address (ADDR or CIDR, "
                          "comma-separated)")
    path = env.get("WEBHOOK_PATH") or "/webhooks/netdata"
    if not path.startswith("/"):
        raise ConfigError(f"WEBHOOK_PATH must start with '/', got {path!r}")
    allowed = env.get("EXPECTED_CN") or "app.netdata.cloud"
    cns = [cn.strip() for cn in allowed.split(",") if cn.strip()]
    if not cns:
        raise ConfigError("EXPECTED_CN must name at least one CN")
    return {
        "host": host,
        "trusted_proxies": trusted,
        "connection_limit": _integer(env, "CONNECTION_LIMIT", CONNECTION_LIMIT, 1, 10000),
        "dev": env.get("DEV", "0") in ("1", "true", "yes"),
        "port": _integer(env, "PORT", 8080, 0, 65535),
        "request_timeout": _integer(env, "REQUEST_TIMEOUT_SECONDS", REQUEST_TIMEOUT_SECONDS,
                                    1, 3600),
        "webhook_path": path,
        "expected_cns": cns,
        "auth": _auth(env),
        "challenge_secret": _secret(env, "CHALLENGE_SECRET"),
        "max_body_bytes": _integer(env, "MAX_BODY_BYTES", 256 * 1024, 1, 2**31),
    }


def _trusted_proxies(value):
    """TRUST_PROXY: comma-separated addresses or CIDR blocks, default the loopback addresses.
    Returns a predicate on a peer address; an IPv4 peer seen as ::ffff:a.b.c.d matches a.b.c.d."""
    networks = []
    for entry in [e.strip() for e in (value or "127.0.0.0/8,::1").split(",") if e.strip()]:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(f"TRUST_PROXY: expected ADDR or ADDR/PREFIX (e.g. 10.0.0.5 or "
                              f"10.0.0.0/24), got {entry!r}") from None
    if not networks:
        raise ConfigError("TRUST_PROXY must name at least one address")

    def trusts(peer):
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        address = getattr(address, "ipv4_mapped", None) or address
        return any(address.version == n.version and address in n for n in networks)
    return trusts


def _is_loopback(host):
    """True for a literal loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z) or the name
    "localhost", which RFC 6761 reserves for loopback. A name is never judged by how it starts:
    "127.attacker.example" resolves wherever its owner likes."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _auth(env):
    """AUTH, or when it is unset or empty the scheme of the credentials that are set: a
    forgotten AUTH line must not leave the endpoint open while a token is configured."""
    given = [name for name in ("BEARER_TOKEN", "BASIC_USER", "BASIC_PASSWORD")
             if env.get(name) or env.get(name + "_FILE")]
    scheme = (env.get("AUTH") or "").strip().lower()
    if not scheme:
        bearer = "BEARER_TOKEN" in given
        basic = "BASIC_USER" in given or "BASIC_PASSWORD" in given
        if bearer and basic:
            raise ConfigError("both BEARER_TOKEN and BASIC_USER/BASIC_PASSWORD are set; "
                              "set AUTH=bearer or AUTH=basic, or remove the other")
        scheme = "bearer" if bearer else "basic" if basic else "none"
    if scheme == "none":
        if given:
            raise ConfigError(f"AUTH=none, but {' and '.join(given)} "
                              f"{'is' if len(given) == 1 else 'are'} set: requests would be "
                              "accepted without them; set AUTH=bearer or AUTH=basic, or remove "
                              "the credentials")
        return {"scheme": scheme}
    if scheme == "bearer":
        token = _secret(env, "BEARER_TOKEN")
        if not token:
            raise ConfigError("AUTH=bearer needs BEARER_TOKEN (or BEARER_TOKEN_FILE)")
        if not is_token68(token):
            raise ConfigError(
                f"BEARER_TOKEN ({len(token)} chars) may only hold A-Z a-z 0-9 - . _ ~ + / (and = padding at the end)")
        return {"scheme": scheme, "token": token}
    if scheme == "basic":
        user, password = env.get("BASIC_USER"), _secret(env, "BASIC_PASSWORD")
        if not user or ":" in user:
            raise ConfigError("AUTH=basic needs BASIC_USER, without ':'")
        if not password:
            raise ConfigError("AUTH=basic needs BASIC_PASSWORD (or BASIC_PASSWORD_FILE)")
        return {"scheme": scheme, "username": user, "password": password}
    raise ConfigError(f"AUTH must be none, basic or bearer, got {env.get('AUTH')!r}")


def _secret(env, name):
    """A secret from NAME, or from the file named by NAME_FILE (systemd credentials, secrets)."""
    if env.get(name) and env.get(name + "_FILE"):
        raise ConfigError(f"set {name} or {name}_FILE, not both")
    path = env.get(name + "_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().removesuffix("\n").removesuffix("\r") or None
        except OSError as error:
            raise ConfigError(f"failed to read {name}_FILE {path!r}: {error.strerror}. Create "
                              f"it with: openssl rand -hex 32 > {path}") from None
    return env.get(name) or None


def _integer(env, name, default, low, high):
    value = env.get(name)
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ConfigError(f"{name} must be an integer {low}-{high}, got {value!r}")
    return int(value)


# ---- the application --------------------------------------------------------------------

RECENT_KEYS_MAX = 10_000  # content keys remembered to recognise redeliveries


class Handover:
    """One notification handed to handle_notification; copies that arrive meanwhile wait."""

    def __init__(self):
        self._done = threading.Event()
        self._ok = False

    def finish(self, ok):
        self._ok = ok
        self._done.set()

    def wait(self):
        """Blocks until the hand-over finished; True when handle_notification returned."""
        self._done.wait()
        return self._ok


def create_app(config):
    app = Flask(__name__)
    verifier = AuthVerifier(config["auth"])
    scheme = "Basic" if config["auth"]["scheme"] == "basic" else "Bearer"
    challenge = f'{scheme} realm="netdata-webhook"'
    recent, recent_lock = OrderedDict(), threading.Lock()

    def error(status, message, headers=None, **extra):
        return jsonify(error=message, **extra), status, headers or {}

    @app.before_request
    def require_verified_client():
        if not config["trusted_proxies"](request.remote_addr):
            # Anyone else could forge X-Client-Verify and X-Client-DN.
            log.warning("refused %s from %s: not a trusted proxy (TRUST_PROXY)", request.method,
                        request.remote_addr)
            return error(403, "this peer is not a trusted proxy")
        reason = check_proxy_identity(request.headers.getlist("X-Client-Verify"),
                                      request.headers.getlist("X-Client-DN"),
                                      config["expected_cns"])
        if reason:
            log.warning("refused %s from the proxy: %s", request.method, reason)
            return error(403, "client certificate rejected: " + reason)
        return None

    @app.route(config["webhook_path"], methods=["GET", "POST"], provide_automatic_options=False)
    def webhook():
        if request.method == "GET":
            return answer_challenge()
        status, reason = verifier.check(request.headers.getlist("Authorization"))
        if status:
            log.warning("refused POST: %s", reason)
            return error(status, reason, {"WWW-Authenticate": challenge} if status == 401 else None)
        return receive_notification()

    def answer_challenge():
        if not config["challenge_secret"]:
            return error(404, "the legacy crc_token challenge is not configured (CHALLENGE_SECRET)")
        token, reason = parse_crc_token(request.args.getlist("crc_token"))
        if reason:
            return error(400, reason)
        log.info("answered a crc_token challenge")
        return jsonify(crc_response_body(config["challenge_secret"], token))

    def receive_notification():
        content_types = request.headers.getlist("Content-Type")
        # Waitress joins repeated headers with ", ": a comma means a second Content-Type.
        if len(content_types) != 1 or "," in content_types[0]:
            return error(415, "send exactly one Content-Type: application/json")
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if request.mimetype != "application/json" or charset != "utf-8":
            return error(415, "Content-Type must be application/json (UTF-8)")
        if request.headers.get("Content-Encoding", "identity") != "identity":
            return error(415, "Content-Encoding is not supported; send plain JSON")
        limit = config["max_body_bytes"]
        raw = b"" if (request.content_length or 0) > limit else request.stream.read(limit + 1)
        if len(raw) > limit or (request.content_length or 0) > limit:
            return error(413, f"body is larger than {limit} bytes")
        if not raw:
            return error(400, "body is empty")
        try:
            body = parse_json(raw)
        except BodyError as e:
            return error(400, str(e))
        notification, reason = classify_notification(body)
        if reason:
            return error(422, "not a Netdata notification", reasons=[reason])
        key = content_key(body)
        with recent_lock:
            earlier = recent.get(key)
            if earlier is None:
                handover = recent[key] = Handover()
                if len(recent) > RECENT_KEYS_MAX:
                    recent.popitem(last=False)
        if earlier is not None:
            # A copy that arrives while the first is still being handled waits for it, and is
            # never answered 200 for a hand-over that failed.
            if not earlier.wait():
                return error(503, "the first copy of this notification failed; deliver it again")
            return jsonify(status="duplicate", kind=notification["kind"])
        try:
            handle_notification(notification)
        except Exception:
            with recent_lock:
                if recent.get(key) is handover:
                    del recent[key]  # not handled: a redelivery must be handled again
            handover.finish(False)
            raise
        handover.finish(True)
        return jsonify(status="accepted", kind=notification["kind"])

    @app.errorhandler(HTTPException)
    def http_error(e):
        headers = {"Allow": "GET, POST"} if e.code == 405 else None
        return error(e.code, e.description, headers)

    @app.errorhandler(Exception)
    def internal_error(e):
        log.exception("error while handling %s %s", request.method, request.path)
        return error(500, "internal error; see the receiver's log")

    @app.after_request
    def security_headers(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    return app


# Hangul fillers are letters (Lo) that render as nothing: escaped with the invisible characters.
_INVISIBLE_LETTERS = "\u115f\u1160\u3164\uffa0"
# Controls, line and paragraph separators, format characters (bidi controls, zero widths, tags)
# and code points this Python does not know yet, by the standard library's Unicode categories.
_UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cn")


class EscapingFormatter(logging.Formatter):
    """One line per message: notification text is logged, so every control, bidi or invisible
    character in it is written as \\uXXXX. A message cannot start a forged line of its own,
    such as a fake "TEST NOTIFICATION: token" line, nor drive, reorder or hide text on the
    terminal. (A traceback that log.exception adds after the message keeps its lines.)"""

    def formatMessage(self, record):
        return "".join(_escape(c) if unicodedata.category(c) in _UNSAFE_CATEGORIES
                       or c in _INVISIBLE_LETTERS else c
                       for c in super().formatMessage(record))


def _escape(char):
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # as a UTF-16 surrogate pair, the way JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def settings_from(argv, env):
    """The environment over the NAME=value lines of `--env-file FILE` (blank lines and #
    comments skipped), as Node's --env-file reads dev.env: a variable already set wins."""
    parser = argparse.ArgumentParser(
        prog="python3 app.py", description="Settings are environment variables: see README.md.")
    parser.add_argument("--env-file", metavar="FILE", help="NAME=value lines, e.g. dev.env")
    path = parser.parse_args(argv).env_file  # a bad argument: usage and exit 2
    if path is None:
        return env
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeError) as e:
        raise ConfigError(f"--env-file {path!r}: {getattr(e, 'strerror', None) or e}") from None
    settings = {}
    for number, line in enumerate(lines, 1):
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            if not sep:
                raise ConfigError(f"--env-file {path!r}, line {number}: expected NAME=value")
            settings[name.strip()] = value.strip()
    return {**settings, **env}


def main():
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    try:
        config = load_config(settings_from(sys.argv[1:], dict(os.environ)))
    except ConfigError as e:
        print(f"configuration error: {e}", file=sys.stderr)
        sys.exit(2)
    app = create_app(config)
    try:
        from waitress import create_server
    except ImportError:
        create_server = None
    if create_server is None and not config["dev"]:
        print(f"configuration error: {_install_hint('waitress')}; DEV=1 runs Flask's "
              "development server instead, for local experiments only", file=sys.stderr)
        sys.exit(2)
    try:
        if create_server:
            server = create_server(app, host=config["host"], port=config["port"], threads=8,
                                   ident="netdata-receiver",
                                   channel_timeout=config["request_timeout"],
                                   cleanup_interval=TIMEOUT_CHECK_INTERVAL_SECONDS,
                                   connection_limit=config["connection_limit"])
            port = int(server.effective_port)
        else:
            from werkzeug.serving import make_server
            log.warning("DEV=1 and waitress is not installed: using Flask's development server, "
                        "not for production")
            server = make_server(config["host"], config["port"], app, threaded=True)
            port = server.server_port
    except (OSError, ValueError) as e:
        print(f"configuration error: cannot listen on HOST={config['host']!r} "
              f"PORT={config['port']}: {str(e).rstrip('.')}; use an address of this machine such as 127.0.0.1 "
              "or ::1", file=sys.stderr)
        sys.exit(2)
    log.info("listening on http://%s:%d%s (auth %s, behind a proxy)", config["host"], port,
             config["webhook_path"], config["auth"]["scheme"])
    sys.stdout.flush()
    try:
        server.run() if create_server else server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
