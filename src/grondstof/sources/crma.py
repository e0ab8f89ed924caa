"""Critical Raw Materials Act (Regulation (EU) 2024/1252): the Annex I/II lists and the 2030 benchmarks.

Both files are transcribed from the regulation (each row carries a ``source`` column):

``crma/crma_annex_lists.csv``  ``list,annex,point,raw_material,source``: the 17 strategic raw materials
    (Annex I, Section 1) and the 34 critical raw materials (Annex II, Section 1), one row per point.
``crma/crma_2030_benchmarks.csv``  ``benchmark,metric,value,target_year,meaning,source``: the Article 5
    benchmarks (10% extraction, 40% processing, 25% recycling, at most 65% from one third country), all
    fractions of the Union's annual consumption.

The Annex entries are legal wording, not registry names ("Boron - metallurgy grade", "Rare earth elements
for magnets (Nd, Pr, Tb, Dy, Gd, Sm, and Ce)"), so each must either resolve through the material registry
or be listed in :data:`RAW_MATERIAL_NAMES`; an entry that does neither refuses the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import NUMBER_RE, SourceInfo, iter_csv_rows

INFO = SourceInfo(
    id="crma",
    title="Critical Raw Materials Act: strategic and critical raw materials, 2030 benchmarks",
    publisher="European Union (Regulation (EU) 2024/1252; transcribed)",
    licence="EU legislation; reuse authorised (Commission Decision 2011/833/EU)",
    version="Regulation (EU) 2024/1252 of 11 April 2024, OJ L 2024/1252, 3.5.2024 (in force 23.5.2024)",
    citation="Regulation (EU) 2024/1252 of the European Parliament and of the Council of 11 April 2024 "
    "establishing a framework for ensuring a secure and sustainable supply of critical raw materials "
    "(Critical Raw Materials Act), OJ L 2024/1252, 3.5.2024",
    url="https://eur-lex.europa.eu/eli/reg/2024/1252/oj",
    files=("crma/crma_annex_lists.csv", "crma/crma_2030_benchmarks.csv"),
    tables=("crma_lists", "crma_benchmarks"),
    notes="Transcribed; verified against the German consolidated text of Annex I and press summaries, "
    "Annex II "
    "cross-checked with the CBS lists. 17 strategic (Annex I §1, bauxite/alumina/aluminium as one entry) and "
    "34 critical raw materials (Annex II §1; copper and battery-grade nickel included although below the "
    "criticality thresholds). Grade qualifiers ('battery grade', 'metallurgy grade') are kept in "
    "raw_material; material is the registry id of the underlying material.",
    units={"value": "fraction of the Union's annual consumption (0 to 1)", "target_year": "calendar year"},
)

LIST_COLUMNS = ("list", "annex", "point", "raw_material", "source")
BENCHMARK_COLUMNS = ("benchmark", "metric", "value", "target_year", "meaning", "source")
LISTS = ("strategic", "critical")
POINT_RE = re.compile(r"^\([a-z]{1,2}\)$")
ANNEX_RE = re.compile(r"^Annex [IVX]+, Section \d+$")
# "Lithium - battery grade", "Boron - metallurgy grade": the grade is not part of the material.
GRADE_RE = re.compile(r"\s+-\s+[a-z]+ grade$")
_NUMBER = re.compile(NUMBER_RE)

# Annex entries mapped deliberately rather than by the registry's name lookup -> the name to resolve.
RAW_MATERIAL_NAMES: dict[str, str] = {
    # One entry covering the aluminium chain; the registry also has bauxite, but the EU assesses aluminium.
    "Bauxite/alumina/aluminium": "aluminium",
    # The magnet rare earths are their own registry group, not all rare earths.
    "Rare earth elements for magnets (Nd, Pr, Tb, Dy, Gd, Sm, and Ce)": "rare earths for magnets",
}


def _resolve(text: str) -> str | None:
    try:
        return materials().resolve(text).id
    except UnknownMaterialError:
        return None


def raw_material_id(raw_material: str) -> str | None:
    """Return the registry id of an Annex entry, or None when it cannot be mapped.

    Tried in order: the explicit :data:`RAW_MATERIAL_NAMES`, the registry's name lookup of the entry as
    written, then the entry without its grade qualifier ("Nickel - battery grade" -> "Nickel").
    """
    if raw_material in RAW_MATERIAL_NAMES:
        return _resolve(RAW_MATERIAL_NAMES[raw_material])
    found = _resolve(raw_material)
    if found is None and GRADE_RE.search(raw_material):
        found = _resolve(GRADE_RE.sub("", raw_material))
    return found


def parse_lists_file(path: Path) -> pa.Table:
    """Parse ``crma_annex_lists.csv`` into canonical ``crma_lists`` rows; every entry must map."""
    names = ("list", "annex", "point", "raw_material", "material", "source_text")
    rows: dict[str, list[object]] = {name: [] for name in names}
    points: dict[tuple[str, str], int] = {}
    entries: dict[tuple[str, str], int] = {}
    for line, row in iter_csv_rows(path, LIST_COLUMNS):
        values = {k: " ".join(v.split()) for k, v in row.items()}
        if values["list"] not in LISTS:
            raise SourceFormatError(
                path, "list 'strategic' or 'critical'", line=line, column="list", value=values["list"]
            )
        if not ANNEX_RE.match(values["annex"]):
            raise SourceFormatError(
                path,
                "an annex such as 'Annex I, Section 1'",
                line=line,
                column="annex",
                value=values["annex"],
            )
        if not POINT_RE.match(values["point"]):
            raise SourceFormatError(
                path, "a point such as '(a)' or '(ab)'", line=line, column="point", value=values["point"]
            )
        raw = values["raw_material"]
        material = raw_material_id(raw) if raw else None
        if material is None:
            raise SourceFormatError(
                path,
                "a raw material known to the material registry or listed in crma.RAW_MATERIAL_NAMES",
                line=line,
                column="raw_material",
                value=raw,
            )
        if not values["source"]:
            raise SourceFormatError(
                path, "the legal source of the entry", line=line, column="source", value=""
            )
        for seen, key, column in (
            (points, (values["list"], values["point"]), "point"),
            (entries, (values["list"], raw), "raw_material"),
        ):
            if key in seen:
                raise SourceFormatError(
                    path,
                    f"one row per (list, {column})",
                    line=line,
                    column=column,
                    value=f"duplicate of line {seen[key]} ({key[0]}, {key[1]})",
                )
            seen[key] = line
        for name, value in zip(
            names,
            (values["list"], values["annex"], values["point"], raw, material, values["source"]),
            strict=True,
        ):
            rows[name].append(value)
    return conform("crma_lists", pa.table(rows, schema=empty("crma_lists").schema))


def parse_benchmarks_file(path: Path) -> pa.Table:
    """Parse ``crma_2030_benchmarks.csv`` into canonical ``crma_benchmarks`` rows (fractions 0 to 1)."""
    names = ("benchmark", "metric", "value", "target_year", "meaning", "source_text")
    rows: dict[str, list[object]] = {name: [] for name in names}
    seen: dict[str, int] = {}
    for line, row in iter_csv_rows(path, BENCHMARK_COLUMNS):
        values = {k: " ".join(v.split()) for k, v in row.items()}
        for column in ("benchmark", "metric", "meaning", "source"):
            if not values[column]:
                raise SourceFormatError(path, "a non-empty value", line=line, column=column, value="")
        text = values["value"]
        # Benchmarks are shares of consumption: a value like 10 (percent) instead of 0.10 must not pass.
        if not _NUMBER.match(text) or not 0.0 <= float(text) <= 1.0:
            raise SourceFormatError(path, "a fraction between 0 and 1", line=line, column="value", value=text)
        year = values["target_year"]
        if not re.fullmatch(r"\d{4}", year) or not 2000 <= int(year) <= 2100:
            raise SourceFormatError(
                path, "a target year between 2000 and 2100", line=line, column="target_year", value=year
            )
        if values["benchmark"] in seen:
            raise SourceFormatError(
                path,
                "one row per benchmark",
                line=line,
                column="benchmark",
                value=f"duplicate of line {seen[values['benchmark']]} ({values['benchmark']})",
            )
        seen[values["benchmark"]] = line
        for name, value in zip(
            names,
            (
                values["benchmark"],
                values["metric"],
                float(text),
                int(year),
                values["meaning"],
                values["source"],
            ),
            strict=True,
        ):
            rows[name].append(value)
    return conform("crma_benchmarks", pa.table(rows, schema=empty("crma_benchmarks").schema))


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the CRMA list and benchmark files found in ``data_dir`` (missing files give empty tables)."""
    lists = data_dir / "crma" / "crma_annex_lists.csv"
    benchmarks = data_dir / "crma" / "crma_2030_benchmarks.csv"
    return {
        "crma_lists": parse_lists_file(lists) if lists.exists() else empty("crma_lists"),
        "crma_benchmarks": parse_benchmarks_file(benchmarks)
        if benchmarks.exists()
        else empty("crma_benchmarks"),
    }
