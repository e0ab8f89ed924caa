"""Long randomized fuzzing (``make fuzz``): the Hypothesis properties and schemathesis, many random inputs.

``make test`` runs the same tests derandomized and bounded (the "ci" profile in tests/conftest.py). This
script runs them with the "fuzz" profile (random inputs, ``--scale`` times as many examples per test) in
rounds, each with fresh random inputs, the later ones sized to fill the ``--minutes`` left. The tests count
every input they try and every 5xx answer (tests/fuzzing.py); the totals are appended as one row to
``benchmarks/results/fuzz.csv``: date, git commit, profile (the scale of each round), rounds, inputs
tried, server errors found (5xx responses), distinct routes with a server error, failed tests, seconds.
Zero server errors is the bar.

Run: ``.venv/bin/python benchmarks/fuzz.py [--minutes 10] [--scale 20] [--workers 2]``. Failing inputs
are kept in ``.hypothesis/`` (replayed by the next fuzz run) and the failing tests are printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fuzz.csv"
# The property and fuzz tests: every text-to-value parser, every URL parameter, schemathesis.
TESTS = [
    "tests/test_parsing.py",
    "tests/test_web_bad_input.py",
    "tests/test_api_contract.py",
]
COLUMNS = [
    "date",
    "commit",
    "profile",
    "rounds",
    "inputs_tried",
    "server_errors",
    "server_error_routes",
    "failed_tests",
    "seconds",
]


def git_commit() -> str:
    """The checked-out commit, marked ``+dirty`` when the worktree has uncommitted changes."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (commit or "unknown") + ("+dirty" if dirty else "")


def run_round(scale: int, workers: int, counts_dir: Path) -> tuple[int, list[str]]:
    """One pytest run of TESTS under the fuzz profile; returns its exit code and the failed test ids."""
    env = {
        **os.environ,
        "GRONDSTOF_HYPOTHESIS_PROFILE": "fuzz",
        "GRONDSTOF_FUZZ_SCALE": str(scale),
        "GRONDSTOF_FUZZ_COUNTS": str(counts_dir),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *TESTS]
    if workers > 1:
        command += ["-n", str(workers)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    failed = re.findall(r"^FAILED (\S+)", done.stdout, flags=re.MULTILINE)
    if done.returncode not in (0, 1):  # 1 = tests failed; anything else = pytest itself could not run
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"pytest exited with {done.returncode}")
    if failed:
        sys.stdout.write(done.stdout[-6000:])
    return done.returncode, failed


def read_counts(counts_dir: Path) -> dict[str, object]:
    """Sum the per-process counts the tests wrote (one JSON file per pytest-xdist worker)."""
    total: dict[str, object] = {"inputs": 0, "server_errors": 0, "routes": set(), "examples": []}
    for path in sorted(counts_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        total["inputs"] = int(total["inputs"]) + int(data.get("inputs", 0))  # type: ignore[call-overload]
        total["server_errors"] = int(total["server_errors"]) + int(data.get("server_errors", 0))  # type: ignore[call-overload]
        total["routes"].update(data.get("server_error_routes", []))  # type: ignore[union-attr]
        total["examples"].extend(data.get("examples", []))  # type: ignore[union-attr]
    return total


def main() -> None:
    """Fuzz for the given time and append the totals to benchmarks/results/fuzz.csv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10)")
    parser.add_argument("--scale", type=int, default=20, help="examples per test: the ci number × this")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    parser.add_argument("--no-record", action="store_true", help="print the totals, do not append them")
    args = parser.parse_args()

    budget = args.minutes * 60
    start = time.perf_counter()
    rounds = 0
    inputs = server_errors = 0
    routes: set[str] = set()
    examples: list[dict[str, object]] = []
    failed: list[str] = []
    scales: list[int] = []
    scale = args.scale
    while True:
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="grondstof-fuzz-") as folder:
            _, round_failed = run_round(scale, args.workers, Path(folder))
            counts = read_counts(Path(folder))
        rounds += 1
        scales.append(scale)
        last = time.perf_counter() - began
        inputs += int(counts["inputs"])  # type: ignore[call-overload]
        server_errors += int(counts["server_errors"])  # type: ignore[call-overload]
        routes |= counts["routes"]  # type: ignore[operator]
        examples += counts["examples"]  # type: ignore[operator]
        failed += [test for test in round_failed if test not in failed]
        print(
            f"round {rounds}: {int(counts['inputs']):,} inputs, {counts['server_errors']} server errors, "  # type: ignore[call-overload]
            f"{len(round_failed)} failed tests, {last:.0f} s",
            flush=True,
        )
        # Another round, sized to the time left (a round's time grows about in proportion to its scale).
        remaining = budget - (time.perf_counter() - start)
        if remaining < 0.25 * last:
            break
        scale = max(1, int(scale * remaining / last * 0.9))
    seconds = time.perf_counter() - start
    row = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "profile": "fuzz " + "+".join(f"×{n}" for n in scales) + f", {args.workers} workers",
        "rounds": rounds,
        "inputs_tried": inputs,
        "server_errors": server_errors,
        "server_error_routes": " ".join(sorted(routes)),
        "failed_tests": len(failed),
        "seconds": round(seconds, 1),
    }
    for example in examples[:10]:
        print(f"server error: {example}")
    for test in failed:
        print(f"failed: {test}")
    print(
        f"{rounds} rounds, {inputs:,} inputs tried, {server_errors} server errors, "
        f"{len(failed)} failed tests in {seconds:.0f} s"
    )
    if not args.no_record:
        new = not RESULTS.exists()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            if new:
                writer.writeheader()
            writer.writerow(row)
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    raise SystemExit(1 if server_errors or failed else 0)


if __name__ == "__main__":
    main()
