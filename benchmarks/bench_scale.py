"""How the cost of every analysis command grows with the rows of the trade table, on DuckDB and on Spark.

For each scale — the shared data (1×) and seeded synthetic BACI HS92 trade at 10× and 100× its rows
(``grondstof synth --layout extract``: the synthetic rows replace the shared BACI extract, every row is
kept, and, as in the full BACI files, most of them are products the registry does not map) — a store is
built once, then:

* **DuckDB, as a user runs it**: each command in a new process (``python -m grondstof CMD --json``): wall
  time including Python start-up and peak RSS of the process (wait4);
* **DuckDB and Spark, warm**: one process per engine opens the store once and runs every command in turn
  through the command line in process (``--backend pyspark`` for Spark, a ``local[2]`` session): wall time
  of each command and the peak RSS of the process tree while it ran (the Spark JVM included), sampled
  every 20 ms. The engine's **fixed overhead** (for Spark: starting the JVM and the session and a first
  query) is measured once per process and reported apart.

Each figure is one run; the ratios (10×/1×, 100×/1×, Spark/DuckDB) are taken within one run of this
script, and the machine's load (``/proc/loadavg``) is recorded with every row, since other processes share
the two cores. Results are appended to ``benchmarks/results/scale.csv``; a Markdown table is printed.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--scales 1,10,100] [--work /tmp/grondstof-scale]
[--engines duckdb,pyspark] [--keep]``. The 100× data is ~1.6 GB of gzip CSV and a ~1.2 GB store
(``df -h`` first); without ``--keep`` the generated data and stores are deleted afterwards. Spark needs the
spark extra (``make install-spark``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRONDSTOF = [sys.executable, "-m", "grondstof"]

# Every analysis command that reads the store, with the arguments of the README and bench_foundation.
COMMANDS: list[list[str]] = [
    ["overview", "NL"],
    ["supply", "gallium", "--years", "2018-2024", "--by", "year"],
    ["imports", "gallium", "--country", "NL"],
    ["imports", "cobalt", "--country", "EU27", "--years", "2015-2024", "--by", "year"],
    ["partner", "--country", "NL", "--partner", "Rusland", "--years", "2015-2024"],
    ["compare", "cobalt", "--countries", "EU27", "--year", "2022"],
    ["risk", "all", "--country", "NL", "--method", "all"],
    ["crma"],
    ["controls", "--importer", "NL", "--material", "gallium"],
    ["watch", "--country", "NL"],
    ["balance", "cobalt", "--country", "NL", "--year", "2022"],
    ["net-trade", "--country", "NL", "--year", "2022"],
    ["scenario", "cutoff", "--preset", "CN-2023-GaGe", "--country", "NL"],
    ["scenario", "montecarlo", "--country", "NL", "--draws", "10000", "--seed", "1"],
    ["stockpile", "--country", "NL", "--days", "90", "--compare", "EU27"],
    ["transition", "nl-2035"],
    ["technologies", "--by", "technology", "--per", "MWh"],
]
# Library calls over every importer × material × year in one engine query (no command of their own).
TABLES = {
    "dependency_table() (BACI HS92, every importer × material × year)": (
        "grondstof.indicators.dependency:dependency_table"
    ),
    "geopolrisk_table(years='2018-2024')": "grondstof.indicators.geopolrisk:geopolrisk_table",
}


def load() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (MB), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total / 2**20


class PeakSampler:
    """Samples the RSS of this process tree every 20 ms while active; ``peak`` is the maximum seen."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakSampler:
        self.peak = tree_rss_mb(os.getpid())
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self.peak = max(self.peak, tree_rss_mb(os.getpid()))


# ---- the worker: one engine, one store, every command in process -----------------------------------------


def worker(engine: str, store: str, only: str | None = None) -> None:
    """Print one JSON line per measure: the fixed overhead, then each command and table (those whose name
    matches the regular expression ``only``, if given)."""
    import re

    def wanted(measure: str) -> bool:
        return only is None or re.search(only, measure) is not None

    import grondstof.engine as engine_module
    from grondstof.cli import app

    # Count the engine queries of each command and the rows they bring back to Python: what runs locally
    # after the engine has reduced the data (docs/methods.md, "Engines").
    fetched = {"queries": 0, "fetched_rows": 0}
    execute = engine_module.to_arrow

    def counted(expr: object) -> object:
        result = execute(expr)
        fetched["queries"] += 1
        fetched["fetched_rows"] += result.num_rows
        return result

    engine_module.to_arrow = counted
    os.environ["GRONDSTOF_STORE"] = store
    os.environ["GRONDSTOF_WARM"] = "0"  # whole cold commands, as timed before the warm worker
    started = time.perf_counter()
    with PeakSampler() as sampler:
        from grondstof.store import open_store

        opened = open_store(store, build_if_missing=False, backend=engine)
        if engine == "pyspark":
            opened.con._session.range(1).count()  # the JVM, the session and a first job
        opened.table("trade").count().execute()  # reading the table's metadata
    print(
        json.dumps(
            {
                "measure": "fixed overhead",
                "seconds": time.perf_counter() - started,
                "peak": sampler.peak,
                "load": load(),
            }
        ),
        flush=True,
    )
    for command in COMMANDS:
        if not wanted("grondstof " + " ".join(command)):
            continue
        args = ["--backend", engine, *command, "--json"]
        out = io.StringIO()
        fetched.update(queries=0, fetched_rows=0)
        t0 = time.perf_counter()
        with PeakSampler() as sampler, contextlib.redirect_stdout(out):
            try:
                app(args, standalone_mode=False)
            except SystemExit as exc:  # a command's error exit
                if exc.code:
                    raise
        seconds = time.perf_counter() - t0
        rows = len(json.loads(out.getvalue())["rows"])
        measure = "grondstof " + " ".join(command)
        print(
            json.dumps(
                {
                    "measure": measure,
                    "seconds": seconds,
                    "peak": sampler.peak,
                    "rows": rows,
                    "load": load(),
                    **fetched,
                }
            ),
            flush=True,
        )
    import importlib

    for label, path in TABLES.items():
        if not wanted(label):
            continue
        module, _, name = path.partition(":")
        function = getattr(importlib.import_module(module), name)
        kwargs = {"years": "2018-2024"} if "geopolrisk" in name else {}
        t0 = time.perf_counter()
        with PeakSampler() as sampler:
            table = function(store=opened, **kwargs)
        seconds = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "measure": label,
                    "seconds": seconds,
                    "peak": sampler.peak,
                    "rows": table.num_rows,
                    "load": load(),
                }
            ),
            flush=True,
        )


# ---- the driver ----------------------------------------------------------------------------------------


def prepare(scale: float, work: Path) -> tuple[Path, int]:
    """The store for one scale (built once); returns (store directory, rows of the trade table)."""
    store = work / f"store-{scale:g}x"
    if scale == 1:
        data = None
    else:
        data = work / f"data-{scale:g}x"
        if not (data / "geopolrisk").exists():
            subprocess.run(
                [*GRONDSTOF, "synth", "--scale", f"{scale:g}", "--layout", "extract", "--out", str(data)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
    if not (store / "current").exists():
        # The build's DuckDB memory cap (600 MB) is raised for the 100× store: building it is not what is
        # measured here (bench_build.py measures builds).
        code = (
            "import sys, grondstof.sources._duck as d; d.MEMORY_LIMIT = '3GB'\n"
            "from grondstof.store import build\n"
            "build(sys.argv[1] if sys.argv[1] != '-' else None, sys.argv[2], force=True)"
        )
        subprocess.run([sys.executable, "-c", code, str(data or "-"), str(store)], check=True)
    import duckdb

    files = sorted((store / "current" / "tables" / "trade").glob("*.parquet"))
    rows = (
        duckdb.connect().execute(f"SELECT count(*) FROM read_parquet({[str(f) for f in files]})").fetchone()
    )
    return store, int(rows[0])


def cli_run(command: list[str], store: Path) -> tuple[float, float]:
    """One command in a new process on DuckDB: (wall seconds, peak RSS MB from wait4)."""
    # Whole cold commands, as timed before the warm worker (grondstof.launch).
    env = {**os.environ, "GRONDSTOF_STORE": str(store), "GRONDSTOF_WARM": "0"}
    env.pop("GRONDSTOF_BACKEND", None)
    start = time.perf_counter()
    child = subprocess.Popen([*GRONDSTOF, *command, "--json"], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"grondstof {' '.join(command)} failed on {store}")
    return seconds, usage.ru_maxrss / 1024


def warm_run(engine: str, store: Path, only: str | None = None) -> list[dict[str, float | str]]:
    """Every command (or those matching ``only``) on one engine in one worker process (see :func:`worker`)."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            engine,
            "--store",
            str(store),
            *(["--only", only] if only else []),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--work", default="/tmp/grondstof-scale", help="where data and stores are made")
    parser.add_argument("--engines", default="duckdb,pyspark")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and stores")
    parser.add_argument(
        "--spark-only", default=None, help="regular expression: the measures to run on Spark (default all)"
    )
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--store", default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        worker(opts.worker, opts.store, opts.only)
        return
    work = Path(opts.work)
    work.mkdir(parents=True, exist_ok=True)
    engines = opts.engines.split(",")
    stamp = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    out_path = ROOT / "benchmarks" / "results" / "scale.csv"
    columns = [
        "when",
        "machine",
        "load",
        "scale",
        "trade_rows",
        "engine",
        "mode",
        "measure",
        "seconds",
        "peak_mb",
        "rows",
        "queries",
        "fetched_rows",
    ]
    results: list[dict[str, object]] = []

    def record(**row: object) -> None:
        row = {"when": stamp, "machine": machine, "load": row.pop("load", None) or load(), **row}
        results.append(row)
        new = not out_path.exists()
        with open(out_path, "a", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            if new:
                writer.writeheader()
            writer.writerow(row)
        print(
            f"{row['scale']}x {row['engine']:8} {row['mode']:5} {float(row['seconds']):8.2f} s "
            f"{float(row['peak_mb']):6.0f} MB  load {row['load']}  {row['measure']}",
            file=sys.stderr,
            flush=True,
        )

    for scale in [float(s) for s in opts.scales.split(",")]:
        store, trade_rows = prepare(scale, work)
        common = {"scale": f"{scale:g}", "trade_rows": trade_rows}
        if "duckdb" in engines:
            for command in COMMANDS:
                seconds, peak = cli_run(command, store)
                record(
                    **common,
                    engine="duckdb",
                    mode="cli",
                    measure="grondstof " + " ".join(command),
                    seconds=seconds,
                    peak_mb=peak,
                    rows="",
                )
        for engine in engines:
            for item in warm_run(engine, store, opts.spark_only if engine == "pyspark" else None):
                record(
                    **common,
                    engine=engine,
                    mode="warm",
                    measure=item["measure"],
                    seconds=item["seconds"],
                    peak_mb=item["peak"],
                    rows=item.get("rows", ""),
                    queries=item.get("queries", ""),
                    fetched_rows=item.get("fetched_rows", ""),
                    load=item.get("load"),
                )
        if not opts.keep and scale != 1:
            shutil.rmtree(work / f"data-{scale:g}x", ignore_errors=True)
            shutil.rmtree(store, ignore_errors=True)
    print(table(results))


def table(results: list[dict[str, object]]) -> str:
    """Markdown: one row per measure, seconds per scale and engine, and the growth ratios."""
    scales = sorted({str(r["scale"]) for r in results}, key=float)
    keys = sorted(
        {(str(r["engine"]), str(r["mode"])) for r in results}, key=lambda k: (k[0] != "duckdb", k[1])
    )
    by = {(str(r["measure"]), str(r["engine"]), str(r["mode"]), str(r["scale"])): r for r in results}
    measures = list(dict.fromkeys(str(r["measure"]) for r in results))
    head = ["measure"] + [f"{e} {m} {s}×" for e, m in keys for s in scales]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for measure in measures:
        cells = [measure]
        for engine, mode in keys:
            for scale in scales:
                row = by.get((measure, engine, mode, scale))
                cells.append(
                    "" if row is None else f"{float(row['seconds']):.2f} s / {float(row['peak_mb']):.0f} MB"
                )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
