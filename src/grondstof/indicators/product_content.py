"""Raw-material content of a quantity of products of one CBS product group, with TNO's coefficients.

Source: ``tno_crm_content`` (table ``product_content``): TNO's content of 64 raw materials per kilogram of
product for the 25 CBS "CE25" product groups, as used in the Dutch Integral Circular Economy Report.

    content_m (t) = Q (t of product) × c_m (g per kg of product) / 1000

because g/kg equals kg per tonne, and 1,000 kg is a tonne. **The unit of c_m is an assumption**: the TNO
file states none; the values fit grams per kilogram of product (transport equipment: iron 331, cobalt
1.08), and every row says so (``unit_assumption``). Quantities must be in tonnes of product: a value in euro
cannot be turned into tonnes without a price per kilogram of the products, which the shared data does not
have, so it is refused rather than guessed. A raw material TNO lists but the registry does not know is
kept with its TNO name and a null material id. A coefficient of 0 gives 0 (TNO says the group contains
none of it).
"""

from __future__ import annotations

from typing import Any

from grondstof.errors import InputError
from grondstof.indicators._common import fetch
from grondstof.registry._text import normalise
from grondstof.result import Field, Result
from grondstof.store import Store

SOURCE = "tno_crm_content"

FIELDS = [
    Field("product_group", "Product group (CBS CE25)"),
    Field("material", "Material (id)", show=False),
    Field("material_label", "Raw material (TNO)"),
    Field("coefficient", "Content per kg of product", "number", description="in `coefficient_unit`"),
    Field("coefficient_unit", "Coefficient unit", description="g/kg — assumed, the file states no unit"),
    Field("product_tonnes", "Products (t)", "tonnes"),
    Field("content_t", "Raw-material content (t)", "tonnes", description="products × coefficient / 1000"),
    Field("unit_assumption", "Unit assumption", show=False),
    Field("source", "Source", show=False),
]


def content_tonnes(product_tonnes: float, grams_per_kg: float) -> float:
    """Tonnes of raw material in ``product_tonnes`` of product at ``grams_per_kg``: Q × c / 1000."""
    if product_tonnes < 0 or grams_per_kg < 0:
        raise ValueError("content_tonnes: quantities must be non-negative")
    return product_tonnes * grams_per_kg / 1000.0


def product_content(
    product_group: str,
    tonnes: float,
    *,
    include_zero: bool = False,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Raw materials in ``tonnes`` of products of one CBS CE25 product group (TNO coefficients, g/kg assumed).

    Parameters
    ----------
    product_group:
        The CE25 group by its Dutch name (``Transportmiddelen``) or number (``19``).
    tonnes:
        Tonnes of product (not euro: see the module docstring).
    include_zero:
        Also list the raw materials with a coefficient of 0.
    """
    from grondstof.store import open_store

    store = store or open_store()
    if isinstance(tonnes, bool) or not isinstance(tonnes, (int, float)) or not tonnes >= 0:
        raise InputError(
            "tonnes", tonnes, "tonnes of product, a number of at least 0 (euro amounts cannot be converted)"
        )
    table = store.table("product_content")
    groups = fetch(table.select("product_group", "product_group_id").distinct())
    key = normalise(str(product_group))
    chosen = next(
        (g for g in groups if normalise(g["product_group"]) == key or str(g["product_group_id"]) == key), None
    )
    if chosen is None:
        names = sorted(g["product_group"] for g in groups)
        raise InputError(
            "product_group", product_group, "a CBS CE25 product group name or number", suggestions=names[:5]
        )
    rows = fetch(table.filter(table.product_group == chosen["product_group"]))
    out: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: -r["content"]):
        if row["content"] == 0 and not include_zero:
            continue
        out.append(
            {
                "product_group": row["product_group"],
                "material": row["material"],
                "material_label": row["material_label"],
                "coefficient": row["content"],
                "coefficient_unit": row["unit"],
                "product_tonnes": float(tonnes),
                "content_t": content_tonnes(float(tonnes), row["content"]),
                "unit_assumption": row["unit_assumption"],
                "source": SOURCE,
            }
        )
    unmapped = sorted({r["material_label"] for r in rows if r["material"] is None})
    notes = [
        "UNIT ASSUMED: TNO's coefficients carry no unit; read as grams per kilogram of product (g/kg).",
        "Content (t) = products (t) × coefficient (g/kg) / 1000.",
    ]
    if unmapped:
        notes.append("Raw materials without a registry id (kept by their TNO name): " + ", ".join(unmapped))
    meta = {
        "query": {"product_group": chosen["product_group"], "tonnes": tonnes, "include_zero": include_zero},
        "sources": store.cite(SOURCE),
        "units": ["t", "g/kg (assumed)"],
        "unit_assumption": rows[0]["unit_assumption"] if rows else None,
        "notes": notes,
    }
    return Result(f"Raw materials in {tonnes:,.0f} t of {chosen['product_group']}", FIELDS, out, meta)
