"""EU criticality assessment 2023 (European Commission): scores, supply shares, end uses and groupings.

The tables come from the 2023 *Study on the critical raw materials for the EU* (and, for the scores over
time, the 2011 to 2020 reports) as published machine-readably in the GitHub repository
``erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets`` (folder ``Data/``). Five CSV files:

``crm_sr_ei_over_time.csv``  ``Material,Year,SR,EI``: supply risk and economic importance per assessment
    year (2011, 2014, 2017, 2020, 2023); ``-`` means not assessed (or merged, e.g. Bauxite 2023 is part of
    Aluminium) and becomes null. One name contains a line break inside quotes (``"Natural Teak\\nwood"``).
``global_supply_shares_2023.csv`` / ``eu_sourcing_shares_2023.csv``  ``Material,Stage,Country,Share,t``:
    Appendix 7, share of global supply and of EU sourcing per country and stage (``E`` extraction,
    ``P`` processing), share written as text (``63%``, ``<0.1%``), ``t`` the trade-related variable of the
    EU supply-risk formula.
``material_use_shares_2023.csv``  ``Material,Application,Share,NACE sector,VA in million €``: Appendix 6,
    end-use shares with the NACE sector and its value added (million EUR; empty for "Other" uses).
``screened_material_groupings_2023.csv``: which group (REE/HREE/LREE, PGM, …) each screened material falls
    in under four aggregation choices.

Shares become fractions from 0 to 1. Text that is not a plain percentage is handled explicitly: ``<X%``
becomes half the bound (``<0.1%`` -> 0.0005, the middle of the interval) with the text kept in
``share_text``; ``>0%`` (a positive share that rounds to 0%) becomes 0.0025, the middle of (0, 0.5%).
Labels (materials, applications, NACE sectors) are stored with internal whitespace collapsed, so the quoted
line breaks become spaces. Uniqueness and share sums are checked per registry material, so two spellings of
one material ("Baryte", "Barytes") cannot be counted twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry._text import normalise
from grondstof.registry.countries import NON_COUNTRY_LABELS as REGISTRY_NON_COUNTRY_LABELS
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import NUMBER_RE, SourceInfo, iter_csv_rows

INFO = SourceInfo(
    id="eu_crm_2023",
    title="EU criticality assessment 2023: supply risk, economic importance, supply shares, end uses",
    publisher="European Commission, DG GROW (tables as published in the GitHub repository "
    "erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets)",
    licence="Repository CC BY 4.0; underlying reports © European Union, reproduction authorised provided "
    "the source is acknowledged",
    version="2023 assessment (scores also for 2011, 2014, 2017, 2020); repository commit "
    "59383504ead25f91fe9c197a1e660f4813684f17, folder Data/",
    citation="European Commission (2023), Study on the critical raw materials for the EU 2023 – Final Report "
    "(Grohol, M. & Veeh, C.), Publications Office of the European Union, doi:10.2873/725585; earlier scores "
    "from the 2011, 2014, 2017 and 2020 EU CRM reports",
    url="https://doi.org/10.2873/725585",
    files=(
        "eu_crm_2023/crm_sr_ei_over_time.csv",
        "eu_crm_2023/global_supply_shares_2023.csv",
        "eu_crm_2023/eu_sourcing_shares_2023.csv",
        "eu_crm_2023/material_use_shares_2023.csv",
        "eu_crm_2023/screened_material_groupings_2023.csv",
    ),
    tables=("eu_crm_scores", "eu_crm_supply", "eu_crm_uses", "eu_crm_groupings"),
    notes="Source files: dimension_CRMsOverTime.csv, fact_GlobalSupplyShares&t.csv, "
    "fact_EUSupplyShares&t.csv, "
    "fact_MaterialUseShares.csv, dimension_ScreenedMatGroupings.csv of "
    "https://github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets (two re-encoded from "
    "Windows-1252 to UTF-8). SR/EI '-' = not assessed or merged (null). Shares as fractions: '<X%' stored as "
    "X/200 (half the bound; supply keeps the text in share_text) and the end-use share '>0%' as 0.0025. "
    "Known upstream slips handled explicitly: EU sourcing share '6' (Silicon metal, P, Germany) read as 6%; "
    "the duplicated end-use row Magnesium/Construction is kept once; misspelt country names (Brasilia, "
    "Turkyie, Libanon, Surinam) are aliases in the country registry; misspelt screened-material names "
    "(krupton, zenon, flourspar, phosphorous) are corrected by an explicit list. Shares of one (scope, "
    "material, stage) may sum to at most 1.05; EU sourcing lists only countries with at least 1%, so some "
    "sums are well below 1 (Chromium E 0.09, Sapele wood E 0.40).",
    units={
        "sr": "dimensionless (EU methodology; critical if SR >= 1.0 and EI >= 2.8)",
        "ei": "dimensionless (EU methodology)",
        "share": "fraction 0 to 1 (source: percent text)",
        "t": "dimensionless trade-related variable (0.8 EU/FTA partner, 1.0 default, >1 export restrictions)",
        "value_added_meur": "million EUR",
    },
)

SCORES_COLUMNS = ("Material", "Year", "SR", "EI")
SUPPLY_COLUMNS = ("Material", "Stage", "Country", "Share", "t")
USES_COLUMNS = ("Material", "Application", "Share", "NACE sector", "VA in million €")
GROUPING_COLUMNS = (
    "screened_material",
    "perm_noXREE_noPGM",
    "perm_noXREE_PGM",
    "perm_XREE_noPGM",
    "perm_XREE_PGM",
)

SCOPES = {"global_supply_shares_2023.csv": "global", "eu_sourcing_shares_2023.csv": "eu_sourcing"}
STAGES = {"E": "extraction", "P": "processing"}

# Supply shares of one (scope, material, stage) may exceed 1 by rounding; more than this is an error.
MAX_SHARE_SUM = 1.05

# Country labels that are not countries (aggregates, residuals), beyond the registry's NON_COUNTRY_LABELS.
# None occur in the 2023 files; they are listed so that a residual row is stored with country null on
# purpose rather than failing or being mistaken for a country.
NON_COUNTRY_LABELS: frozenset[str] = frozenset(
    {
        "Other",
        "Others",
        "Other countries",
        "Rest of the world",
        "RoW",
        "World",
        "EU",
        "EU27",
        "EU-27",
        "Unknown",
    }
)

# Screened-material names of the groupings table that are misspelt upstream -> the intended material name.
GROUPING_NAME_FIXES: dict[str, str] = {
    "krupton": "krypton",
    "zenon": "xenon",
    "flourspar": "fluorspar",
    "phosphorous": "phosphorus",
}

# Share cells that are not percentages but whose meaning is clear from the rest of the table, keyed by
# (file name, material, stage or application, country or NACE sector, share text) -> fraction.
KNOWN_SHARE_FIXES: dict[tuple[str, str, str, str, str], float] = {
    # Silicon metal processing, EU sourcing: the other shares sum to 90%, so "6" is 6% (total 96%).
    ("eu_sourcing_shares_2023.csv", "Silicon metal", "P", "Germany", "6"): 0.06,
}

# Rows that appear twice, identically, in the upstream table; the copy is dropped (any other duplicate fails).
KNOWN_DUPLICATE_USES: frozenset[tuple[str, str, str]] = frozenset(
    {
        # material_use_shares_2023.csv lines 192-193: Magnesium 13% twice, making Magnesium sum to 113%.
        (
            "Magnesium",
            "Construction",
            "C25 - Manufacture of fabricated metal products, except machinery and equipment",
        ),
    }
)

SHARE_RE = re.compile(r"^(?P<op>[<>])?\s*(?P<num>\d+(?:\.\d+)?)\s*%$")
NACE_RE = re.compile(r"^[A-U]\d{2}(\.\d{1,2})? - \S.*$")
_NUMBER = re.compile(NUMBER_RE)


def _clean(text: str) -> str:
    """Collapse internal whitespace (quoted line breaks) and strip."""
    return " ".join(text.split())


def parse_share(text: str) -> float | None:
    """Convert a share written as percent text to a fraction; None when the text is not a share.

    ``"63%"`` -> 0.63; ``"<0.1%"`` -> 0.0005 (half the bound); ``">0%"`` -> 0.0025 (a positive share that
    rounds to 0%, the middle of (0, 0.5%)). Other ``>`` forms and bare numbers are not accepted.
    """
    match = SHARE_RE.match(text.strip())
    if not match:
        return None
    number = float(match.group("num"))
    if match.group("op") == "<":
        return number / 200.0
    if match.group("op") == ">":
        return 0.0025 if number == 0 else None
    return number / 100.0


def _share(path: Path, line: int, text: str, fix_key: tuple[str, str, str, str, str]) -> float:
    """Parse a share cell, applying a known fix, and check it lies within [0, 1]."""
    value = KNOWN_SHARE_FIXES.get(fix_key)
    if value is None:
        value = parse_share(text)
    if value is None:
        raise SourceFormatError(
            path, "a percentage such as '63%', '0.4%' or '<0.1%'", line=line, column="Share", value=text
        )
    if not 0.0 <= value <= 1.0:
        raise SourceFormatError(path, "a share between 0% and 100%", line=line, column="Share", value=text)
    return value


def _number(
    path: Path, line: int, column: str, text: str, expected: str, *, missing: tuple[str, ...] = ()
) -> float | None:
    """Parse a non-negative number; the ``missing`` tokens give None."""
    text = text.strip()
    if text in missing:
        return None
    if not _NUMBER.match(text) or float(text) < 0:
        raise SourceFormatError(path, expected, line=line, column=column, value=text)
    return float(text)


class _MaterialLookup:
    """Map EU CRM table material strings to registry ids, once per distinct string."""

    def __init__(self) -> None:
        self._registry = materials()
        self._cache: dict[str, str | None] = {}

    def eu_crm(self, raw: str) -> str | None:
        if raw not in self._cache:
            found = self._registry.from_eu_crm_name(raw)
            if found is None and _clean(raw) != raw:
                found = self._registry.from_eu_crm_name(_clean(raw))
            self._cache[raw] = found.id if found is not None else None
        return self._cache[raw]

    def resolve(self, text: str) -> str | None:
        key = "\0resolve:" + text
        if key not in self._cache:
            try:
                self._cache[key] = self._registry.resolve(text).id
            except UnknownMaterialError:
                self._cache[key] = None
        return self._cache[key]


def _material(path: Path, line: int, lookup: _MaterialLookup, raw: str, column: str = "Material") -> str:
    material = lookup.eu_crm(raw)
    if material is None:
        raise SourceFormatError(
            path,
            "a material name of the EU CRM tables known to the material registry",
            line=line,
            column=column,
            value=_clean(raw),
        )
    return material


_NON_COUNTRY_KEYS = frozenset(
    normalise(label) for label in (*REGISTRY_NON_COUNTRY_LABELS, *NON_COUNTRY_LABELS)
)


class _CountryLookup:
    """Map EU study country names to ISO3 through the registry; listed non-country labels give None.

    The study's slips (Brasilia, Turkyie, Libanon, Surinam, "Congo, D.R.") are aliases in the registry.
    """

    def __init__(self) -> None:
        self._registry = countries()
        self._cache: dict[str, tuple[bool, str | None]] = {}

    def lookup(self, label: str) -> tuple[bool, str | None]:
        """Return ``(ok, iso3)``: ``(True, None)`` for a non-country label, ``(False, None)`` if unknown."""
        if label not in self._cache:
            country = self._registry.lookup_name(label) if label else None
            if country is not None:
                result: tuple[bool, str | None] = (True, country.iso3)
            else:
                result = (bool(label) and normalise(label) in _NON_COUNTRY_KEYS, None)
            self._cache[label] = result
        return self._cache[label]


def parse_scores_file(path: Path) -> pa.Table:
    """Parse ``crm_sr_ei_over_time.csv`` into canonical ``eu_crm_scores`` rows."""
    lookup = _MaterialLookup()
    rows: dict[str, list[object]] = {name: [] for name in ("material", "material_label", "year", "sr", "ei")}
    seen: dict[tuple[str, int], int] = {}
    for line, row in iter_csv_rows(path, SCORES_COLUMNS):
        label = _clean(row["Material"])
        if not label:
            raise SourceFormatError(
                path, "a material name", line=line, column="Material", value=row["Material"]
            )
        material = _material(path, line, lookup, row["Material"])
        year_text = row["Year"].strip()
        if not re.fullmatch(r"\d{4}", year_text) or not 2010 <= int(year_text) <= 2100:
            raise SourceFormatError(
                path, "an assessment year between 2010 and 2100", line=line, column="Year", value=year_text
            )
        year = int(year_text)
        # Keyed by registry id: two spellings of one material in one year would be counted twice downstream.
        key = (material, year)
        if key in seen:
            raise SourceFormatError(
                path,
                "one row per (Material, Year)",
                line=line,
                column="Year",
                value=f"duplicate of line {seen[key]} ({label}, {year})",
            )
        seen[key] = line
        sr = _number(path, line, "SR", row["SR"], "a supply-risk score of at least 0, or '-'", missing=("-",))
        ei = _number(
            path, line, "EI", row["EI"], "an economic-importance score of at least 0, or '-'", missing=("-",)
        )
        for name, value in (
            ("material", material),
            ("material_label", label),
            ("year", year),
            ("sr", sr),
            ("ei", ei),
        ):
            rows[name].append(value)
    return conform("eu_crm_scores", pa.table(rows, schema=_schema("eu_crm_scores")))


def parse_supply_file(path: Path, scope: str | None = None) -> pa.Table:
    """Parse a supply-share file (global supply or EU sourcing) into canonical ``eu_crm_supply`` rows.

    ``scope`` is ``global`` or ``eu_sourcing``; by default it follows from the file name.
    """
    if scope is None:
        scope = SCOPES.get(path.name)
        if scope is None:
            raise SourceFormatError(path, f"a file named {' or '.join(SCOPES)} (or an explicit scope)")
    if scope not in SCOPES.values():
        raise ValueError(f"scope must be one of {sorted(SCOPES.values())}, not {scope!r}")
    fix_file = next((name for name, s in SCOPES.items() if s == scope), path.name)
    materials_ = _MaterialLookup()
    places = _CountryLookup()
    names = (
        "scope",
        "material",
        "material_label",
        "stage",
        "country",
        "country_label",
        "share",
        "share_text",
        "t",
    )
    rows: dict[str, list[object]] = {name: [] for name in names}
    seen: dict[tuple[str, str, str], int] = {}
    seen_iso3: dict[tuple[str, str, str], int] = {}
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for line, row in iter_csv_rows(path, SUPPLY_COLUMNS):
        label = _clean(row["Material"])
        material = _material(path, line, materials_, row["Material"])
        stage_code = row["Stage"].strip()
        if stage_code not in STAGES:
            raise SourceFormatError(
                path, "stage E (extraction) or P (processing)", line=line, column="Stage", value=stage_code
            )
        country_label = _clean(row["Country"])
        ok, iso3 = places.lookup(country_label)
        if not country_label or not ok:
            raise SourceFormatError(
                path,
                "a country name known to the country registry (or a listed non-country label such as "
                "'Other')",
                line=line,
                column="Country",
                value=country_label,
            )
        share_text = row["Share"].strip()
        share = _share(path, line, share_text, (fix_file, label, stage_code, country_label, share_text))
        t = _number(path, line, "t", row["t"], "a trade-related variable t greater than 0")
        if t == 0:
            raise SourceFormatError(
                path,
                "a trade-related variable t greater than 0",
                line=line,
                column="t",
                value=row["t"].strip(),
            )
        # Keys use the registry id, so two spellings of one material ("Baryte", "Barytes") cannot overlap.
        key = (material, stage_code, country_label)
        if key in seen:
            raise SourceFormatError(
                path,
                "one row per (Material, Stage, Country)",
                line=line,
                column="Country",
                value=f"duplicate of line {seen[key]} ({label}, {stage_code}, {country_label})",
            )
        seen[key] = line
        if iso3 is not None:
            # Two spellings of one country ("Brazil", "Brasil") in the same material and stage.
            iso_key = (material, stage_code, iso3)
            if iso_key in seen_iso3:
                raise SourceFormatError(
                    path,
                    "one row per (Material, Stage, Country)",
                    line=line,
                    column="Country",
                    value=f"{country_label} is {iso3}, already given on line {seen_iso3[iso_key]}",
                )
            seen_iso3[iso_key] = line
        sums[(material, stage_code)] += share
        if sums[(material, stage_code)] > MAX_SHARE_SUM + 1e-9:
            raise SourceFormatError(
                path,
                f"shares of one (Material, Stage) summing to at most {MAX_SHARE_SUM:.0%}",
                line=line,
                column="Share",
                value=f"{share_text} (running total {sums[(material, stage_code)]:.1%} for "
                f"{label}, {stage_code})",
            )
        values = (scope, material, label, STAGES[stage_code], iso3, country_label, share, share_text, t)
        for name, value in zip(names, values, strict=True):
            rows[name].append(value)
    return conform("eu_crm_supply", pa.table(rows, schema=_schema("eu_crm_supply")))


def parse_uses_file(path: Path) -> pa.Table:
    """Parse ``material_use_shares_2023.csv`` into canonical ``eu_crm_uses`` rows."""
    lookup = _MaterialLookup()
    names = ("material", "material_label", "application", "share", "nace_sector", "value_added_meur")
    rows: dict[str, list[object]] = {name: [] for name in names}
    seen: dict[tuple[str, str, str], tuple[int, tuple[str, ...]]] = {}
    sums: dict[str, float] = defaultdict(float)
    for line, row in iter_csv_rows(path, USES_COLUMNS):
        label = _clean(row["Material"])
        material = _material(path, line, lookup, row["Material"])
        application = _clean(row["Application"])
        if not application:
            raise SourceFormatError(path, "an application name", line=line, column="Application", value="")
        share_text = row["Share"].strip()
        nace = _clean(row["NACE sector"])
        share = _share(path, line, share_text, (path.name, label, application, nace, share_text))
        if nace and not NACE_RE.match(nace):
            raise SourceFormatError(
                path,
                "a NACE sector such as 'C24 - Manufacture of basic metals', or empty",
                line=line,
                column="NACE sector",
                value=nace,
            )
        va_text = row["VA in million €"].strip()
        va = _number(
            path,
            line,
            "VA in million €",
            va_text,
            "a value added in million EUR of at least 0, or empty",
            missing=("",),
        )
        if (va is None) != (not nace):
            raise SourceFormatError(
                path,
                "a value added exactly when a NACE sector is given",
                line=line,
                column="VA in million €",
                value=va_text,
            )
        key = (material, application, nace)
        content = (label, application, share_text, nace, va_text)
        if key in seen:
            first_line, first_content = seen[key]
            if (label, application, nace) in KNOWN_DUPLICATE_USES and content == first_content:
                continue  # an identical copy upstream; keeping it would count the share twice
            raise SourceFormatError(
                path,
                "one row per (Material, Application, NACE sector)",
                line=line,
                column="Application",
                value=f"duplicate of line {first_line} ({label}, {application})",
            )
        seen[key] = (line, content)
        sums[material] += share
        if sums[material] > MAX_SHARE_SUM + 1e-9:
            raise SourceFormatError(
                path,
                f"end-use shares of one material summing to at most {MAX_SHARE_SUM:.0%}",
                line=line,
                column="Share",
                value=f"{share_text} (running total {sums[material]:.1%} for {label})",
            )
        for name, value in zip(names, (material, label, application, share, nace, va), strict=True):
            rows[name].append(value)
    return conform("eu_crm_uses", pa.table(rows, schema=_schema("eu_crm_uses")))


def parse_groupings_file(path: Path) -> pa.Table:
    """Parse ``screened_material_groupings_2023.csv`` into canonical ``eu_crm_groupings`` rows.

    The screened-material names are lower case and not the EU CRM table strings, so they are resolved
    through the registry's general name lookup (after fixing the known misspellings).
    """
    lookup = _MaterialLookup()
    names = ("screened_material", "material", *GROUPING_COLUMNS[1:])
    rows: dict[str, list[object]] = {name: [] for name in names}
    seen: dict[tuple[str, ...], int] = {}
    for line, row in iter_csv_rows(path, GROUPING_COLUMNS):
        values = [_clean(row[c]) for c in GROUPING_COLUMNS]
        for column, value in zip(GROUPING_COLUMNS, values, strict=True):
            if not value:
                raise SourceFormatError(
                    path, "a non-empty value", line=line, column=column, value=row[column]
                )
        screened = values[0]
        material = lookup.resolve(GROUPING_NAME_FIXES.get(screened, screened))
        if material is None:
            raise SourceFormatError(
                path,
                "a material name known to the material registry",
                line=line,
                column="screened_material",
                value=screened,
            )
        # Gold and silver are listed under two groups upstream; only identical rows are duplicates.
        key = tuple(values)
        if key in seen:
            raise SourceFormatError(
                path,
                "no repeated rows",
                line=line,
                column="screened_material",
                value=f"duplicate of line {seen[key]} ({screened})",
            )
        seen[key] = line
        for name, value in zip(names, (screened, material, *values[1:]), strict=True):
            rows[name].append(value)
    return conform("eu_crm_groupings", pa.table(rows, schema=_schema("eu_crm_groupings")))


def _schema(name: str) -> pa.Schema:
    return empty(name).schema


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the five EU CRM 2023 files found in ``data_dir`` (missing files give empty tables)."""
    base = data_dir / "eu_crm_2023"
    tables: dict[str, pa.Table] = {}
    scores = base / "crm_sr_ei_over_time.csv"
    tables["eu_crm_scores"] = parse_scores_file(scores) if scores.exists() else empty("eu_crm_scores")
    supply = [parse_supply_file(base / name) for name in SCOPES if (base / name).exists()]
    tables["eu_crm_supply"] = pa.concat_tables(supply) if supply else empty("eu_crm_supply")
    uses = base / "material_use_shares_2023.csv"
    tables["eu_crm_uses"] = parse_uses_file(uses) if uses.exists() else empty("eu_crm_uses")
    groupings = base / "screened_material_groupings_2023.csv"
    tables["eu_crm_groupings"] = (
        parse_groupings_file(groupings) if groupings.exists() else empty("eu_crm_groupings")
    )
    return tables
