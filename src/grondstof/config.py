"""Where the raw data and the built store live.

The raw public datasets are never part of the package. They are read from a *data directory*:

1. the ``data_dir`` argument (``--data DIR`` on the command line), else
2. the environment variable ``GRONDSTOF_DATA``, else
3. ``../shared/data`` beside the current working directory, else
4. ``../shared/data`` beside the source checkout this package was installed from (editable installs).

The store (Parquet tables and the catalog built from that directory) lives in ``store_dir`` /
``--store DIR`` / ``$GRONDSTOF_STORE`` / ``~/.cache/grondstof/store`` (``$XDG_CACHE_HOME`` respected).

The engine that runs the queries is ``backend=`` / ``grondstof --backend NAME`` / ``$GRONDSTOF_BACKEND`` /
``duckdb`` (in process). ``pyspark`` runs the same expressions on Spark.
"""

from __future__ import annotations

import os
from pathlib import Path

from grondstof.errors import InputError
from grondstof.parsing import user_path

DATA_ENV = "GRONDSTOF_DATA"
STORE_ENV = "GRONDSTOF_STORE"
BACKEND_ENV = "GRONDSTOF_BACKEND"
BACKEND_NAMES = ("duckdb", "polars", "pyspark")

# Set by the command line's global ``--backend`` option for the rest of the process.
_chosen_backend: str | None = None


def _checkout_root() -> Path:
    # src/grondstof/config.py -> the checkout root is three levels up.
    return Path(__file__).resolve().parents[2]


def data_dir_candidates() -> list[Path]:
    """Return the default data directories in the order they are tried."""
    candidates: list[Path] = []
    env = os.environ.get(DATA_ENV)
    if env:
        candidates.append(Path(env))
    candidates.append(Path.cwd().parent / "shared" / "data")
    candidates.append(_checkout_root().parent / "shared" / "data")
    return candidates


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory to read, following the documented order.

    Raises :class:`InputError` naming the parameter when an explicit directory does not exist, or when
    none of the defaults exists.
    """
    if data_dir is not None:
        path = user_path(data_dir, "--data")
        if not path.is_dir():
            raise InputError("--data", str(path), "an existing directory holding the source datasets")
        return path.resolve()
    env = os.environ.get(DATA_ENV)
    if env and not user_path(env, DATA_ENV).is_dir():
        raise InputError(DATA_ENV, env, "an existing directory holding the source datasets")
    for candidate in data_dir_candidates():
        if candidate.expanduser().is_dir():
            return candidate.expanduser().resolve()
    tried = ", ".join(str(c) for c in data_dir_candidates())
    raise InputError(
        "--data", None, f"a data directory; none given and none of the defaults exists ({tried})"
    )


def resolve_store_dir(store_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the store directory (it need not exist yet)."""
    if store_dir is not None:
        return user_path(store_dir, "--store").resolve()
    env = os.environ.get(STORE_ENV)
    if env:
        return user_path(env, STORE_ENV).resolve()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(cache) / "grondstof" / "store").resolve()


def choose_backend(backend: str | None) -> None:
    """Make ``backend`` the default engine of this process (the command line's ``--backend``); None
    goes back to ``$GRONDSTOF_BACKEND`` or DuckDB. Raises :class:`InputError` for an unknown name."""
    global _chosen_backend
    _chosen_backend = _check_backend("--backend", backend) if backend is not None else None


def resolve_backend(backend: str | None = None) -> str:
    """Return the engine to run queries on: ``backend`` if given, else the command line's ``--backend``,
    else ``$GRONDSTOF_BACKEND``, else ``duckdb``.

    Raises :class:`InputError` naming the parameter or the environment variable for an unknown engine.
    """
    if backend is not None:
        return _check_backend("backend", backend)
    if _chosen_backend is not None:
        return _chosen_backend
    env = os.environ.get(BACKEND_ENV)
    if env:
        return _check_backend(BACKEND_ENV, env)
    return "duckdb"


def _check_backend(parameter: str, value: str) -> str:
    name = value.strip().lower()
    if name not in BACKEND_NAMES:
        raise InputError(parameter, value, f"an engine: {', '.join(BACKEND_NAMES)}")
    return name


def env_int(name: str, default: int) -> int:
    """A whole number ≥ 0 from environment variable ``name`` (``default`` when unset or empty).

    Raises :class:`InputError` naming the variable for anything else, so a mistyped server setting
    stops ``grondstof serve`` with one line instead of a traceback.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit():
        raise InputError(name, text, "a whole number ≥ 0")
    return int(text)


def env_float(name: str, default: float) -> float:
    """A number ≥ 0 from environment variable ``name`` (``default`` if unset or empty); see env_int."""
    import math

    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise InputError(name, text, "a number ≥ 0")
    return value
