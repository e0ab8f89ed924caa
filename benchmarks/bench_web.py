"""Web speed goals: p99 latency of the main API endpoints at 32 concurrent clients (< 100 ms), requests per
second reached, server start-up on a built store (< 3 s), and the overview page fully rendered in a browser
(< 2 s).

Run: ``.venv/bin/python benchmarks/bench_web.py [--duration 10] [--connections 32]``. Needs ``wrk`` (Debian
package) for the load and Debian ``chromium`` for the page timing. Results are appended to
``benchmarks/results/web.csv`` and printed as a Markdown table. The server and wrk share this machine's two
cores, so the figures are conservative.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = [
    "/api/v1/imports?material=gallium&country=NL",
    "/api/v1/imports?material=cobalt&country=EU27&years=2015-2024&by=year",
    "/api/v1/supply?material=cobalt&years=2022",
    "/api/v1/overview?country=NL",
    "/api/v1/partner?country=NL&partner=RU&years=2015-2024&by=year",
    "/api/v1/compare?material=cobalt&countries=EU27&year=2022",
    "/health",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(url: str, timeout: float = 30.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            urllib.request.urlopen(url, timeout=1)
            return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"no answer from {url}")


def parse_wrk(text: str) -> tuple[float, float]:
    """Return (p99 in ms, requests per second) from ``wrk --latency`` output."""

    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{text}")
    if not (p99 and rps):
        raise SystemExit(f"could not parse wrk output:\n{text}")
    return ms(p99.group(1), p99.group(2)), float(rps.group(1))


def page_render_ms(base: str) -> float:
    """Milliseconds from navigation to every chart of the overview drawn, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=flags)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/?country=NL")  # warm: the Vega bundle and the result cache
        times = []
        for _ in range(3):
            start = time.perf_counter()
            page.goto(base + "/?country=NL&lang=en")
            page.wait_for_function(
                "(() => { const all = document.querySelectorAll('.chart').length;"
                " return all > 0 && all === document.querySelectorAll('.chart.drawn').length; })()",
                timeout=20_000,
            )
            times.append((time.perf_counter() - start) * 1000)
        browser.close()
    return sorted(times)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    opts = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GRONDSTOF_STORE": str(Path(tmp) / "store")}
        subprocess.run(
            [sys.executable, "-m", "grondstof", "build"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "grondstof", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            startup = wait(base + "/health")
            results.append(
                {
                    "measure": "serve: start-up to /health on a built store",
                    "value": startup * 1000,
                    "unit": "ms",
                    "goal": "< 3000 ms",
                }
            )
            for endpoint in ENDPOINTS:
                urllib.request.urlopen(base + endpoint, timeout=60).read()  # first run fills the cache
                out = subprocess.run(
                    [
                        "wrk",
                        "-t2",
                        f"-c{opts.connections}",
                        f"-d{opts.duration}s",
                        "--latency",
                        base + endpoint,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                p99, rps = parse_wrk(out)
                results.append(
                    {
                        "measure": f"p99 at {opts.connections} clients: GET {endpoint}",
                        "value": p99,
                        "unit": "ms",
                        "goal": "< 100 ms",
                        "rps": rps,
                    }
                )
            if shutil.which("chromium"):
                results.append(
                    {
                        "measure": "overview page fully rendered (all charts drawn)",
                        "value": page_render_ms(base),
                        "unit": "ms",
                        "goal": "< 2000 ms",
                    }
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    stamp = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    path = ROOT / "benchmarks" / "results" / "web.csv"
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, ["when", "machine", "measure", "value", "unit", "rps", "goal"])
        if new:
            writer.writeheader()
        for row in results:
            writer.writerow({"when": stamp, "machine": machine, **row})
    print("| measure | value | requests/s | goal |\n|---|---|---|---|")
    for row in results:
        rps = f"{row['rps']:,.0f}" if "rps" in row else ""
        print(f"| {row['measure']} | {row['value']:.1f} {row['unit']} | {rps} | {row['goal']} |")


if __name__ == "__main__":
    main()
