"""The TNO coefficients: grams of each raw material per kg of product, for the 25 CBS product groups (CE25).

INTEGRATION POINT. Another part of grondstof is adding a parser of ``tno_crm_content/`` that loads these
coefficients into the store. Until it lands, :func:`load_coefficients` reads the TNO CSV of the shared data
directly (semicolon-separated, decimal comma, Dutch names); the lead will switch this one function to the
store table. The scanner's kernel (:func:`grondstof.scanner.kernel.product_group_tonnes`) takes the table
as input and does not care where it came from.

Unit: the file does not state it; grams of material per kg of product is assumed (see
``tno_crm_content`` in the data's PROVENANCE.md and docs/methods.md).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from grondstof.errors import InputError, SourceFormatError

TNO_DIR = "tno_crm_content"
TNO_FILE = "CRM_per_kg_CE25.csv"
UNIT_ASSUMPTION = (
    "TNO coefficients are taken as grams of material per kg of product (the file states no unit; the "
    "values are consistent with g/kg, e.g. transport equipment: iron 331, cobalt 1.08)"
)
CITATION = {
    "id": "tno_crm_content",
    "title": "TNO, critical raw material content per kg of product for the 25 CBS product groups (CE25), as "
    "used in the Integral Circular Economy Report (ICER); geoFluxus/ICER repository, data/TNO",
    "publisher": "TNO (Netherlands Organisation for Applied Scientific Research)",
    "version": "geoFluxus/ICER commit cb71f9897d0912f8afdc50da719949892441f048",
    "licence": "repository GPL-2.0; TNO's own terms not stated (used as reference factors)",
}


@dataclass(frozen=True)
class ProductGroups:
    """The coefficient table: product group → material id → grams per kg of product."""

    groups: dict[str, int]  # Dutch CE25 name → number 1–25
    coefficients: dict[str, dict[str, float]]
    unmapped: tuple[str, ...]  # material columns the registry does not know (left out, named in notes)
    path: str

    def resolve(self, text: str) -> str:
        """The CE25 group named by ``text`` (its Dutch name, case-insensitive, or its number 1–25)."""
        from grondstof.registry._text import normalise, suggest

        wanted = str(text).strip()
        by_number = {str(n): name for name, n in self.groups.items()}
        if wanted in by_number:
            return by_number[wanted]
        for name in self.groups:
            if normalise(name) == normalise(wanted):
                return name
        raise InputError(
            "product_group",
            text,
            "one of the 25 CBS product groups (CE25) or its number 1–25",
            suggest(wanted, list(self.groups), n=3),
        )


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise SourceFormatError(path, "a number with a decimal comma", line, column, text) from None


@functools.cache
def load_coefficients(data_dir: str) -> ProductGroups:
    """Read ``<data_dir>/tno_crm_content/CRM_per_kg_CE25.csv`` into a :class:`ProductGroups` table."""
    from grondstof.registry.materials import materials

    path = Path(data_dir) / TNO_DIR / TNO_FILE
    if not path.is_file():
        raise InputError(
            "product_group", str(path), f"the TNO file {TNO_DIR}/{TNO_FILE} in the data directory"
        )
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    if header[:2] != ["CE25", "CE25_id"]:
        raise SourceFormatError(path, "columns CE25;CE25_id;<materials>", 1, None, ";".join(header[:3]))
    registry = materials()
    columns: list[str | None] = []
    unmapped = []
    for name in header[2:]:
        try:
            columns.append(registry.resolve(name.strip()).id)
        except InputError:
            columns.append(None)
            unmapped.append(name.strip())
    groups: dict[str, int] = {}
    coefficients: dict[str, dict[str, float]] = {}
    for cells in reader:
        if not cells or not cells[0].strip():
            continue
        line = reader.line_num
        name = cells[0].strip()
        groups[name] = int(_number(cells[1], path, line, "CE25_id"))
        row: dict[str, float] = {}
        for material, cell, label in zip(columns, cells[2:], header[2:], strict=False):
            if material is None:
                continue
            row[material] = row.get(material, 0.0) + _number(cell, path, line, label)
        coefficients[name] = row
    return ProductGroups(groups, coefficients, tuple(unmapped), str(path))
