"""One parser per upstream format; ``SOURCES`` lists every source the store is built from.

Each source module defines ``INFO`` (:class:`~grondstof.sources._base.SourceInfo`) and
``parse(data_dir) -> dict[str, pyarrow.Table]`` returning canonical tables (:mod:`grondstof.schema`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from grondstof.sources import (
    baci,
    baci_extracts,
    baci_refined,
    comext,
    comtrade,
    crma,
    eu_crm,
    export_controls,
    geopolrisk_map,
    intensities,
    tno,
    usgs,
    usgs_mcs2025,
    wgi,
    wmd,
    worldbank_cmo,
)
from grondstof.sources._base import SourceInfo
from grondstof.sources._duck import StreamedTable, StreamTarget


@dataclass(frozen=True)
class Source:
    """A source as the store sees it: its description and the function that parses it.

    ``stream`` (optional) is used by the build instead of ``parse`` for large sources: it validates the
    files inside DuckDB and writes Parquet itself (see ``sources/_duck.py``), returning what it wrote per
    table. ``parse`` stays the reference reader (tests, small inputs, other engines).
    """

    info: SourceInfo
    parse: Callable[[Path], dict[str, pa.Table]]
    stream: Callable[[Path, StreamTarget], dict[str, StreamedTable]] | None = None


SOURCES: tuple[Source, ...] = (
    # Trade
    Source(baci.INFO, baci.parse, baci.stream_extract),
    Source(baci.OFFICIAL_INFO, baci.parse_official, baci.stream_official),
    Source(comext.INFO, comext.parse),
    Source(comext.BULK_INFO, comext.parse_bulk, comext.stream_bulk),
    Source(baci_extracts.HS17_INFO, baci_extracts.parse_hs17),
    Source(baci_extracts.HS22_INFO, baci_extracts.parse_hs22),
    Source(baci_extracts.HS07_INFO, baci_extracts.parse_hs07),
    Source(baci_refined.INFO, baci_refined.parse),
    Source(comtrade.INFO, comtrade.parse),
    Source(comtrade.API_INFO, comtrade.parse_api),
    # Production, reserves, governance
    Source(wmd.INFO, wmd.parse),
    Source(usgs.INFO, usgs.parse),
    Source(usgs_mcs2025.INFO, usgs_mcs2025.parse),
    Source(usgs_mcs2025.SALIENT_INFO, usgs_mcs2025.parse_salient),
    Source(wgi.INFO, wgi.parse),
    Source(wgi.PV_INFO, wgi.parse_pv),
    # EU assessment, policy lists, measures
    Source(eu_crm.INFO, eu_crm.parse),
    Source(crma.INFO, crma.parse),
    Source(export_controls.INFO, export_controls.parse),
    Source(geopolrisk_map.INFO, geopolrisk_map.parse),
    # Prices
    Source(worldbank_cmo.INFO, worldbank_cmo.parse),
    # Material intensities
    Source(intensities.INFO, intensities.parse),
    Source(intensities.BATPAC_INFO, intensities.parse_batpac),
    Source(tno.INFO, tno.parse),
)


def get_source(source_id: str) -> Source:
    """Return the source with id ``source_id`` (KeyError if unknown)."""
    for source in SOURCES:
        if source.info.id == source_id:
            return source
    raise KeyError(source_id)
