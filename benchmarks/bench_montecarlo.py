"""Speed of the Monte Carlo disruption model and the cut-off scenario, measured on this machine.

Goal (issue 4): 100,000 draws for 30 materials in a few seconds. Measured, each in a new Python process on a
built store (median of ``--runs``):

* the library: ``simulate_shortfalls``-equivalent for the Netherlands and the EU CRM list (≈ 33 materials
  with trade data) at 100,000 draws — loading the baselines (trade, production, governance queries) and the
  simulation timed separately, plus peak memory;
* the same with supplier-level (correlated) events;
* CPU seconds alongside wall seconds (the load average is recorded: other work inflates wall time);
* the commands as a user runs them: ``grondstof scenario montecarlo --country NL --materials crm`` and
  ``grondstof scenario cutoff --preset CN-2023-GaGe --country NL``.

Run: ``.venv/bin/python benchmarks/bench_montecarlo.py [--store DIR] [--runs 3]``. Without ``--store`` a store
is built from the default data directory into a temporary directory. Results are appended to
``benchmarks/results/montecarlo.csv`` and printed as a Markdown table.
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
GRONDSTOF = [sys.executable, "-m", "grondstof"]
DRAWS = 100_000

LIBRARY = """
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from grondstof.store import open_store
from grondstof.scenarios import montecarlo as mc
store = open_store(sys.argv[1], build_if_missing=False)
params = mc.MonteCarloParams(correlation=sys.argv[3])
t1, c1 = time.perf_counter(), time.process_time()
prepared = mc._prepare(store, "NL", "crm", params)
t2, c2 = time.perf_counter(), time.process_time()
samples = mc._run(prepared, params, int(sys.argv[2]), 42)
t3, c3 = time.perf_counter(), time.process_time()
print(json.dumps({"materials": len(samples), "baselines": t2 - t1, "simulate": t3 - t2,
                  "cpu_baselines": c2 - c1, "cpu_simulate": c3 - c2,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB of that child)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024


def library(store: Path, correlation: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", LIBRARY, str(store), str(DRAWS), correlation],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="a built store (default: build one into a temp dir)")
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(opts.store) if opts.store else Path(tmp) / "store"
        # Whole cold commands, as timed before the warm worker (grondstof.launch).
        env = {**os.environ, "GRONDSTOF_STORE": str(store), "GRONDSTOF_WARM": "0"}
        if not opts.store:
            subprocess.run([*GRONDSTOF, "build"], env=env, check=True, capture_output=True)
        results: list[dict[str, object]] = []
        for correlation in ("independent", "supplier"):
            runs = [library(store, correlation, env) for _ in range(opts.runs)]
            n = int(runs[0]["materials"])
            for part in ("baselines", "simulate"):
                results.append(
                    {
                        "measure": f"library, NL, {n} materials × {DRAWS:,} draws ({correlation}): {part}",
                        "seconds": statistics.median(float(r[part]) for r in runs),
                        "max_seconds": max(float(r[part]) for r in runs),
                        "cpu_seconds": statistics.median(float(r["cpu_" + part]) for r in runs),
                        "peak_mb": max(float(r["peak_mb"]) for r in runs),
                        "goal_s": 5 if part == "simulate" else "",
                    }
                )
        commands = [
            ["scenario", "montecarlo", "--country", "NL", "--materials", "crm", "--json"],
            ["scenario", "cutoff", "--preset", "CN-2023-GaGe", "--country", "NL", "--json"],
            ["scenario", "cutoff", "--preset", "CN-2023-GRAPH", "--json"],
        ]
        for command in commands:
            runs_ = [timed([*GRONDSTOF, *command], env) for _ in range(opts.runs)]
            results.append(
                {
                    "measure": "grondstof " + " ".join(command[:-1]),
                    "seconds": statistics.median(r[0] for r in runs_),
                    "max_seconds": max(r[0] for r in runs_),
                    "peak_mb": max(r[1] for r in runs_),
                    "goal_s": 5 if command[1] == "montecarlo" else "",
                }
            )
    stamp = datetime.now().isoformat(timespec="seconds")
    load = round(os.getloadavg()[0], 2)  # other work on the machine inflates wall time, not CPU time
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    out_path = ROOT / "benchmarks" / "results" / "montecarlo.csv"
    new = not out_path.exists()
    with open(out_path, "a", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            [
                "when",
                "machine",
                "load_avg",
                "measure",
                "seconds",
                "max_seconds",
                "cpu_seconds",
                "peak_mb",
                "goal_s",
            ],
        )
        if new:
            writer.writeheader()
        for row in results:
            writer.writerow({"when": stamp, "machine": machine, "load_avg": load, **row})
    print(f"load average {load}\n| measure | seconds | CPU seconds | peak MB | goal |\n|---|---|---|---|---|")
    for row in results:
        goal = f"< {row['goal_s']} s" if row["goal_s"] else ""
        cpu = f"{float(row['cpu_seconds']):.2f}" if row.get("cpu_seconds") is not None else ""
        wall, peak = f"{float(row['seconds']):.2f}", f"{float(row['peak_mb']):.0f}"
        print(f"| {row['measure']} | {wall} | {cpu} | {peak} | {goal} |")


if __name__ == "__main__":
    main()
