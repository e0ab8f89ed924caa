"""Shared fixtures: where the shared data is, fixture files, and throwaway stores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from fuzzing import PROFILE, write_counts
from miniatures import write_miniatures

FIXTURES = Path(__file__).parent / "fixtures"

# Commands the tests run in subprocesses run cold and start no warm worker (grondstof.launch): a worker
# would outlive the test that started it. tests/test_warm.py turns it on for its own workers.
os.environ["GRONDSTOF_WARM"] = "0"

# Hypothesis (and schemathesis, which runs on it) is deterministic in `make test`: the same inputs on every
# run and every machine, a bounded number of them, no database of past failures replayed, no deadline (the
# shared machine's timing must not decide a result). `make fuzz` selects the "fuzz" profile
# (GRONDSTOF_HYPOTHESIS_PROFILE=fuzz): random inputs, many more of them, failures kept in .hypothesis/.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(PROFILE)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under `make fuzz`, leave this process's count of inputs tried and server errors for the report."""
    target = os.environ.get("GRONDSTOF_FUZZ_COUNTS")
    if target:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        write_counts(Path(target) / f"{worker}.json")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real shared data directory; tests using it are skipped when it is absent."""
    from grondstof.config import resolve_data_dir
    from grondstof.errors import InputError

    try:
        return resolve_data_dir()
    except InputError:
        pytest.skip("shared data directory not found (set GRONDSTOF_DATA)")


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The miniature source files written for the tests: ``tests/fixtures`` plus the miniatures kept as
    text in ``miniatures.py``, together in one throwaway directory (tests read it, never write it)."""
    root = tmp_path_factory.mktemp("fixtures")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    write_miniatures(root)
    return root


@pytest.fixture(scope="session")
def real_store(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store built once per test session from the real shared data."""
    from grondstof.store import build, open_store

    root = tmp_path_factory.mktemp("real-store")
    build(data_dir, root)
    return open_store(root, build_if_missing=False)


@pytest.fixture(scope="session")
def real_store_dir(real_store) -> Path:
    """The directory of the real-data store (for CLI tests: ``--store``)."""
    return real_store.build_dir.parent.parent


@pytest.fixture(scope="session")
def web(real_store):
    """An in-process client of the web app on the real-data store (no server, no port)."""
    from fastapi.testclient import TestClient

    from grondstof.web.app import create_app

    with TestClient(create_app(real_store)) as client:
        yield client


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):
    """One local Spark session (two cores) for the whole test session; tests marked ``spark`` use it.

    Skipped when the spark extra is not installed. The warehouse goes to a throwaway directory (a local
    session otherwise leaves ``spark-warehouse/`` behind, stack.md D17); Python workers use this
    interpreter (D18).
    """
    pytest.importorskip("pyspark", reason="the spark extra is not installed (make test-spark)")
    import os
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("grondstof-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
