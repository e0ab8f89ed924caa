"""Speed of the registries and of the small source parsers, in-process (formerly asserted in unit tests).

Goals: the material and country registries load in under 30 ms; the WGI, World Mining Data, USGS,
GeoPolRisk map and Comext parsers read the real files in under 2 s each. Best of ``--runs``, so a busy
machine counts less.

Run: ``.venv/bin/python benchmarks/bench_parsers.py [--data DIR] [--runs 5]``. Results are appended to
``benchmarks/results/parsers.csv`` and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``work()``, in seconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: ../shared/data)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from grondstof.config import resolve_data_dir
    from grondstof.registry.countries import CountryRegistry, parse_countries_csv
    from grondstof.registry.materials import MaterialRegistry
    from grondstof.sources import comext, geopolrisk_map, usgs, wgi, wmd

    data = resolve_data_dir(args.data)
    country_text = (ROOT / "src" / "grondstof" / "registry" / "countries.csv").read_text(encoding="utf-8")
    cases: list[tuple[str, float, Callable[[], object]]] = [
        ("material registry load", 0.030, MaterialRegistry.load),
        ("country registry load", 0.030, lambda: CountryRegistry(parse_countries_csv(country_text))),
        ("WGI parse (real file)", 2.0, lambda: wgi.parse(data)),
        ("WGI political-stability parse (real file)", 2.0, lambda: wgi.parse_pv(data)),
        ("World Mining Data parse (real files)", 2.0, lambda: wmd.parse(data)),
        ("USGS MCS parse (real files)", 2.0, lambda: usgs.parse(data)),
        ("GeoPolRisk HS map parse (real file)", 2.0, lambda: geopolrisk_map.parse(data)),
        ("Comext extract parse (real file)", 2.0, lambda: comext.parse(data)),
    ]
    when = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    load = os.getloadavg()[0]
    rows = []
    print("| what | best of runs | goal |\n|---|---|---|")
    for name, goal, work in cases:
        seconds = best_of(args.runs, work)
        rows.append(
            {
                "when": when,
                "machine": machine,
                "load_1min": f"{load:.2f}",
                "what": name,
                "best_seconds": f"{seconds:.4f}",
                "goal_seconds": goal,
            }
        )
        print(f"| {name} | {seconds * 1000:.1f} ms | < {goal * 1000:.0f} ms |")
    out = ROOT / "benchmarks" / "results" / "parsers.csv"
    new = not out.exists()
    with out.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        if new:
            writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
