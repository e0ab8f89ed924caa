"""The warm worker (grondstof.launch, grondstof.warm): analysis commands handed to it print what they print
cold, with the same exit status; anything else runs cold; a rebuilt store, a stale socket, a directory
others can enter and Ctrl-C are handled. Speed is measured in benchmarks/bench_foundation.py."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grondstof.warm.protocol import request

pytestmark = pytest.mark.realdata


def grondstof(*args: str, env: dict[str, str], **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grondstof", *args], env=env, capture_output=True, text=True, **options
    )


def socket_of(env: dict[str, str]) -> Path | None:
    code = "from grondstof.warm.protocol import worker_socket; print(worker_socket())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    text = out.stdout.strip()
    return None if text == "None" else Path(text)


def wait_for(path: Path, seconds: float = 120.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = request(path, {"op": "status"})
        if answer is not None:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"no worker answered at {path} within {seconds} s")


def warm_env(folder: Path, store: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return {
        **os.environ,
        "GRONDSTOF_WARM": "1",
        "GRONDSTOF_WARM_DIR": str(folder),
        "GRONDSTOF_STORE": str(store),
        "COLUMNS": "120",
    }


@pytest.fixture(scope="module")
def env(real_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return warm_env(tmp_path_factory.mktemp("warm"), real_store_dir)


@pytest.fixture(scope="module")
def worker(env: dict[str, str]):
    """A worker for ``env``, started as the script starts one; stopped after the module's tests."""
    path = socket_of(env)
    assert path is not None
    with open(path.with_suffix(".log"), "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "grondstof.warm.worker", str(path)], env=env, stderr=log
        )
    try:
        wait_for(path)
        yield path
    finally:
        request(path, {"op": "stop"})
        process.wait(timeout=60)


def commands_run(path: Path) -> int:
    answer = request(path, {"op": "status"})
    assert answer is not None, "the worker stopped"
    return answer["commands"]


def same_numbers(warm: object, cold: object) -> bool:
    """Equal, floats within 1e-9 relative (the worker's queries run on one DuckDB thread, the cold
    command's on several: float sums may differ in their last bits)."""
    if isinstance(warm, float) and isinstance(cold, float):
        return math.isclose(warm, cold, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(warm, dict) and isinstance(cold, dict):
        return warm.keys() == cold.keys() and all(same_numbers(warm[k], cold[k]) for k in warm)
    if isinstance(warm, list) and isinstance(cold, list):
        return len(warm) == len(cold) and all(same_numbers(a, b) for a, b in zip(warm, cold, strict=True))
    return warm == cold


def csv_cells(text: str) -> list[list[object]]:
    def cell(value: str) -> object:
        try:
            return float(value)
        except ValueError:
            return value

    return [[cell(v) for v in row] for row in csv.reader(io.StringIO(text))]


COMMANDS = [
    ("json", ["imports", "gallium", "--country", "NL", "--json"]),
    ("json", ["compare", "cobalt", "--countries", "EU27,NL", "--year", "2022", "--json"]),
    ("csv", ["risk", "all", "--country", "NL", "--method", "geopolrisk", "--csv"]),
    ("text", ["supply", "cobalt", "--years", "2020-2022", "--by", "year"]),
    ("text", ["scenario", "cutoff", "--preset", "CN-2023-GaGe", "--country", "NL"]),
    ("text", ["imports", "gallium", "--country", "XX"]),  # bad input: exit 2, one line
    ("text", ["imports", "--nope"]),  # a usage error from Click
]


@pytest.mark.parametrize(("kind", "args"), COMMANDS, ids=[" ".join(a) for _, a in COMMANDS])
def test_a_command_through_the_worker_prints_what_it_prints_cold(worker, env, kind, args) -> None:
    before = commands_run(worker)
    warm = grondstof(*args, env=env)
    cold = grondstof(*args, env={**env, "GRONDSTOF_WARM": "0"})
    assert commands_run(worker) == before + 1  # it did go through the worker
    assert (warm.returncode, warm.stderr) == (cold.returncode, cold.stderr)
    if kind == "json":
        assert same_numbers(json.loads(warm.stdout), json.loads(cold.stdout))
    elif kind == "csv":
        assert same_numbers(csv_cells(warm.stdout), csv_cells(cold.stdout))
    else:
        assert warm.stdout == cold.stdout
    assert warm.stdout or warm.stderr


def test_commands_that_are_not_analyses_run_in_the_caller(worker, env) -> None:
    before = commands_run(worker)
    out = grondstof("data", "--json", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)
    assert commands_run(worker) == before


def test_the_worker_serves_the_new_build_after_a_rebuild(worker, env, data_dir, tmp_path) -> None:
    store = tmp_path / "store"
    built = grondstof("build", "--data", str(data_dir), "--store", str(store), env=env)
    assert built.returncode == 0, built.stderr
    first = grondstof("supply", "cobalt", "--store", str(store), "--json", env=env)
    assert first.returncode == 0, first.stderr
    held = request(worker, {"op": "status"})["builds"]
    assert held == [str((store / "current").resolve())]
    rebuilt = grondstof("build", "--data", str(data_dir), "--store", str(store), "--force", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = grondstof("supply", "cobalt", "--store", str(store), "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert request(worker, {"op": "status"})["builds"] == [str((store / "current").resolve())] != held
    assert same_numbers(json.loads(again.stdout)["rows"], json.loads(first.stdout)["rows"])


MONTE_CARLO = ["scenario", "montecarlo", "--country", "NL", "--draws", "4000000"]


def test_ctrl_c_stops_the_command_and_a_busy_worker_is_not_waited_for(worker, env) -> None:
    before = commands_run(worker)  # (a busy worker answers no status)
    client = subprocess.Popen(
        [sys.executable, "-m", "grondstof", *MONTE_CARLO],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(3)
    assert client.poll() is None, "the command ended before it could be interrupted"
    # Meanwhile another command does not wait for the busy worker: it runs in its own process.
    meanwhile = grondstof("imports", "gallium", "--country", "NL", "--json", env=env)
    assert meanwhile.returncode == 0 and json.loads(meanwhile.stdout)["rows"]
    assert client.poll() is None
    interrupted = time.monotonic()
    client.send_signal(signal.SIGINT)
    _, err = client.communicate(timeout=30)
    assert client.returncode == 130, err
    assert b"Traceback" not in err
    out = grondstof("imports", "gallium", "--country", "NL", "--json", env=env)
    assert out.returncode == 0 and json.loads(out.stdout)["rows"]
    assert commands_run(worker) == before + 2  # the simulation and the last; the worker stopped the first:
    assert time.monotonic() - interrupted < 30  # its 4 million draws take over a minute


def test_without_a_worker_the_command_runs_cold_and_starts_one(real_store_dir, tmp_path) -> None:
    env = warm_env(tmp_path / "w", real_store_dir)
    path = socket_of(env)
    assert path is not None
    # A socket file left by a worker that died: nobody listens on it.
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()
    out = grondstof("imports", "gallium", "--country", "NL", "--json", env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows"]
    try:
        assert wait_for(path)["commands"] == 0
        status = grondstof("warm", "--json", env=env)
        assert json.loads(status.stdout)["running"] is True
    finally:
        stopped = grondstof("warm", "--stop", "--json", env=env)
    assert json.loads(stopped.stdout)["stopping"] is True


def test_warm_off_and_unsafe_directories_start_no_worker(real_store_dir, tmp_path) -> None:
    off = {**warm_env(tmp_path / "off", real_store_dir), "GRONDSTOF_WARM": "0"}
    shared = warm_env(tmp_path / "shared", real_store_dir)
    (tmp_path / "shared").chmod(0o755)  # others may enter: a socket there could be anyone's
    assert socket_of(shared) is None
    for env in (off, shared):
        out = grondstof("supply", "gallium", "--json", env=env)
        assert out.returncode == 0, out.stderr
    time.sleep(1)
    assert not list((tmp_path / "off").iterdir())
    assert not list((tmp_path / "shared").iterdir())


def test_each_setting_and_the_code_have_their_own_worker(monkeypatch, tmp_path) -> None:
    from grondstof.warm import protocol

    folder = tmp_path / "w"
    monkeypatch.setenv("GRONDSTOF_WARM_DIR", str(folder))
    first = protocol.worker_socket()
    monkeypatch.setenv("GRONDSTOF_WARM", "1")  # the switch itself is not a setting of the worker
    assert protocol.worker_socket() == first
    monkeypatch.setenv("GRONDSTOF_HOT_MB", "32")
    assert protocol.worker_socket() != first
    monkeypatch.delenv("GRONDSTOF_HOT_MB")
    monkeypatch.setattr(protocol, "code_fingerprint", lambda: b"edited")
    assert protocol.worker_socket() != first
    assert (folder.stat().st_mode & 0o777) == 0o700


def test_a_reader_that_leaves_early_ends_a_warm_command_quietly(worker, env) -> None:
    before = commands_run(worker)
    child = subprocess.Popen(
        [sys.executable, "-m", "grondstof", "imports", "gallium", "--country", "NL", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader goes away before the command prints
    err = child.stderr.read()
    assert (child.wait(timeout=60), err) == (141, b"")
    assert commands_run(worker) == before + 1
    out = grondstof("supply", "gallium", "--json", env=env)
    assert out.returncode == 0 and json.loads(out.stdout)["rows"]


def test_without_descriptor_passing_commands_run_cold(monkeypatch) -> None:
    from grondstof.warm import protocol

    monkeypatch.setenv("GRONDSTOF_WARM", "1")
    assert protocol.warm_enabled()
    monkeypatch.delattr(protocol.socket, "SCM_RIGHTS")  # as on Windows
    assert not protocol.warm_enabled()


def test_a_mistyped_idle_setting_is_named_and_starts_no_worker(real_store_dir, tmp_path) -> None:
    env = {**warm_env(tmp_path / "w", real_store_dir), "GRONDSTOF_WARM_MINUTES": "abc"}
    out = grondstof("supply", "gallium", "--json", env=env)
    assert out.returncode == 0 and json.loads(out.stdout)["rows"]  # the command itself runs cold
    assert out.stderr == (
        "warning: no warm worker started: GRONDSTOF_WARM_MINUTES: 'abc' is not valid; expected a number ≥ 0\n"
    )
    time.sleep(1)
    assert not list((tmp_path / "w").glob("*.sock"))


def test_a_new_worker_starts_with_the_sql_its_predecessor_compiled(real_store_dir, tmp_path) -> None:
    env = warm_env(tmp_path / "w", real_store_dir)
    path = socket_of(env)
    assert path is not None
    grondstof("supply", "gallium", "--json", env=env)  # cold; starts a worker
    try:
        before = wait_for(path)["sql_templates"]
        for args in COMMANDS_KEPT:
            out = grondstof(*args, "--json", env=env)
            assert out.returncode == 0, out.stderr
        held = wait_for(path)["sql_templates"]
        assert held > before
    finally:
        grondstof("warm", "--stop", env=env)
    saved = path.with_suffix(".sql")
    assert saved.stat().st_mode & 0o777 == 0o600
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the old worker holds it until it has ended
        fcntl.flock(lock, fcntl.LOCK_UN)
    grondstof("supply", "gallium", "--json", env=env)  # cold again; a new worker
    try:
        assert wait_for(path)["sql_templates"] >= held  # before its first command
        # Whatever the templates need (lookup and derived tables) is made in the new worker too.
        for args in COMMANDS_KEPT:
            out = grondstof(*args, "--json", env=env)
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["rows"]
        assert commands_run(path) == len(COMMANDS_KEPT)
    finally:
        grondstof("warm", "--stop", env=env)


COMMANDS_KEPT = [
    ("risk", "all", "--country", "NL", "--method", "geopolrisk"),
    ("overview", "NL"),
    ("imports", "cobalt", "--country", "EU27", "--years", "2015-2024", "--by", "year"),
    ("watch", "--country", "NL", "--limit", "5"),
]


def test_files_of_keys_unused_for_a_week_are_swept_unless_a_worker_holds_them(tmp_path) -> None:
    from grondstof.warm.worker import sweep

    old = time.time() - 8 * 86400
    for stem in ("old", "held", "recent", "mine"):
        for suffix in (".sql", ".log", ".lock"):
            (tmp_path / f"{stem}{suffix}").write_text("")
            if stem != "recent":
                os.utime(tmp_path / f"{stem}{suffix}", (old, old))
    (tmp_path / "notes.txt").write_text("not a worker's")
    os.utime(tmp_path / "notes.txt", (old, old))
    with open(tmp_path / "held.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a worker of that key is running
        assert sweep(tmp_path, keep="mine") == ["old"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert not [name for name in left if name.startswith("old")]
    assert {"held.sql", "recent.sql", "mine.sql", "notes.txt"} <= set(left)
