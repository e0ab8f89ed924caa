"""Speed of the stockpile planner's budget optimisation for all CRMA strategic materials.

Measures, on this machine:

* the Monte Carlo shortfall draws for the Netherlands' 18 strategic material ids (100,000 draws, the example
  scenario ``stockpile_nl.yaml``), as the planner runs them (one simulation per trade source and year);
* the budget LP (HiGHS, 1,000 quantile breakpoints per material) on those draws, and the exact greedy
  allocation on every draw, with the gap between their objectives;
* the same two on heavy synthetic draws (18 materials × 100,000 continuous draws, every draw distinct, 30 %
  of years with a shortfall), where the LP has the most segments;
* the commands as a user runs them (new process): ``--days 90 --compare EU27`` and ``--budget`` with the
  example scenario.

Run: ``.venv/bin/python benchmarks/bench_stockpile.py [--data DIR] [--store DIR] [--draws 100000]``.
Results are appended to ``benchmarks/results/stockpile.csv`` and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "grondstof" / "scenarios" / "examples" / "stockpile_nl.yaml"
GRONDSTOF = [sys.executable, "-m", "grondstof"]
BUDGET = 50e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, func, results: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    """Run ``func`` in this process: wall and CPU seconds (CPU time is steadier on a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    results.append(
        {
            "measure": label,
            "seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - cpu,
            "peak_mb": peak_mb(),
        }
    )
    return value


def command(label: str, args: list[str], env: dict[str, str], runs: int) -> dict[str, object]:
    """Run a command as a user does (new process), ``runs`` times: median wall and CPU seconds, peak RSS."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{label} failed")
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
    return {
        "measure": label,
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(cpus),
        "peak_mb": max(peaks),
        "note": f"median of {runs}",
    }


def allocation_rows(label: str, samples, unit_cost, results) -> None:  # type: ignore[no-untyped-def]
    from grondstof.scenarios.stockpile import allocate_budget, allocate_greedy

    lp = timed(
        f"{label}: budget LP (HiGHS, 1,000 breakpoints)",
        lambda: allocate_budget(samples, unit_cost, BUDGET),
        results,
    )
    exact = timed(
        f"{label}: greedy, every draw (exact)", lambda: allocate_greedy(samples, unit_cost, BUDGET), results
    )
    gap = (
        (lp.objective_after - exact.objective_after) / exact.objective_before
        if exact.objective_before
        else 0.0
    )
    results[-2]["note"] = (
        f"{lp.segments:,} segments; spent €{lp.spent:,.0f}; gap to exact {gap:.2e} of E[before]"
    )
    results[-1]["note"] = f"{exact.segments:,} segments"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="data directory (default: grondstof's default)")
    parser.add_argument("--store", default=None, help="an existing store (default: build one in a temp dir)")
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = opts.store or str(Path(tmp) / "store")
        # Whole cold commands, as timed before the warm worker (grondstof.launch).
        env = {**os.environ, "GRONDSTOF_STORE": store_dir, "GRONDSTOF_WARM": "0"}
        if opts.data:
            env["GRONDSTOF_DATA"] = opts.data
        subprocess.run([*GRONDSTOF, "build"], env=env, check=True, capture_output=True)

        # Commands first: a child forked from a parent that has loaded numpy and the draws would report the
        # parent's resident memory as its own peak.
        store_args = ["--store", store_dir, "--json"]
        base = [*GRONDSTOF, "stockpile", "--country", "NL"]
        results.append(
            command(
                "grondstof stockpile --country NL --days 90 --compare EU27",
                [*base, "--days", "90", "--compare", "EU27", *store_args],
                env,
                opts.runs,
            )
        )
        results.append(
            command(
                f"grondstof stockpile --country NL --budget {BUDGET:.0f} --scenario stockpile_nl.yaml",
                [*base, "--budget", str(BUDGET), "--scenario", str(EXAMPLE), *store_args],
                env,
                opts.runs,
            )
        )

        from grondstof.registry.countries import countries
        from grondstof.registry.materials import materials
        from grondstof.scenarios.stockpile import (
            _montecarlo_shortfalls,
            load_stockpile_scenario,
            reference_flows,
        )
        from grondstof.store import open_store

        store = open_store(store_dir, build_if_missing=False)
        mats = materials().strategic()
        nl = countries().resolve("NL")
        plans, _ = reference_flows(store, mats, [nl])
        spec = load_stockpile_scenario(EXAMPLE).disruption
        found, _ = timed(
            f"Monte Carlo draws, NL, {len(mats)} strategic ids, {opts.draws:,} draws",
            lambda: _montecarlo_shortfalls(store, nl, plans, spec, opts.draws, 42, None),  # type: ignore[arg-type]
            results,
        )
        by_id = {p.material.id: p for p in plans}
        samples, unit_cost = {}, {}
        for mat_id, short in found.items():
            unit = by_id[mat_id].unit_value_eur if short.unit == "t" else 1.0
            if unit:
                samples[mat_id], unit_cost[mat_id] = short.samples, unit
        allocation_rows(f"real draws ({len(samples)} materials)", samples, unit_cost, results)

        rng = np.random.default_rng(0)
        heavy = {
            m.id: rng.lognormal(3 + 0.2 * i, 1.0, opts.draws) * (rng.random(opts.draws) < 0.3)
            for i, m in enumerate(mats)
        }
        heavy_cost = {m.id: float(rng.uniform(1e3, 1e5)) for m in mats}
        allocation_rows(f"synthetic draws ({len(heavy)} materials)", heavy, heavy_cost, results)

    stamp = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    out_path = ROOT / "benchmarks" / "results" / "stockpile.csv"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    new = not out_path.exists()
    with open(out_path, "a", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["when", "machine", "measure", "seconds", "cpu_seconds", "peak_mb", "note"]
        )
        if new:
            writer.writeheader()
        for row in results:
            writer.writerow({"when": stamp, "machine": machine, "note": "", **row})
    print("| measure | wall s | CPU s | peak MB | note |\n|---|---|---|---|---|")
    for row in results:
        cells = [row["measure"], f"{float(row['seconds']):.2f}", f"{float(row['cpu_seconds']):.2f}"]
        cells += [f"{float(row['peak_mb']):.0f}", row.get("note", "")]
        print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
