"""Shared fixtures: where the shared data is, fixture files, and throwaway stores."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture
def fixtures() -> Path:
    """The directory of miniature source files written for the tests."""
    return FIXTURES


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
