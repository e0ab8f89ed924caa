"""The Vega + Vega-Lite + vega-embed JavaScript bundle that draws charts in the dashboard, offline.

vl-convert generates it (about 1.5 s), so it is written once per vl-convert version next to the store
(``<store>/assets/``) when the store is built, and served from there.
"""

from __future__ import annotations

import threading
from pathlib import Path

_LOCK = threading.Lock()


def bundle_path(store_root: Path) -> Path:
    """Where the bundle for the installed vl-convert version lives."""
    import vl_convert

    return store_root / "assets" / f"vega-bundle-{getattr(vl_convert, '__version__', 'unknown')}.js"


def ensure_bundle(store_root: Path) -> Path:
    """Write the bundle if it is missing (atomically) and return its path."""
    path = bundle_path(store_root)
    with _LOCK:
        if not path.exists():
            import vl_convert

            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(vl_convert.javascript_bundle(), encoding="utf-8")  # type: ignore[call-arg]  # stub lacks the default
            tmp.replace(path)
    return path
