"""The scanner: a company's bill of materials, import records, product groups or a product template,
scanned for raw-material supply risk (``grondstof scan``; method in :mod:`grondstof.scanner.kernel`).

``scan(...)`` returns the same :class:`~grondstof.result.Result` as ``grondstof scan --json``. It is imported
on first use, so importing this package costs a command nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["list_templates", "scan"]


def __getattr__(name: str) -> Any:
    # Imported by name on first use: the modules of this package import each other as
    # ``from grondstof.scanner import kernel``, so a plain import here would make the package import itself.
    if name in __all__:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.query"), name)
    raise AttributeError(name)
