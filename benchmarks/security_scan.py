"""Security scan of the web app and the exports: a larger payload matrix than tests/test_security.py, with
the counts recorded.

Run: ``.venv/bin/python benchmarks/security_scan.py [--store DIR]`` (the store defaults to
``$GRONDSTOF_STORE``; it is built from the shared data if missing). Every request goes in-process to the
real ASGI app (no port is opened). One row per check is appended to ``benchmarks/results/security.csv``
(date, git commit, check, payloads tried, findings, example finding) and printed as a Markdown table.

Checks: script injection (every payload in every reflected query parameter, in every path name, in forged
cookies), path traversal (every name that becomes a file path, sent unnormalised), header injection
(control characters and non-Latin-1 text in every parameter that reaches a header), security headers on
every response, the Host check, formula injection in CSV, Excel and the CLI's CSV, the routes that accept
anything but GET/HEAD, the default bind address and YAML loading. A finding is anything a test would call
a failure (see tests/security_probes.py); the goal is zero in every row.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import io
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from security_probes import (  # noqa: E402
    FORMULAS,
    HEADER_INJECTION,
    HEADER_URLS,
    NAMES_THAT_BECOME_PATHS,
    PAGES,
    PATHS,
    SECRETS,
    SECURITY_HEADERS,
    TRAVERSAL,
    WRITE_ROUTES,
    XSS,
    XSS_MORE,
    asgi_get,
    formula_cells,
    response_findings,
    routes_of,
    yaml_offenders,
)

RESULTS = ROOT / "benchmarks" / "results" / "security.csv"
COLUMNS = ["when", "commit", "check", "tried", "findings", "example", "seconds"]
FOREIGN_HOSTS = ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "10.0.0.5", "[::2]", "0.0.0.0"]
# Cookie-remembered choices are reflected too; a forged cookie must be as harmless as a parameter.
COOKIE_PAGES = ["/", "/material/cobalt", "/partner", "/alerts"]


class Check:
    """The counts of one row: payloads tried, findings, the first finding as an example."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tried = 0
        self.findings: list[str] = []
        self.started = time.perf_counter()

    def record(self, what: str, problems: Iterable[str]) -> None:
        """One payload tried; ``problems`` are its findings (empty when it was handled safely)."""
        self.tried += 1
        self.findings.extend(f"{what}: {p}" for p in problems)

    def row(self, when: str, commit: str) -> dict[str, Any]:
        return {
            "when": when,
            "commit": commit,
            "check": self.name,
            "tried": self.tried,
            "findings": len(self.findings),
            "example": self.findings[0][:160] if self.findings else "",
            "seconds": round(time.perf_counter() - self.started, 1),
        }


def xss(client: Any) -> Check:
    """Every script payload in every reflected query parameter, path name and remembered cookie."""
    check = Check("XSS: payloads in query parameters, path names and cookies")
    payloads = XSS + XSS_MORE
    for payload in payloads:
        for path, base, names in PAGES:
            for name in names:
                response = client.get(path, params={**base, name: payload})
                check.record(f"{path}?{name}={payload!r}", response_findings(response, payload))
        for template in PATHS:
            url = template.format(quote(payload, safe=""))
            check.record(url, response_findings(client.get(url), payload))
        cookie = "country=" + quote(payload, safe="") + "; lang=" + quote(payload, safe="")
        for path in COOKIE_PAGES:
            response = client.get(path, headers={"cookie": cookie})
            check.record(f"{path} cookie {payload!r}", response_findings(response, payload))
    return check


def traversal(client: Any) -> Check:
    """Every traversal name in every path that becomes a file path: sent unnormalised to the ASGI app, both
    decoded and still encoded, and through the HTTP client (which resolves ``..``)."""
    check = Check("Path traversal: names that become file paths")
    for template in NAMES_THAT_BECOME_PATHS:
        for name in TRAVERSAL:
            for path in (template.format(unquote(name)), template.format(name)):
                status, _, body = asgi_get(client.app, path)
                text = body.decode("utf-8", "replace")
                problems = [f"status {status}"] if status not in (400, 404) else []
                problems += [f"served {secret!r}" for secret in SECRETS if secret in text]
                check.record(path, problems)
            response = client.get(template.format(name))
            problems = [f"status {response.status_code}"] if response.status_code >= 500 else []
            problems += [f"served {secret!r}" for secret in SECRETS if secret in response.text]
            check.record(f"client {template.format(name)}", problems)
    return check


def header_injection(client: Any) -> Check:
    """Control characters and non-Latin-1 text in every parameter that reaches a header: a control character
    is refused with 400 naming the parameter; any answer's headers stay single-line Latin-1."""
    check = Check("Header injection: CR/LF, NUL, non-Latin-1 in header-bound parameters")
    urls = [*HEADER_URLS, "/report/country/{}.html", "/report/country/{}.xlsx", "/report/material/{}.html"]
    for template in urls:
        for bad in HEADER_INJECTION:
            in_path = template.startswith("/report/") and "?" not in template
            response = client.get(template.format(quote(bad, safe="")))
            problems = []
            if response.status_code >= 500:
                problems.append(f"status {response.status_code}")
            has_control = any(ord(c) < 32 or 127 <= ord(c) < 160 for c in bad)
            if has_control and response.status_code != 400:
                problems.append(f"control character accepted (status {response.status_code})")
            if has_control and not in_path and "country" not in response.text:
                problems.append("the refusal does not name the parameter")
            for name, value in response.headers.items():
                injected = name == "x-injected" or (name == "set-cookie" and value.startswith("a="))
                if any(c in value for c in "\r\n\x00") or injected:
                    problems.append(f"header {name}: {value!r}")
                try:
                    value.encode("latin-1")
                except UnicodeEncodeError:
                    problems.append(f"header {name} is not Latin-1")
            check.record(template.format(repr(bad)), problems)
    return check


def headers_on_every_response(client: Any) -> Check:
    """The security headers on a page, an error page, a problem+json, a download, a report, a static file,
    the feed, /docs and /health."""
    check = Check("Security headers on every kind of response")
    urls = [
        "/?country=NL",
        "/material/cobalt?country=NL",
        "/materials",
        "/docs",
        "/no/such/page",
        "/api/v1/supply?material=cobalt",
        "/api/v1/supply?material=nonsense",
        "/api/v1/openapi.json",
        "/api/v1/watch.atom?country=NL",
        "/download/supply.csv?material=cobalt",
        "/download/supply.xlsx?material=cobalt",
        "/report/material/cobalt.html?country=NL",
        "/report/country/NL.json",
        "/static/app.js",
        "/static/app.css",
        "/static/favicon.svg",
        "/health",
    ]
    for url in urls:
        response = client.get(url)
        check.record(url, [f"no {h}" for h in SECURITY_HEADERS if h not in response.headers])
    return check


def host_check(client: Any) -> Check:
    """A foreign Host (DNS rebinding) is refused with 400 on a page, the API, the feed and a download."""
    check = Check("Host check: foreign Host headers refused")
    for host in FOREIGN_HOSTS:
        for url in ("/", "/api/v1/supply?material=cobalt", "/api/v1/watch.atom?country=NL", "/health"):
            response = client.get(url, headers={"host": host})
            problems = [] if response.status_code == 400 else [f"status {response.status_code}"]
            if host.split(":")[0] in response.text and response.status_code != 400:
                problems.append("Host reflected")
            check.record(f"{host} {url}", problems)
    return check


def formulas(store_dir: Path) -> Check:
    """Every formula payload through the one CSV writer (CLI ``--csv`` and web CSV) and the Excel writer,
    plus the CLI's ``--csv`` on the real store (its text cells must stay text)."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from grondstof.cli import app
    from grondstof.exports import to_xlsx
    from grondstof.result import Field, Result

    check = Check("Formula injection: CSV, Excel and CLI --csv")
    for payload in FORMULAS:
        for variant in (payload, " " + payload, payload.upper(), payload + "\r\n=1+1"):
            result = Result(
                "t", [Field("text", "Text"), Field("n", "N", "number")], [{"text": variant, "n": -1}]
            )
            rows = list(csv.reader(io.StringIO(result.to_csv(), newline="")))[1:]
            problems = [f"CSV cell {c!r}" for c in formula_cells(rows)]
            problems += [f"CSV split into {len(rows)} rows"] if len(rows) != 1 else []
            sheet = load_workbook(io.BytesIO(to_xlsx([("t", result)]))).worksheets[0]
            cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
            problems += [f"Excel cell {c!r}" for c in formula_cells(cells)]
            problems += (
                ["Excel formula cell"]
                if any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
                else []
            )
            check.record(repr(variant), problems)
    runner = CliRunner()
    for arguments in (["controls", "--country", "China"], ["supply", "cobalt"]):
        result = runner.invoke(app, [*arguments, "--csv", "--store", str(store_dir)])
        rows = list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]
        problems = [f"exit {result.exit_code}"] if result.exit_code else []
        check.record(" ".join(arguments), problems + [f"CLI cell {c!r}" for c in formula_cells(rows)])
    return check


def read_only_routes(client: Any) -> Check:
    """Every route: one that accepts a method other than GET/HEAD must be a reviewed write route
    (``WRITE_ROUTES``), and a cross-site post to it (a foreign or ``null`` Origin) must get 403."""
    check = Check("Routes: writes only where reviewed, cross-site posts refused")
    for path, methods in routes_of(client.app):
        writes = sorted(methods - {"GET", "HEAD"})
        if not writes:
            check.record(path, [])
        elif path not in WRITE_ROUTES:
            check.record(path, [f"{path} accepts {writes} and is not a reviewed write route"])
        else:
            url = path.replace("{fmt}", "pdf")
            for origin in ("https://evil.example", "null"):
                status = client.post(url, content=b"x", headers={"origin": origin}).status_code
                check.record(f"POST {url} from {origin}", [] if status == 403 else [f"status {status}"])
    return check


def loopback_and_yaml() -> list[Check]:
    """The default bind address of ``serve`` (library and CLI) and YAML loading in the package source."""
    from grondstof.commands import serve as command
    from grondstof.web import app

    bind = Check("serve binds to loopback by default")
    for function in (app.serve, command.serve):
        default = inspect.signature(function).parameters["host"].default
        bind.record(function.__module__, [] if default == "127.0.0.1" else [f"default host {default!r}"])
    yaml = Check("YAML read with the safe loader only")
    for path in sorted((ROOT / "src" / "grondstof").rglob("*.py")):
        yaml.record(path.name, [])
    yaml.findings = yaml_offenders(ROOT / "src" / "grondstof")
    return [bind, yaml]


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main() -> None:
    """Run every check, append one row each to benchmarks/results/security.csv, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store directory (default: $GRONDSTOF_STORE)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to security.csv")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from grondstof.config import resolve_store_dir
    from grondstof.store import open_store
    from grondstof.web.app import create_app

    store_dir = resolve_store_dir(args.store)
    store = open_store(store_dir)
    client = TestClient(create_app(store, follow_builds=False), raise_server_exceptions=False)
    steps: list[Callable[[], Check | list[Check]]] = [
        lambda: xss(client),
        lambda: traversal(client),
        lambda: header_injection(client),
        lambda: headers_on_every_response(client),
        lambda: host_check(client),
        lambda: formulas(store_dir),
        lambda: read_only_routes(client),
        loopback_and_yaml,
    ]
    checks: list[Check] = []
    for step in steps:
        done = step()
        checks.extend(done if isinstance(done, list) else [done])
        for check in done if isinstance(done, list) else [done]:
            print(f"{check.name}: {check.tried} tried, {len(check.findings)} findings", file=sys.stderr)

    when = datetime.now().isoformat(timespec="seconds")
    commit = git_commit()
    rows = [check.row(when, commit) for check in checks]
    if not args.no_record:
        new = not RESULTS.exists()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerows(rows)
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"Security scan, {when}, commit {commit}, {python}")
    print()
    print("| check | tried | findings |")
    print("|---|---:|---:|")
    for row in rows:
        print(f"| {row['check']} | {row['tried']} | {row['findings']} |")
    for check in checks:
        for finding in check.findings[:5]:
            print(f"- {check.name}: {finding}", file=sys.stderr)
    sys.exit(1 if any(check.findings for check in checks) else 0)


if __name__ == "__main__":
    main()
