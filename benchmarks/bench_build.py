"""The store build against its floor: DuckDB reading the same files into Parquet (issues 13 and 14).

For each data directory — the shared data (1×) and synthetic BACI trade at 10× (``grondstof synth``, in the
extract layout, so every row is kept; and in the official yearly layout, where only the codes the registry
maps are kept, and with ``--all-products``) — it runs, alternately and in new processes:

* **floor**: one Python process that imports DuckDB and copies every delimited text file the build reads
  (found through the sources' own file patterns) into Parquet with ``COPY (FROM read_csv(f)) TO …``:
  DuckDB's own type sniffing, no checks, no mapping;
* **build**: ``grondstof build --force`` into a fresh store.

Wall time and peak RSS (wait4) of each process; the ratio build/floor of the medians. Goals: at most 1.5×
the floor, and at most 1 GB peak at 10×. Results are appended to ``benchmarks/results/build.csv``.

Run: ``.venv/bin/python benchmarks/bench_build.py [--runs 3] [--synth-dir /tmp/grondstof-synth]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = r"""
import sys, duckdb
con = duckdb.connect()
for n, path in enumerate(sys.argv[2:]):
    target = f"{sys.argv[1]}/{n}.parquet"
    con.execute(f"COPY (FROM read_csv('{path}')) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
"""


def text_files(data: Path) -> list[Path]:
    """Every delimited text file the build reads from ``data`` (through the sources' patterns)."""
    from grondstof.sources import SOURCES
    from grondstof.sources._base import is_text_file

    return [p for s in SOURCES for p in s.info.find_files(data) if is_text_file(p)]


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a process; return (wall seconds, peak RSS in MB of that very child)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args[:4])} failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def trade_rows(store: Path) -> int:
    """Rows of the trade table in the store's catalog."""
    catalog = json.loads((store / "current" / "catalog.json").read_text())
    return sum(s.get("tables", {}).get("trade", 0) for s in catalog["sources"])


def measure(name: str, data: Path, runs: int, options: list[str]) -> list[dict[str, object]]:
    files = text_files(data)
    floors, builds = [], []
    rows = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            floors.append(timed([sys.executable, "-c", FLOOR, tmp, *map(str, files)]))
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "store"
            builds.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "grondstof",
                        "build",
                        "--force",
                        "--data",
                        str(data),
                        "--store",
                        str(store),
                        *options,
                    ]
                )
            )
            rows = trade_rows(store)
    floor_s = statistics.median(f[0] for f in floors)
    build_s = statistics.median(b[0] for b in builds)
    common = {"dataset": name, "files": len(files), "trade_rows": rows, "runs": runs}
    return [
        {
            **common,
            "measure": "floor: DuckDB CSV -> Parquet",
            "seconds": floor_s,
            "max_seconds": max(f[0] for f in floors),
            "peak_mb": max(f[1] for f in floors),
            "ratio": 1.0,
        },
        {
            **common,
            "measure": "grondstof build --force " + " ".join(options),
            "seconds": build_s,
            "max_seconds": max(b[0] for b in builds),
            "peak_mb": max(b[1] for b in builds),
            "ratio": build_s / floor_s,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="shared data directory (default: grondstof's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--synth-dir", default=str(Path(tempfile.gettempdir()) / "grondstof-synth"))
    parser.add_argument(
        "--only", default=None, help="run one dataset: shared, extract, official, official-all"
    )
    opts = parser.parse_args()
    from grondstof.config import resolve_data_dir
    from grondstof.synth import generate

    shared = resolve_data_dir(opts.data)
    synth = Path(opts.synth_dir)
    datasets: list[tuple[str, Path, list[str]]] = [("shared data (1x)", shared, [])]
    tag = f"{opts.scale:g}x"
    for layout in ("extract", "official"):
        out = synth / f"{layout}-{tag}"
        marker = out / "SYNTHETIC.json"
        if not marker.exists() or json.loads(marker.read_text()).get("scale") != opts.scale:
            generate(out, scale=opts.scale, seed=42, layout=layout, data_dir=shared)
    datasets.append((f"synthetic {tag}, extract layout (all rows kept)", synth / f"extract-{tag}", []))
    datasets.append(
        (f"synthetic {tag}, official yearly files (mapped codes kept)", synth / f"official-{tag}", [])
    )
    datasets.append(
        (
            f"synthetic {tag}, official yearly files (--all-products)",
            synth / f"official-{tag}",
            ["--all-products"],
        )
    )
    wanted = {"shared": 0, "extract": 1, "official": 2, "official-all": 3}
    if opts.only:
        datasets = [datasets[wanted[opts.only]]]
    results = []
    for name, data, options in datasets:
        results.extend(measure(name, data, opts.runs, options))
        print(f"done: {name}", file=sys.stderr)
    stamp = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    load = f"{os.getloadavg()[0]:.1f}"
    out_path = ROOT / "benchmarks" / "results" / "build.csv"
    fields = [
        "when",
        "machine",
        "load",
        "dataset",
        "files",
        "trade_rows",
        "runs",
        "measure",
        "seconds",
        "max_seconds",
        "peak_mb",
        "ratio",
    ]
    new = not out_path.exists()
    with open(out_path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        if new:
            writer.writeheader()
        for row in results:
            writer.writerow({"when": stamp, "machine": machine, "load": load, **row})
    print("| data | measure | trade rows | seconds | peak MB | × floor |\n|---|---|---|---|---|---|")
    for row in results:
        print(
            f"| {row['dataset']} | {row['measure']} | {row['trade_rows']:,} | {float(row['seconds']):.2f} | "
            f"{float(row['peak_mb']):.0f} | {float(row['ratio']):.2f} |"
        )


if __name__ == "__main__":
    main()
