"""One parser per upstream format; ``SOURCES`` lists every source the store is built from.

Each source module defines ``INFO`` (:class:`~grondstof.sources._base.SourceInfo`) and
``parse(data_dir) -> dict[str, pyarrow.Table]`` returning canonical tables (:mod:`grondstof.schema`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from grondstof.sources import baci
from grondstof.sources._base import SourceInfo


@dataclass(frozen=True)
class Source:
    """A source as the store sees it: its description and the function that parses it."""

    info: SourceInfo
    parse: Callable[[Path], dict[str, pa.Table]]


SOURCES: tuple[Source, ...] = (
    Source(baci.INFO, baci.parse),
    Source(baci.OFFICIAL_INFO, baci.parse_official),
)


def get_source(source_id: str) -> Source:
    """Return the source with id ``source_id`` (KeyError if unknown)."""
    for source in SOURCES:
        if source.info.id == source_id:
            return source
    raise KeyError(source_id)
