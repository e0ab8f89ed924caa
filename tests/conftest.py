"""Shared fixtures: where the shared data is, fixture files, and throwaway stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from miniatures import write_miniatures

FIXTURES = Path(__file__).parent / "fixtures"


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
