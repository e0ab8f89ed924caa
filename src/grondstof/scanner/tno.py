"""The TNO coefficients as the scanner uses them: grams of raw material per kg of product, per CE25 group.

They come from the store's ``product_content`` table, which the ``tno_crm_content`` source builds from
``tno_crm_content/CRM_per_kg_CE25.csv`` (see :mod:`grondstof.sources.tno`); the scanner's kernel
(:func:`grondstof.scanner.kernel.product_group_tonnes`) takes the table as input.

Unit: the file does not state it; grams of material per kg of product is assumed (see
``tno_crm_content`` in the data's PROVENANCE.md and docs/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grondstof.errors import InputError

SOURCE = "tno_crm_content"
UNIT_ASSUMPTION = (
    "TNO coefficients are taken as grams of material per kg of product (the file states no unit; the "
    "values are consistent with g/kg, e.g. transport equipment: iron 331, cobalt 1.08)"
)


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


def load_coefficients(store: Any) -> ProductGroups:
    """The coefficient table from the store's ``product_content`` table (source ``tno_crm_content``).

    Raw materials the registry does not know (null material id) are left out and named in ``unmapped``;
    two TNO columns that resolve to one registry material are added together.
    """
    if not store.has_table("product_content"):
        raise InputError(
            "product_group",
            "product_content",
            "a store built with the tno_crm_content source (run `grondstof build`)",
        )
    groups: dict[str, int] = {}
    coefficients: dict[str, dict[str, float]] = {}
    unmapped: list[str] = []
    for row in store.arrow("product_content").to_pylist():
        name = row["product_group"]
        groups[name] = int(row["product_group_id"])
        row_of_group = coefficients.setdefault(name, {})
        if row["material"] is None:
            if row["material_label"] not in unmapped:
                unmapped.append(row["material_label"])
            continue
        if row["content"] is not None:
            row_of_group[row["material"]] = row_of_group.get(row["material"], 0.0) + float(row["content"])
    return ProductGroups(groups, coefficients, tuple(unmapped), "store table product_content")
