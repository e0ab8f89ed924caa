"""Faults (issue 10.4): killed builds, corrupt sources, and rebuilds while ``serve`` answers traffic.

Three experiments on the real shared data (read only; corrupted copies live in a temporary directory):

1. **Killed builds.** ``grondstof build --force`` is killed ``--kills`` times (half SIGINT, half SIGKILL) at a
   random moment (seeded) between its start and its usual end. After each kill the store must open, its
   ``current`` build must be whole (catalog present, trade rows as before) and, after one more build, no
   ``.tmp-*`` build directory may be left.
2. **Corrupt sources.** A matrix of corruptions (gzip cut short, a wrong column, text in a number,
   duplicate keys, a header-only file, a deleted file, the value 1e309, bytes that are not UTF-8) applied to
   several source files, one at a time, on a data directory of symlinks. Each build must be refused with
   an error naming the file and the line (the deleted file: the file), and the previous store must stay
   current.
3. **Serve during builds.** ``grondstof serve`` on a store while 4 client threads request API routes for
   ``--seconds`` and the store is rebuilt ``--builds`` times, alternating two data directories whose BACI
   values differ. Every response must be 200, no connection may drop, and all answers to one URL from one
   build (named by the ``X-Grondstof-Build`` header) must be identical: a response mixing two builds would
   stand out.

Results are appended to ``benchmarks/results/faults.csv`` (one row per experiment) and the corrupt-file
matrix to ``benchmarks/results/faults_corrupt.csv``.

Run: ``.venv/bin/python benchmarks/bench_faults.py [--kills 24] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRONDSTOF = [sys.executable, "-m", "grondstof"]
# Whole cold commands, and no warm worker left behind by the killed builds (grondstof.launch).
os.environ["GRONDSTOF_WARM"] = "0"
RESULTS = ROOT / "benchmarks" / "results"


def linked_copy(shared: Path, target: Path) -> Path:
    """A data directory of symlinks to the shared files (a corrupted file replaces its link)."""
    for path in shared.rglob("*"):
        if path.is_file():
            dst = target / path.relative_to(shared)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(path)
    return target


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def write_bytes(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(gzip.compress(data, compresslevel=1) if path.name.endswith(".gz") else data)


def _lines(path: Path) -> list[bytes]:
    return read_bytes(path).splitlines(keepends=True)


def gzip_cut_short(path: Path) -> None:
    blob = path.read_bytes()
    path.unlink()
    path.write_bytes(blob[: int(len(blob) * 0.6)])


def wrong_column(path: Path) -> None:
    lines = _lines(path)
    lines[0] = b"wrong_column," + lines[0].split(b",", 1)[1]
    write_bytes(path, b"".join(lines))


NUMBER = re.compile(rb"(?<=,)(-?\d+\.\d+)(?=[,\r\n])")


LAST_INTEGER = re.compile(rb"(?<=,)(\d+)(?=\r?\n?$)")


def _replace_number(line: bytes, new: bytes) -> bytes:
    """Replace the first decimal number of a line (else its last integer field) with ``new``."""
    changed = NUMBER.sub(new, line, count=1)
    if changed == line:
        changed = LAST_INTEGER.sub(new, line, count=1)
    if changed == line:
        changed = re.sub(rb"(?<=,)(\d{3,})(?=,)", new, line, count=1)
    assert changed != line, line
    return changed


def text_in_number(path: Path) -> None:
    lines = _lines(path)
    lines[5] = _replace_number(lines[5], b"12x3")
    write_bytes(path, b"".join(lines))


def infinite(path: Path) -> None:
    lines = _lines(path)
    lines[5] = _replace_number(lines[5], b"1e309")
    write_bytes(path, b"".join(lines))


def duplicate_keys(path: Path) -> None:
    lines = _lines(path)
    write_bytes(path, b"".join(lines) + lines[3])


def header_only(path: Path) -> None:
    write_bytes(path, _lines(path)[0])


def deleted(path: Path) -> None:
    path.unlink()


def not_utf8(path: Path) -> None:
    lines = _lines(path)
    n = min(6, len(lines) - 1)
    lines[n] = lines[n][:3] + b"\xff\xfe" + lines[n][3:]
    write_bytes(path, b"".join(lines))


EXTRACT = "geopolrisk/baci_hs92_crm_trade_2015_2024.csv.gz"
COMEXT = "comext_eu27_crm_cn8/eu_comext_critical_inputs_cn8_2022_2024.csv"
WMD = "geopolrisk/world_mining_data_2018_2024_long.csv"
CRMA = "crma/crma_2030_benchmarks.csv"
HS17 = "baci_hs17_atlas_subset/baci_hs17_v202601_atlas_codes_2024.csv.gz"
USGS = "usgs_mcs2026/usgs_mcs2026_world_production_reserves_selected.csv"
CONTROLS = "export_restrictions/export_controls_timeline.csv"
HS07 = "baci_hs07_asean_minerals/baci_hs07_v202601_asean_minerals_bilateral_2010_2024.csv.gz"
MATRIX = [
    (gzip_cut_short, [EXTRACT, HS17, HS07]),
    (wrong_column, [EXTRACT, COMEXT, WMD, CRMA]),
    (text_in_number, [EXTRACT, COMEXT, WMD, HS17]),
    (duplicate_keys, [EXTRACT, COMEXT, WMD, HS17]),
    (header_only, [CRMA, WMD, CONTROLS, USGS]),
    (deleted, [WMD, CRMA, EXTRACT, CONTROLS]),
    (infinite, [EXTRACT, WMD, HS17, USGS]),
    (not_utf8, [EXTRACT, COMEXT, WMD, CRMA]),
]


def corrupt_matrix(shared: Path, work: Path) -> list[dict[str, object]]:
    from grondstof.errors import GrondstofError
    from grondstof.store import build, current_build, open_store

    store = work / "corrupt-store"
    build(shared, store)
    before = current_build(store)
    rows = []
    for corrupt, files in MATRIX:
        for rel in files:
            data = linked_copy(shared, work / f"data-{corrupt.__name__}-{rel.replace('/', '_')}")
            target = data / rel
            shutil.copy(target.resolve(), target.with_suffix(target.suffix + ".orig"))
            target.unlink()
            shutil.copy(target.with_suffix(target.suffix + ".orig"), target)
            target.with_suffix(target.suffix + ".orig").unlink()
            corrupt(target)
            outcome = {"case": corrupt.__name__, "file": rel}
            try:
                build(data, store, force=True)
                outcome.update(refused=False, message="accepted")
            except GrondstofError as exc:
                message = str(exc)
                outcome.update(refused=True, message=message)
            except Exception as exc:
                outcome.update(refused=False, message=f"traceback: {type(exc).__name__}: {exc}")
            message = str(outcome["message"])
            outcome["names_file"] = rel in message
            outcome["names_line"] = bool(re.search(r"line \d+", message)) or corrupt is deleted
            outcome["names_column_or_value"] = "column " in message or "value " in message
            outcome["old_store_kept"] = current_build(store) == before and open_store(
                store, build_if_missing=False
            ).has_table("trade")
            rows.append(outcome)
            before = current_build(store)  # an accepted corruption must not count against later cases
            shutil.rmtree(data)
            print(f"  {corrupt.__name__:15s} {rel:70s} {outcome['refused']} {message[:90]}", file=sys.stderr)
    return rows


def kill_builds(shared: Path, work: Path, kills: int, seed: int) -> dict[str, object]:
    from grondstof.store import current_build, open_store

    store = work / "kill-store"
    started = time.perf_counter()
    subprocess.run(
        [*GRONDSTOF, "build", "--data", str(shared), "--store", str(store)], check=True, capture_output=True
    )
    usual = time.perf_counter() - started
    rows_before = open_store(store, build_if_missing=False).table("trade").count().execute()
    rng = random.Random(seed)
    intact = 0
    outcomes: Counter[str] = Counter()
    for n in range(kills):
        sig = signal.SIGINT if n % 2 == 0 else signal.SIGKILL
        child = subprocess.Popen(
            [*GRONDSTOF, "build", "--force", "--data", str(shared), "--store", str(store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, usual))
        child.send_signal(sig)
        code = child.wait()
        outcomes["finished before the signal" if code == 0 else f"killed by {sig.name}"] += 1
        build_dir = current_build(store)
        store_ok = False
        if build_dir is not None and (build_dir / "catalog.json").exists():
            try:
                opened = open_store(store, build_if_missing=False)
                store_ok = opened.table("trade").count().execute() == rows_before
                opened.close()
            except Exception:
                store_ok = False
        intact += store_ok
    leftovers_before = len([p for p in (store / "builds").iterdir() if p.name.startswith(".tmp-")])
    subprocess.run(
        [*GRONDSTOF, "build", "--force", "--data", str(shared), "--store", str(store)],
        check=True,
        capture_output=True,
    )
    leftovers_after = len([p for p in (store / "builds").iterdir() if p.name.startswith(".tmp-")])
    return {
        "experiment": "killed builds",
        "trials": kills,
        "ok": intact,
        "detail": f"{intact}/{kills} kills left a whole store that opens with the same trade rows; "
        f"{dict(outcomes)}; .tmp-* left by killed builds: {leftovers_before}, after the next build: "
        f"{leftovers_after}; usual build {usual:.1f} s",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


URLS = [
    "/api/v1/imports?material=cobalt&country=NL&year=2022",
    "/api/v1/partner?country=NL&partner=CN&year=2022",
    "/api/v1/compare?material=cobalt&countries=EU27&year=2022",
    "/api/v1/supply?material=gallium&year=2022",
    "/api/v1/sources",
]


def serve_during_builds(shared: Path, work: Path, seconds: float, builds: int) -> dict[str, object]:
    # Data B: the same directory with BACI values doubled in the 2015–2024 extract, so answers differ.
    data_a = shared
    data_b = linked_copy(shared, work / "data-b")
    target = data_b / EXTRACT
    lines = gzip.decompress(target.resolve().read_bytes()).decode().splitlines()
    doubled = [lines[0]]
    for line in lines[1:]:
        year, exporter, importer, code, value, quantity = line.split(",")
        doubled.append(f"{year},{exporter},{importer},{code},{float(value) * 2},{quantity}")
    target.unlink()
    target.write_bytes(gzip.compress(("\n".join(doubled) + "\n").encode(), compresslevel=1))

    store = work / "serve-store"
    subprocess.run(
        [*GRONDSTOF, "build", "--data", str(data_a), "--store", str(store)], check=True, capture_output=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [*GRONDSTOF, "serve", "--store", str(store), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    statuses: Counter[str] = Counter()
    bodies: dict[str, set[str]] = defaultdict(set)
    builds_seen: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        i = n
        while not stop.is_set():
            url = URLS[i % len(URLS)]
            i += 1
            try:
                with urllib.request.urlopen(base + url, timeout=30) as response:
                    body = response.read().decode()
                    served_by = response.headers.get("x-grondstof-build", "")
                    with lock:
                        statuses[str(response.status)] += 1
                        bodies[(url, served_by)].add(body)
                with urllib.request.urlopen(base + "/health", timeout=30) as response:
                    health = json.loads(response.read())
                    with lock:
                        statuses[str(response.status)] += 1
                        builds_seen.add(health["store_build"])
            except urllib.error.HTTPError as exc:
                with lock:
                    statuses[str(exc.code)] += 1
            except OSError:
                with lock:
                    statuses["connection error"] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for n in range(builds):
        data = data_b if n % 2 == 0 else data_a
        subprocess.run(
            [*GRONDSTOF, "build", "--force", "--data", str(data), "--store", str(store)],
            check=True,
            capture_output=True,
        )
    while time.perf_counter() - started < seconds:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)
    total = sum(statuses.values())
    ok = statuses.get("200", 0)
    # A response mixing two builds would differ from the other answers the same build gave to the URL.
    mixed = [key for key, seen in bodies.items() if len(seen) > 1]
    per_url = Counter(url.split("?")[0] for url, _ in bodies)
    return {
        "experiment": "serve during builds",
        "trials": total,
        "ok": ok,
        "detail": f"{builds} builds during {seconds:.0f} s of traffic (4 clients): {dict(statuses)}; "
        f"builds served: {len(builds_seen)}; (URL, build) pairs answered: {len(bodies)} "
        f"({dict(per_url)}); pairs with more than one distinct answer (a response mixing builds): "
        f"{len(mixed)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--builds", type=int, default=4)
    parser.add_argument("--only", choices=("kill", "corrupt", "serve"), default=None)
    opts = parser.parse_args()
    from grondstof.config import resolve_data_dir

    shared = resolve_data_dir(opts.data)
    stamp = datetime.now().isoformat(timespec="seconds")
    machine = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if opts.only in (None, "kill"):
            summary.append(kill_builds(shared, work, opts.kills, opts.seed))
            print(summary[-1]["detail"], file=sys.stderr)
        if opts.only in (None, "corrupt"):
            matrix = corrupt_matrix(shared, work)
            good = [
                m
                for m in matrix
                if m["refused"] and m["names_file"] and m["names_line"] and m["old_store_kept"]
            ]
            summary.append(
                {
                    "experiment": "corrupt sources",
                    "trials": len(matrix),
                    "ok": len(good),
                    "detail": f"{len(good)}/{len(matrix)} refused naming file and line with the old store "
                    f"kept; with column or value: {sum(bool(m['names_column_or_value']) for m in matrix)}; "
                    f"not refused: {[(m['case'], m['file']) for m in matrix if not m['refused']]}",
                }
            )
            path = RESULTS / "faults_corrupt.csv"
            new = not path.exists()
            with open(path, "a", newline="") as handle:
                fields = [
                    "when",
                    "case",
                    "file",
                    "refused",
                    "names_file",
                    "names_line",
                    "names_column_or_value",
                    "old_store_kept",
                    "message",
                ]
                writer = csv.DictWriter(handle, fields)
                if new:
                    writer.writeheader()
                for row in matrix:
                    writer.writerow({"when": stamp, **row})
        if opts.only in (None, "serve"):
            summary.append(serve_during_builds(shared, work, opts.seconds, opts.builds))
            print(summary[-1]["detail"], file=sys.stderr)
    path = RESULTS / "faults.csv"
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, ["when", "machine", "experiment", "trials", "ok", "detail"])
        if new:
            writer.writeheader()
        for row in summary:
            writer.writerow({"when": stamp, "machine": machine, **row})
    for row in summary:
        print(f"{row['experiment']}: {row['ok']}/{row['trials']} — {row['detail']}")


if __name__ == "__main__":
    main()
