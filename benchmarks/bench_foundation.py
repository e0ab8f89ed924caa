"""Speed goals of the foundation issue, measured on this machine.

* a full build from the shared data (forced, nothing reused) — under 60 s;
* each analysis command, as a user runs it (new Python process, built store) — under 0.3 s wall time
  (issue 14; it was 1.5 s), against the floor measured in the same run: a Python process that imports DuckDB
  and runs ``select 1`` (and a bare Python process). Each command is timed three ways: *cold* (no warm
  worker, ``GRONDSTOF_WARM=0``: everything imported in the command's process), *warm, first* (the worker's
  first run of that command: its SQL still compiled by Ibis), *warm* (later runs) and *warm, first, next
  worker* (the first run in a new worker that started with the SQL templates the first one kept). The wall
  time is the command's, from start to exit; CPU and memory are the calling process's only, not the
  worker's;
* the import-dependency table for every importer × material × year of BACI HS92 — under 10 s;
* peak memory (max RSS of the measured process) — under 2 GB.

Run: ``.venv/bin/python benchmarks/bench_foundation.py [--data DIR] [--runs 3] [--commands-only]``
(``--commands-only`` skips the builds and the dependency table and uses ``$GRONDSTOF_STORE`` as built).
Results are appended to ``benchmarks/results/foundation.csv`` and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
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
COMMAND_GOAL = 0.3
FLOOR = "floor: python -c 'import duckdb; duckdb.sql(\"select 1\")'"
FLOOR_ARGS = [sys.executable, "-c", "import duckdb; duckdb.sql('select 1')"]

COMMANDS = [
    ["overview", "NL"],
    ["imports", "gallium", "--country", "NL"],
    ["imports", "cobalt", "--country", "EU27", "--years", "2015-2024", "--by", "year"],
    ["partner", "--country", "NL", "--partner", "Rusland", "--years", "2015-2024"],
    ["compare", "cobalt", "--countries", "EU27", "--year", "2022"],
    ["supply", "gallium", "--years", "2018-2024", "--by", "year"],
    # Later issues' commands, against the same goal.
    ["risk", "all", "--country", "NL", "--method", "geopolrisk"],
    ["crma"],
    ["controls", "--importer", "NL", "--material", "gallium"],
    ["watch", "--country", "NL"],
    ["balance", "cobalt", "--country", "NL", "--year", "2022"],
    ["technologies", "--by", "technology", "--per", "MWh"],
    ["scenario", "cutoff", "--preset", "CN-2023-GaGe", "--country", "NL"],
]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a command; return (wall seconds, peak RSS in MB, CPU seconds (user + system)) of that very
    child, from wait4. CPU time hardly depends on what else runs on the machine; wall time does."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(args)} failed with status {child.returncode}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="data directory (default: grondstof's default)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands-only", action="store_true", help="only the commands and their floor")
    opts = parser.parse_args()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if not opts.commands_only:
            env["GRONDSTOF_STORE"] = str(Path(tmp) / "store")
        if opts.data:
            env["GRONDSTOF_DATA"] = opts.data
        if not opts.commands_only:
            seconds, peak, _ = timed([*GRONDSTOF, "build", "--force"], env)
            results.append(
                {"measure": "full build (forced)", "seconds": seconds, "peak_mb": peak, "goal_s": 60}
            )
            seconds, peak, _ = timed([*GRONDSTOF, "build"], env)
            results.append(
                {
                    "measure": "second build, unchanged inputs",
                    "seconds": seconds,
                    "peak_mb": peak,
                    "goal_s": "",
                }
            )
        # A private directory for this run's warm worker; cold runs use none.
        warm_dir = Path(tmp) / "warm"
        warm_dir.mkdir(mode=0o700)
        env.update({"GRONDSTOF_WARM": "1", "GRONDSTOF_WARM_DIR": str(warm_dir)})
        cold = {**env, "GRONDSTOF_WARM": "0"}
        started, worker = _start_worker(env)
        results.append(
            {
                "measure": "warm worker start-up (in the background)",
                "seconds": started,
                "peak_mb": 0,
                "goal_s": "",
            }
        )
        # Floors and commands interleaved run by run, so a busy moment on the machine hits all of them.
        floors = {FLOOR: [*FLOOR_ARGS], "floor: bare Python process": [sys.executable, "-c", "pass"]}
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in floors}
        for kind in ("cold", "warm, first", "warm", "warm, first, next worker"):
            runs.update({f"grondstof {' '.join(c)} ({kind})": [] for c in COMMANDS})
        for command in COMMANDS:
            name = f"grondstof {' '.join(command)}"
            runs[f"{name} (warm, first)"].append(timed([*GRONDSTOF, *command, "--json"], env))
        for _ in range(opts.runs):
            for name, args in floors.items():
                runs[name].append(timed(args, cold))
            for command in COMMANDS:
                name = f"grondstof {' '.join(command)}"
                runs[f"{name} (cold)"].append(timed([*GRONDSTOF, *command, "--json"], cold))
                runs[f"{name} (warm)"].append(timed([*GRONDSTOF, *command, "--json"], env))
        # A later worker of the same key starts with the SQL this one compiled (kept beside its socket).
        _stop_worker(worker)
        _, worker = _start_worker(env)
        for command in COMMANDS:
            name = f"grondstof {' '.join(command)}"
            runs[f"{name} (warm, first, next worker)"].append(timed([*GRONDSTOF, *command, "--json"], env))
        _stop_worker(worker)
        for name, measured in runs.items():
            results.append(
                {
                    "measure": name,
                    "seconds": statistics.median(r[0] for r in measured),
                    "max_seconds": max(r[0] for r in measured),
                    "peak_mb": max(r[1] for r in measured),
                    "cpu_seconds": statistics.median(r[2] for r in measured),
                    "goal_s": "" if name.startswith("floor") else COMMAND_GOAL,
                }
            )
        if opts.commands_only:
            return _record(results)
        code = (
            "import time, resource; t=time.perf_counter()\n"
            "from grondstof.indicators.dependency import dependency_table\n"
            "table = dependency_table()\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "print(table.num_rows, time.perf_counter() - t, peak)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        rows, seconds, peak = out.stdout.split()
        results.append(
            {
                "measure": f"dependency table, all importers x materials x years ({int(rows):,} rows)",
                "seconds": float(seconds),
                "peak_mb": float(peak),
                "goal_s": 10,
            }
        )
    _record(results)


def _start_worker(env: dict[str, str]) -> tuple[float, Path]:
    """Start the warm worker for ``env`` as the script does; (seconds until it answers, its socket)."""
    from grondstof.warm.protocol import request

    code = "from grondstof.warm.protocol import worker_socket; print(worker_socket())"
    path = Path(
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()
    )
    start = time.perf_counter()
    subprocess.Popen(
        [sys.executable, "-m", "grondstof.warm.worker", str(path)], env=env, start_new_session=True
    )
    while request(path, {"op": "status"}) is None:
        if time.perf_counter() - start > 300:
            raise SystemExit(f"no warm worker answered at {path}")
        time.sleep(0.05)
    return time.perf_counter() - start, path


def _stop_worker(path: Path) -> None:
    """Stop the worker at ``path`` and wait until it has ended (it holds its lock file until then)."""
    import fcntl

    from grondstof.warm.protocol import request

    request(path, {"op": "stop"})
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_UN)


def _record(results: list[dict[str, object]]) -> None:
    """Append the results to ``benchmarks/results/foundation.csv`` and print them as a Markdown table."""
    stamp = datetime.now().isoformat(timespec="seconds")
    load = os.getloadavg()[0]
    machine = (
        f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, load {load:.1f}"
    )
    out_path = ROOT / "benchmarks" / "results" / "foundation.csv"
    columns = ["when", "machine", "measure", "seconds", "max_seconds", "peak_mb", "goal_s", "cpu_seconds"]
    new = not out_path.exists()
    if not new:  # files from before the CPU column: widen the header (old rows leave it empty)
        lines = out_path.read_text().splitlines(keepends=True)
        if lines and lines[0].strip() != ",".join(columns):
            out_path.write_text(",".join(columns) + "\n" + "".join(lines[1:]))
    with open(out_path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        if new:
            writer.writeheader()
        for row in results:
            writer.writerow({"when": stamp, "machine": machine, **row})
    floor = next((float(r["seconds"]) for r in results if r["measure"] == FLOOR), None)
    print(
        f"load average {load:.1f}\n"
        "| measure | wall s | × DuckDB floor | CPU s | peak MB | goal |\n|---|---|---|---|---|---|"
    )
    for row in results:
        goal = f"≤ {row['goal_s']} s" if row["goal_s"] else ""
        ratio = (
            f"{float(row['seconds']) / floor:.1f}×" if floor and "grondstof" in str(row["measure"]) else ""
        )
        print(
            f"| {row['measure']} | {float(row['seconds']):.3f} | {ratio} "
            f"| {float(row.get('cpu_seconds') or 0):.3f} "
            f"| {float(row['peak_mb']):.0f} | {goal} |"
        )


if __name__ == "__main__":
    main()
