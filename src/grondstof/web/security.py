"""The web app's defences in one place: security headers, the Host check, control characters in URLs, safe
download file names, and the answer to an unexpected server error.

:class:`Harden` is one ASGI middleware (the outermost one) that, for every HTTP request:

* refuses a ``Host`` header that is not an allowed host (DNS rebinding: a page on an attacker's domain that
  resolves to 127.0.0.1 would otherwise read the dashboard) with 400, and a cross-site ``Origin`` on any
  method other than GET/HEAD/OPTIONS with 403 (a form on another site posting to the local server);
* refuses a control character (CR, LF, NUL, … Unicode category Cc) in the path or in any query parameter
  with 400 naming the parameter, so no user text can reach a response header or a log line with one;
* adds ``Content-Security-Policy``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
  ``X-Frame-Options`` and ``Cross-Origin-Opener-Policy`` to every response;
* answers an exception that escapes every inner layer with a 500 that says ``Connection: close`` (the
  server closes the connection after an exception, and a keep-alive client must be told so) before
  re-raising it for the server's log. In the served app the request guard inside it
  (:class:`grondstof.web.app.Guard`) already answers such errors with :func:`answer_without_app` (the
  same problem+json or error page, logged, and the keep-alive connection stays usable), so this is the
  last line only.

:func:`content_disposition` builds a ``Content-Disposition`` header from a safe ASCII file name plus the
UTF-8 name as ``filename*`` (RFC 6266, RFC 8187), never from raw input.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Names a browser on this machine uses for the loopback server.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# The Host that Starlette's TestClient sends. A single-label name that no public DNS answers, so a page on
# another site can never carry it: accepting it lets in-process tests and embedders use the default app.
TEST_HOST = "testserver"
DEFAULT_ALLOWED_HOSTS = (*LOOPBACK_HOSTS, TEST_HOST)
ANY_HOST = "*"

# The dashboard loads scripts, styles, fonts and images from itself only and runs no inline script.
# 'unsafe-eval': Vega compiles chart expressions with Function() (the bundle has no expression interpreter);
# without 'unsafe-inline' an injected <script> or on*= attribute still cannot run.
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# An HTML report is one self-contained file: its own <style>, inline SVG and data: images, and no script.
REPORT_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
# Anything else (JSON, CSV, scripts, SVG) is not a page: opened directly it may load and run nothing.
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"

HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with the dashboard's own
    # form posts (the scanner's upload), which the Origin check must refuse. Other sites still get no URL.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths whose errors are problem+json; everything else is a dashboard page with an HTML error page.
MACHINE_PATHS = ("/api/", "/download/", "/report/", "/health", "/static")


def normalise_host(host: str) -> str:
    """The host name of a ``Host`` header or URL authority: lower case, no port, no brackets, no final dot.

    ``"LocalHost:8000"`` → ``"localhost"``, ``"[::1]:8000"`` → ``"::1"``.
    """
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def allowed_hosts_for(bind: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The hosts a server bound to ``bind`` answers: the loopback names, the bound address (unless it is a
    wildcard such as 0.0.0.0, which no client names) and ``extra`` (``grondstof serve --allowed-host``)."""
    hosts = list(LOOPBACK_HOSTS)
    if bind not in ("0.0.0.0", "::", ""):
        hosts.append(bind)
    hosts.extend(extra)
    return tuple(dict.fromkeys(h if h == ANY_HOST else normalise_host(h) for h in hosts))


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    name = normalise_host(host)
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def control_character(text: str) -> str | None:
    """The first control character (Unicode category Cc: C0, DEL, C1) in ``text``, or None."""
    return next((c for c in text if unicodedata.category(c) == "Cc"), None)


def ascii_slug(text: str) -> str:
    """A file-name-safe ASCII form of ``text``: accents dropped, anything but letters, digits, ``.``, ``_``
    and ``-`` becomes ``-`` (``"Türkiye/../x"`` → ``"Turkiye-..-x"``); never empty, never starting with a
    dot."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-.")
    return slug[:120] or "download"


def content_disposition(disposition: str, name: str, extension: str) -> str:
    """A ``Content-Disposition`` header value (RFC 6266): ``disposition; filename="<ascii>"`` and, when the
    name is not plain ASCII, ``filename*=UTF-8''<percent-encoded>`` (RFC 8187) beside it.

    ``name`` may come from resolved user input; control characters, quotes, slashes and backslashes are
    removed from it first, so the header always stays one line of Latin-1 text.
    """
    if disposition not in ("inline", "attachment"):
        raise ValueError(f"disposition must be inline or attachment, not {disposition!r}")
    if not re.fullmatch(r"[a-z0-9]{1,8}", extension):
        raise ValueError(f"extension must be 1-8 lower-case letters or digits, not {extension!r}")
    fallback = f"{ascii_slug(name)}.{extension}"
    header = f'{disposition}; filename="{fallback}"'
    kept = (c for c in unicodedata.normalize("NFC", name) if c not in '"\\/' and not control_character(c))
    clean = "".join(kept).strip()
    full = f"{clean}.{extension}"
    if clean and full != fallback:
        header += f"; filename*=UTF-8''{quote(full, safe='')}"
    return header


def trusted_url(request: Request) -> str:
    """The request's URL for a link back to this server (the Atom feed's ``self``).

    Its host is trusted: :class:`Harden` refused any other. When every host is allowed (``*``) the Host is
    not trusted and the loopback address stands in for it.
    """
    allowed = getattr(request.app.state, "allowed_hosts", DEFAULT_ALLOWED_HOSTS)
    url = request.url
    if ANY_HOST in allowed or normalise_host(url.hostname or "") not in allowed:
        port = f":{url.port}" if url.port else ""
        url = url.replace(netloc=f"127.0.0.1{port}")
    return str(url)


def install(app: Any, allowed_hosts: Iterable[str] | None = None) -> None:
    """Put :class:`Harden` around ``app`` (call it after every other ``add_middleware`` so it is outermost)
    and remember the allowed hosts in ``app.state.allowed_hosts`` (for :func:`trusted_url`)."""
    hosts = tuple(DEFAULT_ALLOWED_HOSTS if allowed_hosts is None else allowed_hosts)
    app.state.allowed_hosts = hosts
    app.add_middleware(Harden, allowed_hosts=hosts)


class Harden:
    """ASGI middleware: the Host and Origin checks, control characters refused, security headers on every
    response, ``Connection: close`` on a 500 after an exception (see the module docstring)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS) -> None:
        self.app = app
        self.allowed = tuple(allowed_hosts)
        self.any_host = ANY_HOST in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _send_response(scope, send, *refusal)
            return
        started = False

        async def send_hardened(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": with_security_headers(message.get("headers", []))}
            await send(message)

        try:
            await self.app(scope, receive, send_hardened)
        except Exception:
            if not started:
                detail = "The server could not answer this request (the error is in the server's log)."
                await _send_response(scope, send, 500, "Server error", detail, {}, close=True)
            raise

    def _refusal(self, scope: Scope) -> tuple[int, str, str, dict[str, Any]] | None:
        """Why the request is refused before it reaches a route (status, title, detail, extra), or None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host")
        if host is not None and not self.any_host and normalise_host(host) not in self.allowed:
            names = ", ".join(self.allowed)
            expected = f"one of {names} (add names with grondstof serve --allowed-host)"
            return (
                400,
                "Host not allowed",
                f"Host: {host!r} is not a host this server answers; expected {expected}",
                {"parameter": "Host", "value": host, "expected": expected},
            )
        origin = headers.get("origin")
        if scope.get("method", "GET") not in SAFE_METHODS and origin is not None and not self.any_host:
            origin_host = normalise_host(urlsplit(origin).netloc) if origin != "null" else "null"
            if origin_host not in self.allowed:
                return (
                    403,
                    "Cross-site request refused",
                    f"Origin: {origin!r} may not send {scope.get('method')} requests to this server",
                    {"parameter": "Origin", "value": origin, "expected": "a page of this server"},
                )
        path = scope.get("path", "")
        if (char := control_character(path)) is not None:
            return _control_refusal("path", path, char)
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            for text in (name, value):
                if (char := control_character(text)) is not None:
                    return _control_refusal(name, value, char)
        return None


def with_security_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response headers plus the security headers; a route's own Content-Security-Policy is kept."""
    out = list(headers)
    names = {name.lower() for name, _ in out}
    if b"content-security-policy" not in names:
        content_type = next((v for n, v in out if n.lower() == b"content-type"), b"")
        policy = PAGE_CSP if content_type.startswith(b"text/html") else OTHER_CSP
        out.append((b"content-security-policy", policy.encode()))
    out.extend(h for h in HEADERS if h[0] not in names)
    return out


def _control_refusal(name: str, value: str, char: str) -> tuple[int, str, str, dict[str, Any]]:
    expected = "text without control characters (no line breaks, tabs or NUL)"
    detail = f"{name}: {value!r} contains the control character U+{ord(char):04X}; expected {expected}"
    return 400, "Invalid parameter", detail, {"parameter": name, "value": value, "expected": expected}


async def _send_response(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    detail: str,
    extra: dict[str, Any],
    *,
    close: bool = False,
) -> None:
    """Answer without the app: problem+json for the API, downloads and reports, an HTML page for pages."""
    path = scope.get("path", "")
    if path.startswith(MACHINE_PATHS):
        body = json.dumps(
            {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
            ensure_ascii=False,
        ).encode("utf-8")
        content_type = b"application/problem+json"
    else:
        body = _error_page(scope, status, detail)
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": with_security_headers(headers)})
    await send({"type": "http.response.body", "body": body if scope.get("method") != "HEAD" else b""})


async def answer_without_app(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
    """Answer ``status`` without the app (problem+json for the API, the error page for pages), with the
    security headers; used by the request guard for an exception no handler turned into a response."""
    await _send_response(scope, send, status, title, detail, {})


def _error_page(scope: Scope, status: int, message: str) -> bytes:
    """The dashboard's error page, rendered outside the app (no store is needed for it)."""
    from grondstof.web.templating import TEMPLATES, context

    # The query may hold the very text refused: the page is rendered as if there were no query.
    request = Request({**scope, "query_string": b""})
    template = TEMPLATES.get_template("error.html")
    return template.render(context(request, message=message)).encode("utf-8")
