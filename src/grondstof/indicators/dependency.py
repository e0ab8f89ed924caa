"""Import dependency: who a country (or the EU-27) imports a material from, how concentrated that is, and
how it changed.

* Partner share (value) sᵢ = importsᵢ / Σ imports, by trade value; the tonnes share likewise over the
  partners whose quantity is known (BACI lacks tonnes for about 5 % of rows; Comext extract has none).
* Import HHI = Σ sᵢ² (0–1), by value and by tonnes.
* Top partner and its share; the share from any named countries (``share_from``).
* The EU-27 as one importer counts extra-EU imports only (partners inside the EU-27 are left out).

Values are in the source's currency — current USD (FOB) for BACI, EUR (CIF customs value) for Comext —
and are never mixed or converted. Every result's ``meta`` names the source with its vintage, the codes
used, and what is not covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import ibis

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import (
    YearsArg,
    country_name,
    fetch,
    parse_years,
    year_range_text,
)
from grondstof.parameters import (
    Cli,
    CountriesText,
    Lang,
    MaterialsText,
    Params,
    ShareFrom,
    Stage,
    TradeSource,
    Years,
    described,
)
from grondstof.registry._text import split_list
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

PARTNER_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("importer_name", "Importer"),
    Field("material", "Material"),
    Field("year", "Year", "year"),
    Field("partner", "Partner (ISO3)", show=False),
    Field("partner_name", "Partner"),
    Field("value", "Import value", "money", description="in `currency`"),
    Field("currency", "Currency"),
    Field("tonnes", "Tonnes", "tonnes", description="null where the source has no quantity"),
    Field("value_share", "Share (value)", "share"),
    Field("tonnes_share", "Share (tonnes)", "share"),
    Field("rank", "Rank", "int"),
]

SUMMARY_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("importer_name", "Importer"),
    Field("material", "Material"),
    Field("year", "Year", "year"),
    Field("total_value", "Import value", "money", description="in `currency`"),
    Field("currency", "Currency"),
    Field("total_tonnes", "Tonnes", "tonnes"),
    Field(
        "tonnes_coverage",
        "Value with tonnes",
        "share",
        description="share of the import value whose quantity is known",
    ),
    Field("partners", "Partners", "int"),
    Field("hhi", "Import HHI (value)", "hhi"),
    Field("hhi_tonnes", "Import HHI (tonnes)", "hhi"),
    Field("top_partner", "Top partner (ISO3)", show=False),
    Field("top_partner_name", "Top partner"),
    Field("top_share", "Top partner share", "share"),
    Field(
        "share_from",
        "Share from named partners",
        "share",
        description="combined value share of the countries given with --from",
    ),
    Field("source", "Source"),
]


class ImportsParams(Params):
    """Parameters of :func:`imports` (``grondstof imports``, ``/api/v1/imports``)."""

    material: Annotated[MaterialsText, Cli(argument=True)]
    country: CountriesText
    years: Years = None
    source: TradeSource = None
    stage: Stage = None
    share_from: ShareFrom = None
    by: Annotated[
        Literal["partner", "year"],
        described(
            "partner (rows per partner) or year (summary per year).",
            "partner (een rij per handelspartner) of year (samenvatting per jaar).",
        ),
    ] = "partner"
    lang: Lang = "en"


class CompareParams(Params):
    """Parameters of :func:`compare` (``grondstof compare``, ``/api/v1/compare``)."""

    material: Annotated[MaterialsText, Cli(argument=True)]
    countries: Annotated[
        CountriesText,
        described(
            "Importers side by side: a comma list, or EU27 (every member state and the EU-27 as a whole).",
            "Importeurs naast elkaar: een kommalijst, of EU27 (elke lidstaat en de EU-27 als geheel).",
            min_length=1,
            max_length=500,
        ),
        Cli(flags=("--countries",)),
    ]
    year: Annotated[
        str | None,
        described(
            "One year (default the latest with data).",
            "Eén jaar (standaard het laatste jaar met gegevens).",
            max_length=20,
        ),
        Cli(flags=("--year",)),
    ] = None
    source: TradeSource = None
    stage: Stage = None
    share_from: ShareFrom = None
    lang: Lang = "en"


def resolve_importers(country: str | Sequence[str] | Country | Group) -> list[Country | Group]:
    """Resolve an importer argument: a name/code, a comma list, ``EU27``, or registry objects."""
    if isinstance(country, (Country, Group)):
        return [country]
    registry = countries()
    if isinstance(country, str):
        return registry.resolve_many(country, parameter="country")
    out: list[Country | Group] = []
    for item in country:
        out.extend(resolve_importers(item))
    return out


_BASIS = {"comext_cn8": "CIF, customs value"}


@dataclass(frozen=True)
class Plan:
    """Which source, codes and years answer for one material."""

    material: Material
    source: str
    choice: tr.CodeChoice
    years: tuple[int, int]


def plan_imports(
    store: Store,
    mats: Sequence[Material],
    importers: Sequence[Country | Group],
    wanted: tuple[int, int] | None,
    source: str | None,
    stage: str | None,
) -> tuple[list[Plan], list[str]]:
    """Pick, per material, the trade source, codes and years (one query for all materials).

    Without ``source`` each material uses the first source in :data:`trade.TRADE_SOURCES` order whose codes
    cover it; with ``wanted`` years the first whose years cover them, otherwise the most recent data, own
    codes before basket codes. Partial extracts (:data:`trade.PARTIAL_SOURCES`) come last in both cases.
    With one material a miss is an error naming what is covered; with several,
    misses are skipped and listed in the returned notes.
    """
    present = tr.available_sources(store)
    if source is not None:
        if source not in tr.TRADE_SOURCES:
            raise InputError("source", source, "one of " + ", ".join(tr.TRADE_SOURCES))
        if source not in present:
            raise InputError("source", source, "a trade source that is in the store: " + ", ".join(present))
        present = [source]
    candidates = {
        (src, m.id): choice
        for m in mats
        for src in present
        if (choice := tr.code_choice(m, tr.TRADE_SOURCES[src], stage)).codes
    }
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for (src, _), choice in candidates.items():
        by_source.setdefault(src, []).append(choice)
    bounds = tr.year_bounds(store, by_source, importers) if by_source else {}
    latest = {key: hi for key, (_, hi) in bounds.items()}
    spans = {src: tr.year_span(store, src) for src in present}
    plans, skipped = [], []
    for mat in mats:
        options = [(order, src) for order, src in enumerate(present) if (src, mat.id) in candidates]
        # Complete sources first, partial extracts (top-200 pairs, ASEAN flows) only as a last resort.
        with_data = sorted(
            ((order, src) for order, src in options if (src, mat.id) in latest),
            key=lambda item: (item[1] in tr.PARTIAL_SOURCES, item[0]),
        )
        plan: Plan | None = None
        problem: InputError | None = None
        if wanted is not None:
            for _, src in with_data:
                span = spans[src]
                first, last = bounds[(src, mat.id)]
                # The source must cover the years and have imports inside them (germanium's HS92 code
                # has no trade after 2006, so 2020-2024 must come from Comext).
                if (
                    span
                    and span[0] <= wanted[0]
                    and wanted[1] <= span[1]
                    and first <= wanted[1]
                    and last >= wanted[0]
                ):
                    plan = Plan(mat, src, candidates[(src, mat.id)], wanted)
                    break
            if plan is None and with_data:
                src = with_data[0][1]
                span = spans[src] or (0, 0)
                problem = InputError(
                    "years",
                    year_range_text(wanted),
                    f"years within {span[0]}–{span[1]} ({src})",
                    suggestions=[str(span[1]), f"{span[0]}-{span[1]}"],
                )
        elif with_data:
            # Own codes before baskets, then the most recent data, then the preferred (earlier) source.
            def rank(item: tuple[int, str], mat_id: str = mat.id) -> tuple[int, int, int, int]:
                order, src_id = item
                complete = int(src_id not in tr.PARTIAL_SOURCES)
                own = int(not candidates[(src_id, mat_id)].basket)
                return (complete, own, latest[(src_id, mat_id)], -order)

            _, src = max(with_data, key=rank)
            last = latest[(src, mat.id)]
            plan = Plan(mat, src, candidates[(src, mat.id)], (last, last))
        if plan is not None:
            plans.append(plan)
            continue
        if problem is None:
            where = f" in {year_range_text(wanted)}" if wanted else ""
            who = ", ".join(i.name() for i in importers)
            coverage = mat.coverage_note() or "No trade codes are mapped for it."
            problem = InputError(
                "material", mat.name(), f"a material with trade data for {who}{where}. {coverage}"
            )
        if len(mats) == 1:
            raise problem
        if not options:
            skipped.append(f"{mat.name()}: no trade codes in the loaded trade sources")
        elif problem.parameter == "years":
            skipped.append(f"{mat.name()}: {problem.expected}")
        else:
            skipped.append(
                f"{mat.name()}: no imports recorded{' in ' + year_range_text(wanted) if wanted else ''}"
            )
    return plans, skipped


def _material_notes(plan: Plan, lang: str) -> list[str]:
    notes = []
    name = plan.material.name(lang)
    if plan.choice.basket:
        notes.append(
            f"{name}: the {plan.choice.classification} code(s) {', '.join(plan.choice.codes)} cover several "
            "materials; figures are for the whole basket."
        )
    if len(plan.choice.stages) > 1:
        notes.append(f"{name}: codes of several value-chain stages are summed; tonnes are gross weights.")
    # Say where the other value-chain stages are, e.g. nickel: HS92 has only ore, Comext refined nickel.
    elsewhere = []
    for src, classification in tr.TRADE_SOURCES.items():
        other = tr.code_choice(plan.material, classification)
        extra = sorted(set(other.stages) - set(plan.choice.stages))
        if src != plan.source and other.codes and extra:
            elsewhere.append(f"{src} ({', '.join(extra)})")
    if elsewhere:
        notes.append(
            f"{name}: this source has {'/'.join(plan.choice.stages)} codes only; other stages are in "
            + ", ".join(elsewhere)
            + " (use --source or --stage)."
        )
    return notes


def _meta(
    store: Store,
    plans: Sequence[Plan],
    importers: Sequence[Country | Group],
    lang: str,
    extra: dict[str, Any],
    skipped: Sequence[str],
) -> dict[str, Any]:
    sources = sorted({p.source for p in plans}, key=list(tr.TRADE_SOURCES).index)
    notes: list[str] = []
    for plan in plans:
        notes.extend(_material_notes(plan, lang))
    if any(isinstance(i, Group) for i in importers):
        notes.append("EU-27: extra-EU imports only (partners inside the EU-27 left out); post-2020 members.")
    if "comext_cn8" in sources:
        notes.append("Comext: EU customs import values in EUR (CIF); the extract has no quantities.")
    if any(s.startswith("baci") for s in sources):
        notes.append("BACI: values FOB in current USD; tonnes missing for some flows (see tonnes_coverage).")
    if len(plans) == 1 and plans[0].material.coverage_note(lang):
        notes.append(plans[0].material.coverage_note(lang))
    notes.extend(f"Not covered — {text}" for text in skipped)
    per_material = [
        {
            "id": p.material.id,
            "name": p.material.name(lang),
            "source": p.source,
            "classification": p.choice.classification,
            "codes": list(p.choice.codes),
            "stages": list(p.choice.stages),
            "basket": p.choice.basket,
            "years": list(p.years),
        }
        for p in plans
    ]
    meta: dict[str, Any] = {
        "query": {
            "material": plans[0].material.id if len(plans) == 1 else [p.material.id for p in plans],
            "importers": [i.code for i in importers],
            "years": list(plans[0].years) if len({p.years for p in plans}) == 1 else None,
            "source": sources[0] if len(sources) == 1 else sources,
            **extra,
        },
        "sources": store.cite(*sources),
        "units": {
            "value": "; ".join(f"{s}: {tr.currency(s)} ({_BASIS.get(s, 'FOB')})" for s in sources),
            "tonnes": "metric tonnes",
            "shares": "fraction 0–1",
            "hhi": "0–1",
        },
        "materials": per_material,
        "notes": notes,
    }
    if len(plans) == 1:
        plan = plans[0]
        meta["material"] = {"id": plan.material.id, "name": plan.material.name(lang)}
        meta["codes"] = {k: per_material[0][k] for k in ("classification", "codes", "stages", "basket")}
        meta["other_sources"] = [
            s
            for s in tr.available_sources(store)
            if s != plan.source and tr.code_choice(plan.material, tr.TRADE_SOURCES[s]).codes
        ]
    return meta


def _run_plans(store: Store, plans: Sequence[Plan], importers: Sequence[Country | Group]) -> Any:
    """Partner rows with shares for every plan, in one query (years filtered per material afterwards)."""
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan.choice)
    lo = min(p.years[0] for p in plans)
    hi = max(p.years[1] for p in plans)
    flow = tr.flows(store, choices=by_source, importers=importers, years=(lo, hi))
    return tr.with_partner_shares(tr.partner_totals(flow))


def _in_plan(row: dict[str, Any], plans: dict[tuple[str, str], Plan]) -> bool:
    plan = plans.get((row["source"], row["material"]))
    return plan is not None and plan.years[0] <= row["year"] <= plan.years[1]


def imports(
    material: str | Sequence[str],
    country: str | Sequence[str] | Country | Group,
    *,
    years: YearsArg = None,
    source: str | None = None,
    stage: str | None = None,
    share_from: str | Sequence[str] | None = None,
    by: str = "partner",
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """Imports of one or more materials by one or more importers, by partner, with shares and concentration.

    Parameters
    ----------
    material:
        Name (English or Dutch), symbol or alias; a comma list; ``all``, ``crm`` or ``strategic``.
    country:
        Importer(s): ISO2/ISO3 code, English or Dutch name, ``EU27``, or a comma-separated list.
    years:
        A year or range (``2015-2024``); default the latest year of the chosen source, per material.
    source:
        A trade source (``baci_hs92``, ``comext_cn8``, ``baci_hs17``, …); default chosen per material.
    stage:
        Restrict to codes of one value-chain stage (``extraction``, ``processing``, …).
    share_from:
        Partner countries whose combined share is reported (``--from CN``).
    by:
        ``partner`` (one row per partner and year) or ``year`` (one summary row per importer and year).
    """
    store = store or open_store()
    registry = materials()
    if isinstance(material, str):
        mats = registry.resolve_many(material)
    else:
        mats = [registry.resolve(m) for m in material]
    importers = resolve_importers(country)
    if by not in ("partner", "year"):
        raise InputError("by", by, "partner or year")
    wanted = parse_years(years)
    plans, skipped = plan_imports(store, mats, importers, wanted, source, stage)
    if not plans:
        expected = "materials with trade data for these importers: " + "; ".join(skipped)
        raise InputError("material", material, expected)
    named = _resolve_partners(share_from)
    shared = _run_plans(store, plans, importers)
    meta = _meta(store, plans, importers, lang, {"share_from": named, "stage": stage, "by": by}, skipped)
    names = {i.code: i.name(lang) for i in importers}
    index = {(p.source, p.material.id): p for p in plans}
    what = ", ".join(p.material.name(lang) for p in plans) if len(plans) <= 3 else f"{len(plans)} materials"
    who = ", ".join(names.values())
    if by == "partner":
        rows = []
        ordered = shared.order_by(["importer", "material", ibis.desc("year"), "rank", "exporter"])
        for row in fetch(ordered):
            if not _in_plan(row, index):
                continue
            rows.append(
                {
                    "importer": row["importer"],
                    "importer_name": names.get(row["importer"]),
                    "material": row["material"],
                    "year": row["year"],
                    "partner": row["exporter"],
                    "partner_name": country_name(row["exporter"], lang),
                    "value": row["value"],
                    "currency": tr.currency(row["source"]),
                    "tonnes": row["tonnes"],
                    "value_share": row["value_share"],
                    "tonnes_share": row["tonnes_share"],
                    "rank": row["rank"],
                }
            )
        _note_missing_tonnes(meta, rows)
        return Result(f"Imports of {what} by {who}, by partner", PARTNER_FIELDS, rows, meta)
    rows = [r for r in summary_rows(shared, names, named, lang) if _in_plan(r, index)]
    for row in rows:
        row.pop("_source", None)
    return Result(f"Imports of {what} by {who}, per year", SUMMARY_FIELDS, rows, meta)


def summary_rows(
    shared: Any, names: dict[str, str], named: list[str] | None, lang: str
) -> list[dict[str, Any]]:
    """Execute the per-(importer, material, year) summary and add names and the share from named partners."""
    summary = fetch(tr.dependency_summary(shared).order_by(["importer", "material", ibis.desc("year")]))
    from_share: dict[tuple[str, str, str, int], float] = {}
    if named:
        sel = shared.filter(shared.exporter.isin(named))
        agg = sel.group_by(["source", "importer", "material", "year"]).aggregate(s=sel.value_share.sum())
        for row in fetch(agg):
            from_share[(row["source"], row["importer"], row["material"], row["year"])] = row["s"]
    rows = []
    for row in summary:
        total = row["total_value"] or 0.0
        has_tonnes = (row["value_no_tonnes"] or 0) < total
        key = (row["source"], row["importer"], row["material"], row["year"])
        rows.append(
            {
                "importer": row["importer"],
                "importer_name": names.get(row["importer"]),
                "material": row["material"],
                "year": row["year"],
                "total_value": row["total_value"],
                "currency": tr.currency(row["source"]),
                "total_tonnes": row["total_tonnes"] if has_tonnes else None,
                "tonnes_coverage": (1 - (row["value_no_tonnes"] or 0) / total) if total else None,
                "partners": row["partners"],
                "hhi": row["hhi"],
                "hhi_tonnes": row["hhi_tonnes"] if has_tonnes else None,
                "top_partner": row["top_partner"],
                "top_partner_name": country_name(row["top_partner"], lang),
                "top_share": row["top_share"],
                "share_from": from_share.get(key, 0.0) if named else None,
                "source": row["source"],
            }
        )
    return rows


def _resolve_partners(share_from: str | Sequence[str] | None) -> list[str] | None:
    if share_from is None or share_from == "":
        return None
    items = split_list(share_from) if isinstance(share_from, str) else list(share_from)
    registry = countries()
    out: list[str] = []
    for item in items:
        resolved = registry.resolve_importer(item, parameter="from")
        out.extend(resolved.members)
    return sorted(set(out))


def _note_missing_tonnes(meta: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    missing = [r for r in rows if r["tonnes"] is None]
    if missing:
        value = sum(r["value"] or 0 for r in missing)
        total = sum(r["value"] or 0 for r in rows) or 1.0
        meta["notes"].append(
            f"{len(missing)} of {len(rows)} partner rows have no tonnes ({value / total:.1%} of the value); "
            "their tonnes share is null and tonnes shares are over the partners with a quantity."
        )
    meta["coverage"] = {"rows": len(rows), "rows_without_tonnes": len(missing)}


def compare(
    material: str,
    countries: str | Sequence[str],
    *,
    year: int | str | None = None,
    source: str | None = None,
    stage: str | None = None,
    share_from: str | Sequence[str] | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """The dependency figures of several importers side by side for one year.

    ``countries`` is a comma list; ``EU27`` expands to the 27 member states (each as an importer) plus the
    EU-27 as a whole (extra-EU imports). Rows are sorted by import value, largest first.
    """
    store = store or open_store()
    importers = _expand_compare(countries)
    result = imports(
        material,
        importers,
        years=year,
        source=source,
        stage=stage,
        share_from=share_from,
        by="year",
        store=store,
        lang=lang,
    )
    rows = sorted(result.rows, key=lambda r: (r["importer"] == "EU27", -(r["total_value"] or 0)))
    present = {r["importer"] for r in rows}
    missing = [i.code for i in importers if i.code not in present]
    if missing:
        result.meta["notes"].append("No imports recorded for: " + ", ".join(missing) + ".")
    result.meta["query"]["by"] = "importer"
    title = f"Imports of {result.meta['material']['name']}: {len(importers)} importers compared"
    return Result(title, result.fields, rows, result.meta)


def _expand_compare(countries_: str | Sequence[str]) -> list[Country | Group]:
    registry = countries()
    items = split_list(countries_) if isinstance(countries_, str) else list(countries_)
    out: list[Country | Group] = []
    for item in items:
        resolved = registry.resolve_importer(item, parameter="countries")
        if isinstance(resolved, Group):
            out.extend(registry.get(m) for m in resolved.members)
        out.append(resolved)
    seen: set[str] = set()
    unique = []
    for imp in out:
        if imp.code not in seen:
            seen.add(imp.code)
            unique.append(imp)
    return unique


def dependency_table(
    *,
    source: str = "baci_hs92",
    years: YearsArg = None,
    include_eu27: bool = True,
    store: Store | None = None,
) -> Any:
    """The import-dependency table for every importer × material × year of one trade source.

    Returns an Arrow table with one row per (importer, material, year): ``total_value``, ``total_tonnes``,
    ``partners``, ``hhi`` and ``hhi_tonnes`` (Σ share², 0–1), ``top_partner``, ``top_share``. The whole
    computation runs in the engine (one query per importer kind), so it scales to the full BACI data; with
    ``include_eu27`` the EU-27 (extra-EU imports) is added as one more importer.
    """
    store = store or open_store()
    if source not in tr.available_sources(store):
        raise InputError("source", source, "one of " + ", ".join(tr.available_sources(store)))
    classification = tr.TRADE_SOURCES[source]
    choices = {source: [c for m in materials().all() if (c := tr.code_choice(m, classification)).codes]}
    wanted = parse_years(years)
    table = tr.dependency_summary(
        tr.with_partner_shares(
            tr.partner_totals(tr.flows(store, choices=choices, importers=None, years=wanted))
        )
    )
    if include_eu27:
        eu = tr.dependency_summary(
            tr.with_partner_shares(
                tr.partner_totals(tr.flows(store, choices=choices, importers=[tr.eu27()], years=wanted))
            )
        )
        table = table.union(eu)
    from grondstof.engine import to_arrow

    return to_arrow(table)
