"""Speed goals of the scanner (issue 11), measured on this machine.

* a 10,000-line bill of materials, and a 10,000-line import file, scanned by ``grondstof scan FILE`` as a
  user runs it (new Python process, built store, including start-up) — under 2 s wall time;
* a reference command of the foundation benchmark, run beside them to show how busy the shared machine is;
* the same bill of materials uploaded to ``POST /api/v1/scan/upload`` of a running ``grondstof serve`` —
  under 1 s (the server warm: one upload first, then the median of the timed ones).

The files are generated here (synthetic: 200 products × 50 lines over 31 materials, suppliers named on a
third of the lines; import records over 40 HS6/CN8 codes and 25 origins) and deleted afterwards.

Run: ``.venv/bin/python benchmarks/bench_scan.py [--runs 3] [--store DIR]``. Results are appended to
``benchmarks/results/scan.csv`` and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRONDSTOF = [sys.executable, "-m", "grondstof"]
LINES = 10_000
MATERIALS = [
    "copper", "aluminium", "nickel", "cobalt", "lithium", "graphite", "neodymium", "praseodymium",
    "dysprosium", "gallium", "germanium", "indium", "tantalum", "tin", "silver", "gold", "palladium",
    "platinum", "tungsten",
    "molybdenum", "manganese", "chromium", "zinc", "silicon", "magnesium", "titanium", "vanadium", "antimony",
    "bismuth", "boron", "niobium",
]  # fmt: skip
SUPPLIERS = ["China", "Chile", "Germany", "United States", "Australia", "South Africa", "Japan", "Belgium"]
CODES = [
    "810520", "282200", "283691", "282520", "750210", "740311", "760110", "250410", "811292", "810194",
    "261100", "810320", "711011", "711021", "280530", "284690", "28053010", "81129289", "81129295",
    "81129281", "28369100", "26050000", "75021000", "81089050", "28046100", "81101000", "81060010",
    "26159000", "72029300", "72029200", "99999999", "850511", "280469", "711029", "252910", "251110",
    "260200", "260300", "260400", "261390",
]  # fmt: skip
ORIGINS = [
    "China", "Chile", "Germany", "United States", "Australia", "South Africa", "Japan", "Belgium", "Brazil",
    "Canada", "India", "Indonesia", "Peru", "Russia", "Turkey", "Norway", "Congo (Kinshasa)", "Zambia",
    "Mexico", "Kazakhstan", "Vietnam", "Malaysia", "South Korea", "Philippines", "Morocco",
]  # fmt: skip


def write_bom(path: Path, seed: int = 11) -> None:
    """A 10,000-line bill of materials: 200 products × 50 lines."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["product", "component", "material", "mass", "unit", "units_per_year", "supplier_country"]
        )
        for n in range(LINES):
            product = f"product {n // 50:03d}"
            supplier = rng.choice(SUPPLIERS) if rng.random() < 1 / 3 else ""
            out.writerow(
                [product, f"part {n % 50}", rng.choice(MATERIALS), f"{rng.uniform(0.001, 5):.4f}",
                 rng.choice(["g", "kg", "lb"]), rng.randint(10, 50_000), supplier]
            )  # fmt: skip


def write_imports(path: Path, seed: int = 12) -> None:
    """A 10,000-line file of import records."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "origin", "quantity", "quantity_unit", "value", "currency", "year"])
        for _ in range(LINES):
            out.writerow(
                [rng.choice(CODES), rng.choice(ORIGINS), f"{rng.uniform(1, 50_000):.1f}", "kg",
                 f"{rng.uniform(100, 2_000_000):.0f}", "EUR", rng.choice([2023, 2024])]
            )  # fmt: skip


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; (wall seconds, peak RSS MB of that child, from wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(
            f"{' '.join(args)} failed: {child.stderr.read().decode()[:500] if child.stderr else ''}"
        )
    return seconds, usage.ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def upload(base: str, data: bytes) -> float:
    request = urllib.request.Request(
        base + "/api/v1/scan/upload?country=NL",
        data=data,
        method="POST",
        headers={"Content-Type": "text/csv"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"upload failed: {response.status}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", default=None, help="store directory (default: build one in a temp dir)")
    opts = parser.parse_args()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = opts.store or str(Path(tmp) / "store")
        # Whole cold commands, as timed before the warm worker (grondstof.launch).
        env = {**os.environ, "GRONDSTOF_STORE": store, "GRONDSTOF_WARM": "0"}
        if not opts.store:
            timed([*GRONDSTOF, "build"], env)
        bom, imports = Path(tmp) / "bom.csv", Path(tmp) / "imports.csv"
        write_bom(bom)
        write_imports(imports)
        # A reference command of bench_foundation.py (1.03 s on a quiet machine) shows how busy this one is:
        # the two cores are shared with other work.
        runs = [
            timed([*GRONDSTOF, "imports", "gallium", "--country", "NL", "--json"], env)
            for _ in range(opts.runs)
        ]
        results.append(
            {
                "measure": "reference: grondstof imports gallium --country NL (machine load check)",
                "seconds": statistics.median(r[0] for r in runs),
                "max_seconds": max(r[0] for r in runs),
                "peak_mb": max(r[1] for r in runs),
                "goal_s": 1.5,
            }
        )
        for label, path in (("bill of materials", bom), ("import records", imports)):
            runs = [timed([*GRONDSTOF, "scan", str(path), "--json"], env) for _ in range(opts.runs)]
            results.append(
                {
                    "measure": f"grondstof scan, {LINES:,}-line {label} ({path.stat().st_size:,} bytes), "
                    "incl. start-up",
                    "seconds": statistics.median(r[0] for r in runs),
                    "max_seconds": max(r[0] for r in runs),
                    "peak_mb": max(r[1] for r in runs),
                    "goal_s": 2,
                }
            )
        port = free_port()
        server = subprocess.Popen(
            [*GRONDSTOF, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            data = bom.read_bytes()
            upload(base, data)  # warm the server (first engine queries)
            times = [upload(base, data) for _ in range(max(3, opts.runs))]
            results.append(
                {
                    "measure": f"POST /api/v1/scan/upload, the same {LINES:,}-line bill of materials "
                    "(server warm)",
                    "seconds": statistics.median(times),
                    "max_seconds": max(times),
                    "peak_mb": "",
                    "goal_s": 1,
                }
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    out = ROOT / "benchmarks" / "results" / "scan.csv"
    new = not out.exists()
    with open(out, "a", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["when", "machine", "measure", "seconds", "max_seconds", "peak_mb", "goal_s"]
        )
        if new:
            writer.writeheader()
        when = datetime.now().isoformat(timespec="seconds")
        for row in results:
            writer.writerow({"when": when, "machine": machine, **row})
    print("| measure | seconds (median) | max | peak MB | goal |\n|---|---|---|---|---|")
    for row in results:
        peak = f"{row['peak_mb']:.0f}" if row["peak_mb"] != "" else ""
        print(
            f"| {row['measure']} | {row['seconds']:.2f} | {row['max_seconds']:.2f} | {peak} "
            f"| < {row['goal_s']} s |"
        )


if __name__ == "__main__":
    main()
