"""GeoPolRisk for every importer × mapped material × year: grondstof timed, and checked against geopolrisk-py.

* grondstof: :func:`grondstof.indicators.geopolrisk.geopolrisk_table` for every importer (BACI HS92
  importers and WMD producers, plus the EU-27) × the 53 materials GeoPolRisk maps to HS codes × 2018–2024,
  in one process (median of ``--runs``, after one warm-up), and once as a fresh Python process (wall time
  including start-up). Goal: well under 10 s.
* geopolrisk-py 2.0.1 (GPL-3.0) in its own virtualenv ``benchmarks/.cache/gpr-venv`` (created on first use
  with ``python3.11 -m venv`` and ``pip install geopolrisk-py==2.0.1``; it writes to ``~/Documents``, so
  ``HOME`` is pointed at ``benchmarks/.cache/home``), run by ``geopolrisk_reference.py``:
  - timing: ``--timed`` random cases of the full set computed exactly as its ``gprs_calc`` does (full trade
    frame per case); its time for the full set is extrapolated as load time + cases × mean time per case
    (running every case would take hours);
  - agreement: every mapped material × 2018–2024 for ``--importers`` (default 12 countries + EU27), or for
    every importer with ``--full``, on a frame pre-split by year and material (same figures, faster).
* Agreement: max |Δ| of score and CF (and HHI, import risk, price) over the cases both compute; cases where
  grondstof gives null with a status (no trade, no tonnes) while geopolrisk-py returns 0, and cases where
  geopolrisk-py fails or returns NaN, are counted separately. The largest differences are listed.

Run: ``.venv/bin/python benchmarks/bench_geopolrisk.py [--store DIR] [--runs 3] [--timed 200] [--full]
[--backend pyspark]`` (``--backend`` times grondstof on that engine and checks its figures).
Results are appended to ``benchmarks/results/geopolrisk.csv``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
VENV = CACHE / "gpr-venv"
REFERENCE = ROOT / "benchmarks" / "geopolrisk_reference.py"
RESULTS = ROOT / "benchmarks" / "results" / "geopolrisk.csv"
DEFAULT_IMPORTERS = "NLD,DEU,FRA,USA,CHN,JPN,KOR,IND,BRA,ZAF,AUS,TWN,EU27"
YEARS = (2018, 2024)
FIGURES = ("hhi", "import_risk", "score", "cf", "price_usd_per_kg")
REF_NAME = {"price_usd_per_kg": "price"}


def ensure_venv() -> Path:
    """Create the geopolrisk-py 2.0.1 virtualenv on first use; return its interpreter."""
    python = VENV / "bin" / "python"
    if python.exists():
        return python
    base = "python3.11"
    subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "geopolrisk-py==2.0.1"], check=True)
    return python


def grondstof_times(
    store_dir: str | None, runs: int, backend: str = "duckdb"
) -> tuple[list[float], float, object]:
    """In-process times of the full table (after a warm-up) and the wall time of a fresh process, on the
    engine ``backend`` (for Spark the fresh process includes starting a local session)."""
    from grondstof.indicators.geopolrisk import geopolrisk_table
    from grondstof.store import open_store

    store = open_store(store_dir, backend=backend)
    table = geopolrisk_table(years=YEARS, store=store)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        table = geopolrisk_table(years=YEARS, store=store)
        times.append(time.perf_counter() - start)
    code = (
        "from grondstof.indicators.geopolrisk import geopolrisk_table\n"
        "from grondstof.store import open_store\n"
        f"geopolrisk_table(years={YEARS!r}, store=open_store({store_dir!r}, backend={backend!r}))\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    cold = time.perf_counter() - start
    return times, cold, table


def reference_key(code: str) -> int | str | None:
    """The importer as geopolrisk-py takes it: a BACI numeric code, or "EU" for the EU-27."""
    from grondstof.registry.countries import countries

    if code == "EU27":
        return "EU"
    country = countries().from_iso3(code)
    return country.baci_codes[0] if country and country.baci_codes else None


def run_reference(python: Path, cases: list[list], timed: list[list]) -> tuple[dict, float]:
    env = {**os.environ, "HOME": str(CACHE / "home")}
    (CACHE / "home").mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), str(REFERENCE)],
        input=json.dumps({"cases": cases, "timed": timed}),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout), time.perf_counter() - start


def compare(rows: list[dict], reference: dict, names: dict[str, str]) -> dict:
    """Match grondstof rows with geopolrisk-py results and measure the differences."""
    ours = {(r["importer"], r["commodity"], r["year"]): r for r in rows}
    back = {v: k for k, v in names.items()}
    stats: dict = {"compared": 0, "by_design": 0, "ref_error": 0, "ref_nan": 0, "diffs": []}
    maxima = dict.fromkeys(FIGURES, 0.0)
    for res in reference["results"]:
        if res.get("timed"):
            continue
        key = (res["grondstof_importer"], back[res["material"]], res["year"])
        mine = ours.get(key)
        if mine is None:
            continue
        if "error" in res:
            stats["ref_error"] += 1
            stats.setdefault("errors", []).append((*key, res["error"][:80], mine["status"]))
            continue
        if res["nan"]:
            stats["ref_nan"] += 1
            stats.setdefault("nans", []).append(key)
            continue
        if mine["status"] not in ("ok", "no_imports"):
            stats["by_design"] += 1
            stats.setdefault("by_design_status", {}).setdefault(mine["status"], 0)
            stats["by_design_status"][mine["status"]] += 1
            continue
        stats["compared"] += 1
        worst = 0.0
        for figure in FIGURES:
            theirs = res.get(REF_NAME.get(figure, figure))
            value = mine[figure]
            if figure == "price_usd_per_kg" and value is None:
                continue  # no imports: grondstof has no price, geopolrisk-py says 0
            delta = abs((value or 0.0) - (theirs or 0.0))
            maxima[figure] = max(maxima[figure], delta)
            if figure in ("score", "cf"):
                worst = max(worst, delta / max(abs(theirs or 0.0), 1e-12))
        if worst > 1e-9:
            stats["diffs"].append(
                {
                    "key": key,
                    "rel": worst,
                    "score": (mine["score"], res["score"]),
                    "cf": (mine["cf"], res["cf"]),
                    "import_risk": (mine["import_risk"], res["import_risk"]),
                    "hhi": (mine["hhi"], res["hhi"]),
                }
            )
    stats["max_abs"] = maxima
    stats["diffs"].sort(key=lambda d: -abs((d["cf"][0] or 0) - (d["cf"][1] or 0)))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="store directory (default: grondstof's default)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timed", type=int, default=200, help="random cases timed in geopolrisk-py")
    parser.add_argument("--importers", default=DEFAULT_IMPORTERS, help="importers checked for agreement")
    parser.add_argument("--full", action="store_true", help="check agreement for every importer")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--backend", default="duckdb", help="engine for grondstof: duckdb or pyspark")
    opts = parser.parse_args()

    from grondstof.indicators.geopolrisk import commodity_map
    from grondstof.store import open_store

    times, cold, table = grondstof_times(opts.store, opts.runs, opts.backend)
    rows = table.to_pylist()
    ours_s = statistics.median(times)
    print(
        f"grondstof on {opts.backend}: {len(rows):,} rows (importer × material × year) in {ours_s:.2f} s "
        "in process "
        f"(runs {', '.join(f'{t:.2f}' for t in times)}); fresh process {cold:.2f} s"
    )
    record: dict[str, object] = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}"
        + ("" if opts.backend == "duckdb" else f", grondstof on {opts.backend} local"),
        "cases": len(rows),
        "grondstof_s": round(ours_s, 3),
        "grondstof_cold_s": round(cold, 3),
    }
    if not opts.skip_reference:
        python = ensure_venv()
        names = {c.wmd: c.reference_id for c in commodity_map(open_store(opts.store)) if c.codes}
        universe = sorted({r["importer"] for r in rows})
        keys = {code: reference_key(code) for code in universe}
        wanted = universe if opts.full else [c.strip() for c in opts.importers.split(",")]
        cases, tags = [], []
        for code in wanted:
            if keys.get(code) is None:
                continue
            for ref in names.values():
                for year in range(YEARS[0], YEARS[1] + 1):
                    cases.append([keys[code], ref, year])
                    tags.append(code)
        everything = [
            [keys[r["importer"]], names[r["commodity"]], r["year"]] for r in rows if keys.get(r["importer"])
        ]
        timed = random.Random(20260714).sample(everything, min(opts.timed, len(everything)))
        reference, wall = run_reference(python, cases, timed)
        case_results = [r for r in reference["results"] if not r.get("timed")]
        for res, tag in zip(case_results, tags, strict=True):
            res["grondstof_importer"] = tag
        per_case = reference["timed_seconds"] / max(reference["timed_cases"], 1)
        load = reference["import_seconds"] + reference["load_seconds"]
        extrapolated = load + per_case * len(everything)
        stats = compare(rows, reference, names)
        print(
            f"geopolrisk-py 2.0.1: start-up and load {load:.1f} s; {reference['timed_cases']} random cases "
            f"in {reference['timed_seconds']:.1f} s ({per_case * 1000:.0f} ms each) -> full set of "
            f"{len(everything):,} cases extrapolated to {extrapolated:,.0f} s "
            f"({extrapolated / ours_s:,.0f}× grondstof)"
        )
        print(
            f"agreement over {len(cases):,} cases ({len(wanted)} importers × {len(names)} materials × "
            f"{YEARS[0]}–{YEARS[1]}; reference run {wall:.0f} s): compared {stats['compared']:,}; "
            f"grondstof null by design {stats['by_design']} {stats.get('by_design_status', {})}; "
            f"geopolrisk-py error {stats['ref_error']}, NaN {stats['ref_nan']}"
        )
        print("max |Δ|: " + ", ".join(f"{k} {v:.3g}" for k, v in stats["max_abs"].items()))
        print(f"cases with a relative difference in score or CF above 1e-9: {len(stats['diffs'])}")
        for diff in stats["diffs"][:15]:
            print("  ", diff)
        for err in stats.get("errors", [])[:5]:
            print("   geopolrisk-py error:", err)
        for nan in stats.get("nans", [])[:5]:
            print("   geopolrisk-py NaN:", nan)
        record.update(
            {
                "ref_load_s": round(load, 1),
                "ref_timed_cases": reference["timed_cases"],
                "ref_s_per_case": round(per_case, 4),
                "ref_extrapolated_s": round(extrapolated, 0),
                "ratio": round(extrapolated / ours_s, 0),
                "agreement_cases": len(cases),
                "compared": stats["compared"],
                "by_design_null": stats["by_design"],
                "ref_errors": stats["ref_error"],
                "ref_nan": stats["ref_nan"],
                "max_abs_score": f"{stats['max_abs']['score']:.3g}",
                "max_abs_cf": f"{stats['max_abs']['cf']:.3g}",
                "n_diff_gt_1e-9": len(stats["diffs"]),
            }
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    fields = [
        "date", "machine", "cases", "grondstof_s", "grondstof_cold_s", "ref_load_s", "ref_timed_cases",
        "ref_s_per_case", "ref_extrapolated_s", "ratio", "agreement_cases", "compared", "by_design_null",
        "ref_errors", "ref_nan", "max_abs_score", "max_abs_cf", "n_diff_gt_1e-9",
    ]  # fmt: skip
    new = not RESULTS.exists()
    with open(RESULTS, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        if new:
            writer.writeheader()
        writer.writerow({k: record.get(k, "") for k in fields})
    print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
