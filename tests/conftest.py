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
