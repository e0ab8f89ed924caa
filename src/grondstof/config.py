"""Where the raw data and the built store live.

The raw public datasets are never part of the package. They are read from a *data directory*:

1. the ``data_dir`` argument (``--data DIR`` on the command line), else
2. the environment variable ``GRONDSTOF_DATA``, else
3. ``../shared/data`` beside the current working directory, else
4. ``../shared/data`` beside the source checkout this package was installed from (editable installs).

The store (Parquet tables and the catalog built from that directory) lives in ``store_dir`` /
``--store DIR`` / ``$GRONDSTOF_STORE`` / ``~/.cache/grondstof/store`` (``$XDG_CACHE_HOME`` respected).
"""

from __future__ import annotations

import os
from pathlib import Path

from grondstof.errors import InputError
from grondstof.parsing import user_path

DATA_ENV = "GRONDSTOF_DATA"
STORE_ENV = "GRONDSTOF_STORE"


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
