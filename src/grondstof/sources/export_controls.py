"""Export controls on critical raw materials, with dates (transcribed timeline).

``export_restrictions/export_controls_timeline.csv`` was compiled from public reporting (MOFCOM announcements
as reported by Xinhua, CGTN, Reuters, law firms and the trade press); every row names its ``sources`` and
what was ``verification``-checked. Columns: ``id, country, materials, measure_type, scope, legal_instrument,
announced, effective, ended_or_suspended, suspension_until, destination_scope, status_note, sources,
verification``.

``materials`` is free text. It becomes a list of registry ids: parenthetical detail is dropped
("graphite (high-purity/spherical …)" -> graphite) except an inclusion ("all raw minerals (incl. lithium)"
-> lithium), the rest is split on ``;`` and ``,``, and each item is resolved through the material registry.
Items that are not materials (equipment, batteries, "superhard materials") must be listed in
:data:`NON_MATERIAL_ITEMS`, and phrases that name a material indirectly in :data:`ITEM_MATERIALS`; anything
else refuses the file, so a typo in a new row is caught. The full text stays in ``materials_text``.

Dates are ``YYYY-MM-DD`` or ``YYYY-MM`` (the first of the month), optionally followed by words
("2025-11-09 (clause 2 suspended)"); the original text is kept in the ``*_text`` columns.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa

from grondstof.errors import SourceFormatError, UnknownMaterialError
from grondstof.registry._text import normalise
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.schema import conform, empty
from grondstof.sources._base import SourceInfo, iter_csv_rows, parse_date

INFO = SourceInfo(
    id="export_controls",
    title="Export controls on critical raw materials: timeline 2020-2026",
    publisher="grondstof (transcribed from MOFCOM announcements and public reporting; see the sources "
    "column)",
    licence="Facts compiled from public reporting; each row cites its sources",
    version="status as of early 2026 (17 measures)",
    citation="Export controls timeline compiled from MOFCOM/GAC announcements (as reported by "
    "Xinhua/People's "
    "Daily, CGTN, Reuters and law-firm and trade-press notes), DR Congo ARECOMS decisions, Indonesian and "
    "Zimbabwean government measures; sources per row",
    url="http://www.mofcom.gov.cn/",
    files=("export_restrictions/export_controls_timeline.csv",),
    tables=("export_controls",),
    notes="Transcribed. Covers China (Ga/Ge 2023, graphite 2023, rare-earth technology 2023, antimony 2024, "
    "US-specific ban 2024, W/Te/Bi/Mo/In 2025, 7 medium/heavy REEs 2025, the October 2025 package suspended "
    "until 10 Nov 2026), DR Congo cobalt (ban Feb 2025, quotas from Oct 2025), Indonesia nickel ore (2020), "
    "Zimbabwe lithium ore (2022) and raw minerals (2026). Not the OECD Inventory of Export Restrictions on "
    "Industrial Raw Materials. 'ended' is the source's ended_or_suspended date (suspension or replacement, "
    "see status_note). Some announcement numbers are not verified (see verification). Row CD-2025-CO is "
    "effective (2025-02-22) before it was announced (2025-02-24), as reported.",
    units={},
)

COLUMNS = (
    "id",
    "country",
    "materials",
    "measure_type",
    "scope",
    "legal_instrument",
    "announced",
    "effective",
    "ended_or_suspended",
    "suspension_until",
    "destination_scope",
    "status_note",
    "sources",
    "verification",
)
REQUIRED = ("id", "country", "materials", "measure_type", "effective", "destination_scope", "sources")
ID_RE = re.compile(r"^[A-Z]{2}-\d{4}-[A-Za-z0-9-]+$")
EXACT_DATE_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
# The date must end at a space or the end of the text: "2025-11-09x" is not 2025-11-01 plus words.
DATE_PREFIX_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?(\s|$)")
INCLUDED_RE = re.compile(r"^(?:incl\.?|including)\s+(?P<items>.+)$", re.IGNORECASE)

# Items of the materials column that are not raw materials; they stay only in materials_text.
NON_MATERIAL_ITEMS: frozenset[str] = frozenset(
    normalise(text)
    for text in (
        "superhard materials",
        "lithium batteries",
        "cathode materials",
        "rare-earth production equipment and raw/auxiliary materials",
        "rare-earth production equipment",
        "all raw minerals",
    )
)

# Items that name a material indirectly (a product or technology of one material) -> the name to resolve.
ITEM_MATERIALS: dict[str, str] = {
    normalise(text): name
    for text, name in (
        # Battery-anode graphite made synthetically; the Oct 2025 package lists it with batteries.
        ("synthetic graphite anode materials", "synthetic graphite"),
        # Technology controls are counted as touching the material, as "rare earths (technology)" is.
        ("rare-earth technologies and assistance abroad", "rare earths"),
    )
}

# Qualifiers that may follow a material name ("nickel ore") and are dropped when the full item is unknown.
ITEM_SUFFIXES = (" ore", " ores", " concentrate", " concentrates")


def split_items(text: str) -> tuple[list[str], list[str]]:
    """Split a materials cell into ``(items, included)``.

    ``items`` are the ``;``/``,``-separated entries outside parentheses, with parenthetical detail removed;
    ``included`` the entries of an inclusion in parentheses ("(incl. lithium)"). Raises ValueError when
    the parentheses do not balance (an unclosed one would silently swallow the rest of the cell).
    """
    items: list[str] = []
    included: list[str] = []
    current: list[str] = []
    bracket: list[str] = []
    depth = 0
    for char in text + ";":
        if char == "(":
            depth += 1
            if depth == 1:
                bracket = []
                continue
        elif char == ")":
            if not depth:
                raise ValueError("a ')' without its '('")
            depth -= 1
            if depth == 0:
                match = INCLUDED_RE.match("".join(bracket).strip())
                if match:
                    included.extend(p.strip() for p in re.split(r"[;,]", match.group("items")) if p.strip())
                continue
        if depth:
            bracket.append(char)
        elif char in ";,":
            item = " ".join("".join(current).split())
            if item:
                items.append(item)
            current = []
        else:
            current.append(char)
    if depth:
        raise ValueError("a '(' without its ')'")
    return items, included


class _ItemResolver:
    """Resolve material items to registry ids, caching each distinct item."""

    def __init__(self) -> None:
        self._registry = materials()
        self._cache: dict[str, tuple[bool, str | None]] = {}

    def _resolve(self, text: str) -> str | None:
        try:
            return self._registry.resolve(text).id
        except UnknownMaterialError:
            return None

    def resolve(self, item: str) -> tuple[bool, str | None]:
        """Return ``(ok, id)``: ``(True, None)`` for a non-material item, ``(False, None)`` if unknown."""
        key = normalise(item)
        if key not in self._cache:
            result: tuple[bool, str | None]
            if key in NON_MATERIAL_ITEMS:
                result = (True, None)
            elif key in ITEM_MATERIALS:
                found = self._resolve(ITEM_MATERIALS[key])
                result = (found is not None, found)
            else:
                found = self._resolve(item)
                for suffix in ITEM_SUFFIXES:
                    if found is None and item.lower().endswith(suffix):
                        found = self._resolve(item[: -len(suffix)])
                result = (found is not None, found)
            self._cache[key] = result
        return self._cache[key]


def parse_materials(text: str, resolver: _ItemResolver | None = None) -> tuple[list[str], str | None]:
    """Return ``(ids, unknown)``: the registry ids a materials cell names (in order, without repeats) and the
    first item that is neither a material nor a listed non-material item (None when all are known).
    """
    resolver = resolver or _ItemResolver()
    items, included = split_items(text)
    ids: list[str] = []
    for item in (*items, *included):
        ok, material = resolver.resolve(item)
        if not ok:
            return ids, item
        if material is not None and material not in ids:
            ids.append(material)
    return ids, None


def _date(path: Path, line: int, column: str, text: str, *, exact: bool = False) -> dt.date | None:
    value, ok = parse_date(text)
    pattern = EXACT_DATE_RE if exact else DATE_PREFIX_RE
    if not ok or (text.strip() and not pattern.match(text.strip())):
        expected = "a date YYYY-MM-DD or YYYY-MM" + ("" if exact else ", optionally followed by words")
        raise SourceFormatError(path, expected + ", or empty", line=line, column=column, value=text)
    return value  # type: ignore[return-value]


def parse_timeline_file(path: Path) -> pa.Table:
    """Parse ``export_controls_timeline.csv`` into canonical ``export_controls`` rows."""
    registry = countries()
    resolver = _ItemResolver()
    names = empty("export_controls").schema.names
    rows: dict[str, list[object]] = {name: [] for name in names}
    seen: dict[str, int] = {}
    for line, raw in iter_csv_rows(path, COLUMNS):
        row = {k: " ".join(v.split()) for k, v in raw.items()}
        for column in REQUIRED:
            if not row[column]:
                raise SourceFormatError(path, "a non-empty value", line=line, column=column, value="")
        if not ID_RE.match(row["id"]):
            raise SourceFormatError(
                path, "an id such as CN-2023-GaGe", line=line, column="id", value=row["id"]
            )
        if row["id"] in seen:
            raise SourceFormatError(
                path,
                "one row per id",
                line=line,
                column="id",
                value=f"{row['id']} (duplicate of line {seen[row['id']]})",
            )
        seen[row["id"]] = line
        country = registry.lookup_name(row["country"])
        if country is None:
            raise SourceFormatError(
                path,
                "a country name known to the country registry",
                line=line,
                column="country",
                value=row["country"],
            )
        try:
            material_ids, unknown = parse_materials(row["materials"], resolver)
        except ValueError as exc:
            raise SourceFormatError(
                path, f"balanced parentheses ({exc})", line=line, column="materials", value=row["materials"]
            ) from exc
        if unknown is not None:
            raise SourceFormatError(
                path,
                "materials known to the material registry, or items listed in "
                "export_controls.NON_MATERIAL_ITEMS / ITEM_MATERIALS",
                line=line,
                column="materials",
                value=unknown,
            )
        record = {
            "id": row["id"],
            "country": country.iso3,
            "country_label": row["country"],
            "materials": material_ids,
            "materials_text": row["materials"],
            "measure_type": row["measure_type"],
            "scope": row["scope"],
            "legal_instrument": row["legal_instrument"],
            "announced": _date(path, line, "announced", row["announced"]),
            "effective": _date(path, line, "effective", row["effective"]),
            "ended": _date(path, line, "ended_or_suspended", row["ended_or_suspended"]),
            # No text column keeps suspension_until, so trailing words there would be lost: refuse them.
            "suspension_until": _date(path, line, "suspension_until", row["suspension_until"], exact=True),
            "announced_text": row["announced"],
            "effective_text": row["effective"],
            "ended_text": row["ended_or_suspended"],
            "destination_scope": row["destination_scope"],
            "status_note": row["status_note"],
            "sources": row["sources"],
            "verification": row["verification"],
        }
        for name in names:
            rows[name].append(record[name])
    return conform("export_controls", pa.table(rows, schema=empty("export_controls").schema))


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the export-controls timeline found in ``data_dir`` (missing file gives an empty table)."""
    path = data_dir / "export_restrictions" / "export_controls_timeline.csv"
    return {"export_controls": parse_timeline_file(path) if path.exists() else empty("export_controls")}
