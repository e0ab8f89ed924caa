"""Year-on-year changes of a country's imports, material by material.

For each material with imports in both the year before and the year (each material from the trade source
``imports`` picks for it, so values stay in that source's currency and are never added across currencies):

    change     = value(Y) − value(Y−1)
    change_pct = change / value(Y−1)
    top_share_change = top-partner share(Y) − top-partner share(Y−1)     (share points, 0–1 scale)

Rows are sorted by the size of the change within each currency, largest first. This is what the overview page
shows under "what changed since last year".
"""

from __future__ import annotations

from typing import Annotated, Any

from grondstof.indicators._common import parse_years
from grondstof.parameters import Cli, CountryText, Lang, Params, described
from grondstof.result import Field, Result

FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year"),
    Field("before", "Year before", "money", description="import value in the year before, in `currency`"),
    Field("now", "Value", "money", description="import value in the year, in `currency`"),
    Field("currency", "Currency"),
    Field("change", "Change", "money", description="now − before, in `currency`"),
    Field("change_pct", "Change (%)", "share", description="change ÷ before"),
    Field("top_partner_name", "Top partner"),
    Field(
        "top_share_change",
        "Δ top-partner share",
        "share",
        description="top partner's share in the year minus that of the year before (share points)",
    ),
    Field("source", "Source"),
]


class ChangesParams(Params):
    """Parameters of :func:`changes` (``grondstof changes``, ``/api/v1/changes``)."""

    country: Annotated[CountryText, Cli(argument=True)]
    year: Annotated[
        str | None,
        described(
            "The year compared with the one before (default the latest with data).",
            "Het jaar dat met het jaar ervoor vergeleken wordt (standaard het laatste met gegevens).",
            max_length=20,
        ),
        Cli(flags=("--year",)),
    ] = None
    lang: Lang = "en"


def year_on_year(rows: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """The change rows from ``imports --by year`` rows of two years (see the module docstring)."""
    by_material: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        by_material.setdefault(row["material"], {})[row["year"]] = row
    out = []
    for material, per_year in by_material.items():
        now, before = per_year.get(year), per_year.get(year - 1)
        if not now or not before or not before["total_value"] or now["currency"] != before["currency"]:
            continue
        change = (now["total_value"] or 0.0) - float(before["total_value"])
        share_now, share_before = now.get("top_share"), before.get("top_share")
        out.append(
            {
                "material": material,
                "material_name": now.get("material_name") or material,
                "year": year,
                "before": before["total_value"],
                "now": now["total_value"],
                "currency": now["currency"],
                "change": change,
                "change_pct": change / before["total_value"],
                "top_partner_name": now.get("top_partner_name"),
                "top_share_change": None
                if share_now is None or share_before is None
                else share_now - share_before,
                "source": now.get("source"),
            }
        )
    out.sort(key=lambda r: (r["currency"], -abs(r["change"])))
    return out


def changes(country: str, *, year: int | str | None = None, store: Any = None, lang: str = "en") -> Result:
    """How each material's imports by ``country`` changed from the year before to ``year``."""
    from grondstof.indicators.dependency import imports
    from grondstof.indicators.overview import overview

    wanted = parse_years(year, parameter="year")
    if wanted is None:
        wanted_year = overview(country, store=store, lang=lang).meta["query"]["year"]
    else:
        wanted_year = wanted[1]
    result = imports(
        "all", country, years=f"{wanted_year - 1}-{wanted_year}", by="year", store=store, lang=lang
    )
    from grondstof.registry.countries import countries
    from grondstof.registry.materials import materials

    registry = materials()
    rows = year_on_year(result.rows, wanted_year)
    for row in rows:
        row["material_name"] = registry.get(row["material"]).name(lang)
    importer = countries().resolve_importer(country, parameter="country")
    meta = {
        **result.meta,
        "query": {"country": importer.code, "year": wanted_year},
        "notes": [
            *result.meta.get("notes", []),
            "Only materials with imports in both years are listed; values stay in each source's currency.",
        ],
    }
    title = f"Imports of {importer.name(lang)}: {wanted_year - 1} → {wanted_year}"
    return Result(title, FIELDS, rows, meta)
