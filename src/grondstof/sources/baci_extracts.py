"""Three BACI (CEPII) extracts found in public repositories, each in its own layout.

* ``baci_hs17`` — ``baci_hs17_atlas_subset/`` (GitHub ``Varcolacus/critical-materials-atlas``), BACI HS17
  V202601 for 30 HS6 codes. Two layouts, told apart by header:
  ``year,exporter_iso3,exporter_name,importer_iso3,importer_name,hs17_code,material,value_kusd,qty_t``
  (2024; thousand USD and tonnes) and ``year,exporter_iso3,importer_iso3,hs17_code,value_usd`` (2022; whole
  USD — the repository multiplied BACI's kUSD by 1000 — and no quantity). Countries are ISO3, with BACI's
  ``S19`` ("Other Asia, nes") for Taiwan.
* ``baci_hs22_hs4`` — ``comflow_baci_hs22_top_flows/`` (GitHub ``philippmerz/comflow``), BACI HS22 V202601
  summed to HS4 and cut to the top 200 exporter→importer pairs per HS4 and year:
  ``year,hs4,commodity_id,commodity_label,rank_by_value,exporter_iso3,importer_iso3,value_usd,quantity_t``
  (whole USD, integer tonnes), plus the world totals per HS4 and year over all pairs
  (``year,hs4,commodity_id,commodity_label,total_value_usd,total_quantity_t,pairs_total,pairs_in_top_file``)
  which become ``trade_totals``.
* ``baci_hs07_asean`` — ``baci_hs07_asean_minerals/`` (GitHub ``ccmdesign/bfna-indopacific``), BACI HS07
  V202601 flows touching ASEAN: ``t,hs6,i,j,trade_usd_thousands,qty_tons,i_iso3,j_iso3,mineral``. Countries
  are mapped from the BACI codes ``i``/``j`` and cross-checked against the repository's ISO3 columns.

All become canonical ``trade`` rows with values in USD (FOB, as BACI) and quantities in metric tonnes.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    int_column,
    map_column,
    read_csv_text,
    read_header,
    text_column,
)

BACI_CITATION = (
    "Gaulier, G. & Zignago, S. (2010), BACI: International Trade Database at the Product-Level. "
    "The 1994-2007 Version, CEPII Working Paper 2010-23"
)
BACI_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"

HS17_INFO = SourceInfo(
    id="baci_hs17",
    title="BACI HS17 bilateral trade, 30 critical-material HS6 codes, 2022 and 2024",
    publisher="CEPII (extract by GitHub Varcolacus/critical-materials-atlas)",
    licence="Etalab Open Licence 2.0 (BACI); the extract's repository states no licence",
    version="BACI HS17 V202601; repository HEAD 17b328d2239864e993895582a29fdd3b5ceb479b",
    citation=BACI_CITATION,
    url=BACI_URL,
    files=("baci_hs17_atlas_subset/baci_hs17_v202601_atlas_codes_*.csv.gz",),
    tables=("trade",),
    notes="Values FOB in current USD: the 2024 file gives thousand USD (converted), the 2022 file whole USD "
    "(the repository had multiplied BACI by 1000) and no quantities (tonnes null). 2024 tonnes are missing "
    "for 4.7% of rows. Only 2022 and 2024. 811292 is a basket of minor metals (Ga, Ge, In, Nb, Re, V …; "
    "the atlas folded HS2022's hafnium code 811231 into it); 270112 includes thermal coal; 850511 is "
    "permanent magnets of metal. BACI's S19 ('Other Asia, nes') is Taiwan. Country names in the 2024 "
    "file are mis-decoded UTF-8 ('CÃ´te d'Ivoire'); they are only used to cross-check the ISO3 codes.",
    units={"value": "USD (FOB, current)", "tonnes": "metric tonnes"},
)

HS22_INFO = SourceInfo(
    id="baci_hs22_hs4",
    title="BACI HS22, top 200 bilateral flows per HS4 group (13 metals and ores), 2022–2024",
    publisher="CEPII (extract by GitHub philippmerz/comflow)",
    licence="Etalab Open Licence 2.0 (BACI); the extract's repository states no licence",
    version="BACI HS22 V202601 (BACI_HS22_V202601.zip); comflow commit "
    "83887ca633637b6f614d744068d490766772d9f8",
    citation=BACI_CITATION,
    url=BACI_URL,
    files=(
        "comflow_baci_hs22_top_flows/baci_hs22_v202601_hs4_top200_flows_*.csv.gz",
        "comflow_baci_hs22_top_flows/baci_hs22_v202601_hs4_totals_*.csv",
    ),
    tables=("trade", "trade_totals"),
    notes="Codes are HS4 groups (classification HS22, 4-digit code): 7403 mixes copper cathodes and alloys, "
    "7502 unalloyed and alloyed nickel, 7202 all ferro-alloys. Only the top 200 pairs per HS4 and year "
    "(84–100% of world value); trade_totals holds the world totals over all pairs as denominators. The "
    "upstream script counted a missing BACI quantity as 0 before summing, so tonnes (flows and totals) are "
    "under-counted where BACI lacks a quantity (bauxite 2023: 68 Mt vs 154/183 Mt in 2022/2024; zinc 2024 "
    "tonnes look doubled) and a 0 can mean 'unknown'; the values are kept as given (14 flows have 0 t). "
    "Values whole USD (BACI kUSD x 1000, rounded), FOB; tonnes rounded to integers. BACI 490 was mapped to "
    "TWN and self-flows and small territories were dropped by the repository. Fuels (2709–2711) were removed "
    "when the extract was made.",
    units={"value": "USD (FOB, current)", "tonnes": "metric tonnes (rounded; 0 may mean missing)"},
)

HS07_INFO = SourceInfo(
    id="baci_hs07_asean",
    title="BACI HS07 trade of ASEAN with 15 partners, 13 mineral and nickel-chain codes, 2010–2024",
    publisher="CEPII (extract by GitHub ccmdesign/bfna-indopacific)",
    licence="Etalab Open Licence 2.0 (BACI); the extract's repository states no licence",
    version="BACI HS07 V202601; bfna-indopacific commit 148ebf2ec3be165f9e4537f7ca541e586e6abc08",
    citation=BACI_CITATION,
    url=BACI_URL,
    files=("baci_hs07_asean_minerals/baci_hs07_v202601_asean_minerals_bilateral_*.csv.gz",),
    tables=("trade",),
    notes="Only flows with an ASEAN-10 member on at least one side; the other side is AUS, CAN, CHN, JPN, "
    "KOR, USA, GBR, eight EU members (NLD, BEL, DEU, FRA, ITA, ESP, POL, SWE) or another ASEAN member. Useful"
    " for exposure to the Indonesian/Philippine nickel chain, not for total imports. Values FOB, thousand"
    " USD converted to USD; tonnes missing for 164 rows. HS2007 codes: 283329 and 253090 are broad baskets.",
    units={"value": "USD (FOB, current)", "tonnes": "metric tonnes"},
)

HS17_2024_COLUMNS = (
    "year",
    "exporter_iso3",
    "exporter_name",
    "importer_iso3",
    "importer_name",
    "hs17_code",
    "material",
    "value_kusd",
    "qty_t",
)
HS17_2022_COLUMNS = ("year", "exporter_iso3", "importer_iso3", "hs17_code", "value_usd")
HS22_FLOW_COLUMNS = (
    "year",
    "hs4",
    "commodity_id",
    "commodity_label",
    "rank_by_value",
    "exporter_iso3",
    "importer_iso3",
    "value_usd",
    "quantity_t",
)
HS22_TOTAL_COLUMNS = (
    "year",
    "hs4",
    "commodity_id",
    "commodity_label",
    "total_value_usd",
    "total_quantity_t",
    "pairs_total",
    "pairs_in_top_file",
)
HS07_COLUMNS = ("t", "hs6", "i", "j", "trade_usd_thousands", "qty_tons", "i_iso3", "j_iso3", "mineral")
MISSING_QUANTITY = ("", "NA", "na", "NaN")
YEAR = "a year between 1988 and 2100"
ISO3_KNOWN = "an ISO3 code known to the country registry (or BACI's S19 for Taiwan)"


def _iso3(values: object) -> dict[object, str | None]:
    return countries().map_codes(values, "iso3")  # type: ignore[arg-type]


def _iso3_column(raw: pa.Table, column: str, path: Path) -> pa.Array:
    """An ISO3 country column checked for shape and mapped through the registry (S19 becomes TWN)."""
    codes = text_column(raw, column, path, pattern=r"^[A-Z][A-Z0-9]{2}$", expected=ISO3_KNOWN)
    return map_column(codes, _iso3, path, column, ISO3_KNOWN)


def _names(values: object) -> dict[object, str | None]:
    return countries().map_codes(values, "name")  # type: ignore[arg-type]


def _baci(values: object) -> dict[object, str | None]:
    return countries().map_codes(values, "baci")  # type: ignore[arg-type]


def _refuse(path: Path, column: str, values: pa.Array, bad: pa.Array, expected: str) -> None:
    """Raise for the first true entry of ``bad`` (row i is physical line i + 2)."""
    bad = pc.fill_null(bad, True)
    count = pc.sum(bad).as_py() or 0
    if count:
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(
            path, expected, line=index + 2, column=column, value=values[index].as_py(), more=count - 1
        )


def _trade(
    source: str,
    classification: str,
    code: pa.Array,
    year: pa.Array,
    exporter: pa.Array,
    importer: pa.Array,
    value_usd: pa.Array,
    tonnes: pa.Array,
) -> pa.Table:
    n = len(code)
    return conform(
        "trade",
        pa.table(
            {
                "source": pa.array([source] * n, pa.string()),
                "classification": pa.array([classification] * n, pa.string()),
                "code": code,
                "year": year,
                "exporter": exporter,
                "importer": importer,
                "value": value_usd,
                "currency": pa.array(["USD"] * n, pa.string()),
                "tonnes": tonnes,
            }
        ),
    )


def _check_name(path: Path, raw: pa.Table, name_column: str, iso3: pa.Array) -> None:
    """Refuse a country name that the registry knows as a different country than the row's ISO3 code.

    Names the registry does not know are left alone: they only serve to catch shifted or swapped columns.
    """
    names = text_column(raw, name_column, path)
    by_name = map_column(names, _names, path, name_column, "", allow_unmapped=True)
    _refuse(
        path,
        name_column,
        names,
        pc.and_kleene(pc.is_valid(by_name), pc.not_equal(by_name, iso3)),
        "the name of the country in the ISO3 column next to it",
    )


def _refuse_overlapping_years(paths: list[Path], tables: list[pa.Table], column: str) -> None:
    """Refuse two files of one source that cover the same year (their rows would be counted twice)."""
    seen: dict[int, Path] = {}
    for path, table in zip(paths, tables, strict=True):
        for year in pc.unique(table.column("year")).to_pylist():
            if year in seen:
                raise SourceFormatError(
                    path,
                    f"each year in one file only; {year} is also in {seen[year].name}",
                    column=column,
                    value=year,
                )
            seen[year] = path


# -- HS17 (critical-materials-atlas) ---------------------------------------------------------------------


def parse_hs17_file(path: Path) -> pa.Table:
    """Parse one file of the HS17 atlas subset (the 2024 kUSD+tonnes layout or the 2022 USD-only layout)."""
    header = {h.strip() for h in read_header(path)}
    with_quantity = "value_kusd" in header or "qty_t" in header or "exporter_name" in header
    raw = read_csv_text(path, HS17_2024_COLUMNS if with_quantity else HS17_2022_COLUMNS)
    year = int_column(raw, "year", path, lo=1988, hi=2100, expected=YEAR)
    exporter = _iso3_column(raw, "exporter_iso3", path)
    importer = _iso3_column(raw, "importer_iso3", path)
    code = text_column(raw, "hs17_code", path, pattern=r"^\d{6}$", expected="a 6-digit HS code as text")
    if with_quantity:
        _check_name(path, raw, "exporter_name", exporter)
        _check_name(path, raw, "importer_name", importer)
        text_column(raw, "material", path, expected="the atlas material label")
        kusd = float_column(
            raw,
            "value_kusd",
            path,
            strictly_positive=True,
            expected="a trade value in thousand USD greater than 0",
        )
        value = pc.multiply(kusd, 1000.0)
        tonnes = float_column(
            raw,
            "qty_t",
            path,
            missing=MISSING_QUANTITY,
            lo=0,
            expected="a quantity in tonnes of at least 0, or empty when missing",
        )
    else:
        value = float_column(
            raw, "value_usd", path, strictly_positive=True, expected="a trade value in USD greater than 0"
        )
        tonnes = pa.nulls(raw.num_rows, pa.float64())
    table = _trade(HS17_INFO.id, "HS17", code, year, exporter, importer, value, tonnes)
    check_unique(table, ["year", "exporter", "importer", "code"], path)
    return table


def parse_hs17(data_dir: Path) -> dict[str, pa.Table]:
    """Parse both files of the HS17 atlas subset found in ``data_dir``."""
    paths = HS17_INFO.find_files(data_dir)
    parts = [parse_hs17_file(p) for p in paths]
    _refuse_overlapping_years(paths, parts, "year")
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}


# -- HS22 HS4 top-200 flows and totals (comflow) ---------------------------------------------------------


def parse_hs22_flows_file(path: Path) -> pa.Table:
    """Parse the comflow top-200 flows file into canonical ``trade`` rows (HS22, 4-digit codes)."""
    raw = read_csv_text(path, HS22_FLOW_COLUMNS)
    year = int_column(raw, "year", path, lo=1988, hi=2100, expected=YEAR)
    code = text_column(raw, "hs4", path, pattern=r"^\d{4}$", expected="a 4-digit HS code as text")
    text_column(raw, "commodity_id", path, expected="the comflow commodity id")
    rank = int_column(
        raw, "rank_by_value", path, lo=1, hi=100000, type_=pa.int32(), expected="a rank of at least 1"
    )
    exporter = _iso3_column(raw, "exporter_iso3", path)
    importer = _iso3_column(raw, "importer_iso3", path)
    value = float_column(
        raw, "value_usd", path, strictly_positive=True, expected="a trade value in USD greater than 0"
    )
    # 0 t is kept as 0: the upstream script wrote missing quantities as 0 and the two cannot be told apart.
    tonnes = float_column(
        raw, "quantity_t", path, missing=("",), lo=0, expected="a quantity in tonnes of at least 0"
    )
    table = _trade(HS22_INFO.id, "HS22", code, year, exporter, importer, value, tonnes)
    check_unique(table, ["year", "code", "exporter", "importer"], path)
    check_unique(
        pa.table({"year": year, "hs4": code, "rank_by_value": rank}), ["year", "hs4", "rank_by_value"], path
    )
    return table


def parse_hs22_totals_file(path: Path) -> pa.Table:
    """Parse the comflow world-totals file into canonical ``trade_totals`` rows."""
    return _read_hs22_totals(path)[0]


def _read_hs22_totals(path: Path) -> tuple[pa.Table, pa.Array]:
    """Return the canonical totals and, per row, ``pairs_in_top_file`` (to cross-check with the flows)."""
    raw = read_csv_text(path, HS22_TOTAL_COLUMNS)
    year = int_column(raw, "year", path, lo=1988, hi=2100, expected=YEAR)
    code = text_column(raw, "hs4", path, pattern=r"^\d{4}$", expected="a 4-digit HS code as text")
    value = float_column(
        raw, "total_value_usd", path, strictly_positive=True, expected="a total value in USD greater than 0"
    )
    tonnes = float_column(
        raw,
        "total_quantity_t",
        path,
        missing=("",),
        lo=0,
        expected="a total quantity in tonnes of at least 0",
    )
    pairs = int_column(
        raw,
        "pairs_total",
        path,
        lo=1,
        hi=100000,
        type_=pa.int32(),
        expected="a number of pairs of at least 1",
    )
    in_top = int_column(
        raw,
        "pairs_in_top_file",
        path,
        lo=0,
        hi=100000,
        type_=pa.int32(),
        expected="a number of pairs of at least 0",
    )
    _refuse(path, "pairs_in_top_file", in_top, pc.greater(in_top, pairs), "at most pairs_total")
    n = raw.num_rows
    table = conform(
        "trade_totals",
        pa.table(
            {
                "source": pa.array([HS22_INFO.id] * n, pa.string()),
                "classification": pa.array(["HS22"] * n, pa.string()),
                "code": code,
                "year": year,
                "value": value,
                "currency": pa.array(["USD"] * n, pa.string()),
                "tonnes": tonnes,
                "pairs": pairs,
            }
        ),
    )
    check_unique(table, ["year", "code"], path)
    return table, in_top


def _cross_check_hs22(totals_path: Path, totals: pa.Table, in_top: pa.Array, flows: pa.Table) -> None:
    """The flows of each HS4 and year must number ``pairs_in_top_file`` and sum to at most the world total."""
    got = flows.group_by(["year", "code"]).aggregate([("value", "sum"), ("value", "count")])
    lookup = {
        (y, c): (v, k)
        for y, c, v, k in zip(
            got.column("year").to_pylist(),
            got.column("code").to_pylist(),
            got.column("value_sum").to_pylist(),
            got.column("value_count").to_pylist(),
            strict=True,
        )
    }
    for i, (y, c, total, expected_pairs) in enumerate(
        zip(
            totals.column("year").to_pylist(),
            totals.column("code").to_pylist(),
            totals.column("value").to_pylist(),
            in_top.to_pylist(),
            strict=True,
        )
    ):
        value_sum, count = lookup.get((y, c), (0.0, 0))
        if count != expected_pairs:
            raise SourceFormatError(
                totals_path,
                f"as many flow rows as pairs_in_top_file for {c} {y}",
                line=i + 2,
                column="pairs_in_top_file",
                value=f"{expected_pairs} (the flows file has {count})",
            )
        if value_sum > total * (1 + 1e-9) + 1:
            raise SourceFormatError(
                totals_path,
                f"a world total at least the sum of the top flows of {c} {y}",
                line=i + 2,
                column="total_value_usd",
                value=f"{total:.0f} < {value_sum:.0f}",
            )


def parse_hs22(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the comflow flows and totals files found in ``data_dir`` and check them against each other."""
    flow_paths = sorted(data_dir.glob(HS22_INFO.files[0]))
    total_paths = sorted(data_dir.glob(HS22_INFO.files[1]))
    flows = [parse_hs22_flows_file(p) for p in flow_paths]
    read_totals = [_read_hs22_totals(p) for p in total_paths]
    totals = [t for t, _ in read_totals]
    _refuse_overlapping_years(flow_paths, flows, "year")
    _refuse_overlapping_years(total_paths, totals, "year")
    trade = pa.concat_tables(flows) if flows else empty("trade")
    if flows:
        for path, (table, in_top) in zip(total_paths, read_totals, strict=True):
            _cross_check_hs22(path, table, in_top, trade)
    trade_totals = pa.concat_tables(totals) if totals else empty("trade_totals")
    return {"trade": trade, "trade_totals": trade_totals}


# -- HS07 ASEAN (bfna-indopacific) -----------------------------------------------------------------------


def parse_hs07_file(path: Path) -> pa.Table:
    """Parse the HS07 ASEAN extract; countries from BACI codes, which must agree with the ISO3 columns."""
    raw = read_csv_text(path, HS07_COLUMNS)
    year = int_column(raw, "t", path, lo=1988, hi=2100, expected=YEAR)
    code = text_column(raw, "hs6", path, pattern=r"^\d{6}$", expected="a 6-digit HS code as text")
    sides = {}
    for code_column, iso_column in (("i", "i_iso3"), ("j", "j_iso3")):
        number = int_column(raw, code_column, path, lo=0, hi=999, expected="a BACI country code (0–999)")
        by_code = map_column(
            number, _baci, path, code_column, "a BACI country code known to the country registry"
        )
        iso = text_column(raw, iso_column, path, pattern=r"^[A-Z][A-Z0-9]{2}$", expected=ISO3_KNOWN)
        by_iso = map_column(iso, _iso3, path, iso_column, ISO3_KNOWN)
        _refuse(
            path,
            iso_column,
            iso,
            pc.not_equal(by_code, by_iso),
            f"the ISO3 code of BACI country {code_column} on the same row",
        )
        sides[code_column] = by_code
    text_column(raw, "mineral", path, expected="the repository's mineral label")
    kusd = float_column(
        raw,
        "trade_usd_thousands",
        path,
        strictly_positive=True,
        expected="a trade value in thousand USD greater than 0",
    )
    tonnes = float_column(
        raw,
        "qty_tons",
        path,
        missing=MISSING_QUANTITY,
        lo=0,
        expected="a quantity in tonnes of at least 0, or empty when missing",
    )
    table = _trade(
        HS07_INFO.id, "HS07", code, year, sides["i"], sides["j"], pc.multiply(kusd, 1000.0), tonnes
    )
    check_unique(table, ["year", "exporter", "importer", "code"], path)
    return table


def parse_hs07(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the HS07 ASEAN extract found in ``data_dir``."""
    paths = HS07_INFO.find_files(data_dir)
    parts = [parse_hs07_file(p) for p in paths]
    _refuse_overlapping_years(paths, parts, "t")
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}
