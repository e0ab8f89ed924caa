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
from typing import Any

import ibis

from grondstof.errors import InputError
from grondstof.indicators import trade as tr
from grondstof.indicators._common import (
    YearsArg,
    check_years,
    country_name,
    fetch,
    parse_years,
    year_range_text,
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


def _choose_source(
    store: Store,
    mat: Material,
    importers: Sequence[Country | Group],
    wanted: tuple[int, int] | None,
    source: str | None,
    stage: str | None,
) -> tuple[str, tr.CodeChoice]:
    """Pick the trade source for a material and importers (see module docs of :mod:`trade`)."""
    present = tr.available_sources(store)
    if source is not None:
        if source not in tr.TRADE_SOURCES:
            raise InputError("source", source, "one of " + ", ".join(tr.TRADE_SOURCES))
        if source not in present:
            raise InputError("source", source, "a trade source that is in the store: " + ", ".join(present))
        choice = tr.code_choice(mat, tr.TRADE_SOURCES[source], stage)
        if not choice.codes:
            raise InputError(
                "source",
                source,
                f"a source with trade codes for {mat.name()}",
                suggestions=[s for s in present if tr.code_choice(mat, tr.TRADE_SOURCES[s], stage).codes],
            )
        return source, choice
    candidates = {c: tr.code_choice(mat, tr.TRADE_SOURCES[c], stage) for c in present}
    candidates = {c: choice for c, choice in candidates.items() if choice.codes}
    latest = tr.latest_years(store, {c: [choice] for c, choice in candidates.items()}, importers)
    best: tuple[tuple[int, int, int], str] | None = None
    for order, (candidate, choice) in enumerate(candidates.items()):
        if candidate not in latest:
            continue
        if wanted is not None:
            span = tr.year_span(store, candidate)
            if span and span[0] <= wanted[0] and wanted[1] <= span[1]:
                return candidate, choice
            continue
        # Without a year, prefer own codes over baskets, then the most recent data, then the preferred
        # (earlier) source.
        key = (int(not choice.basket), latest[candidate], -order)
        if best is None or key > best[0]:
            best = (key, candidate)
    if best is None:
        where = f" in {year_range_text(wanted)}" if wanted else ""
        raise InputError(
            "material",
            mat.name(),
            f"a material with trade data for {', '.join(i.name() for i in importers)}{where}. "
            + (mat.coverage_note() or "No trade codes are mapped for it"),
        )
    return best[1], candidates[best[1]]


def _meta(
    store: Store,
    source: str,
    choice: tr.CodeChoice,
    mat: Material,
    importers: Sequence[Country | Group],
    years: tuple[int, int],
    lang: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    notes = []
    if choice.basket:
        notes.append(
            f"The {choice.classification} code(s) {', '.join(choice.codes)} cover several materials; "
            f"figures are for the whole basket, not {mat.name(lang)} alone."
        )
    if len(choice.stages) > 1:
        notes.append(
            "Codes of several value-chain stages are summed; tonnes are gross weights of all of them."
        )
    if any(isinstance(i, Group) for i in importers):
        notes.append(
            "EU-27: extra-EU imports only (partners inside the EU-27 excluded), post-2020 membership."
        )
    if source == "comext_cn8":
        notes.append("Comext: EU customs import values in EUR (CIF); the extract has no quantities.")
    elif source.startswith("baci"):
        notes.append("BACI: values FOB in current USD; tonnes missing for some flows (see tonnes_coverage).")
    if mat.coverage_note(lang):
        notes.append(mat.coverage_note(lang))
    return {
        "query": {
            "material": mat.id,
            "importers": [i.code for i in importers],
            "years": list(years),
            "source": source,
            **(extra or {}),
        },
        "material": {"id": mat.id, "name": mat.name(lang)},
        "sources": store.cite(source),
        "units": {
            "value": tr.currency(source) + (" (CIF, customs)" if source == "comext_cn8" else " (FOB)"),
            "tonnes": "metric tonnes",
            "shares": "fraction 0–1",
            "hhi": "0–1",
        },
        "codes": {
            "classification": choice.classification,
            "codes": list(choice.codes),
            "stages": list(choice.stages),
            "basket": choice.basket,
        },
        "other_sources": [
            s
            for s in tr.available_sources(store)
            if s != source and tr.code_choice(mat, tr.TRADE_SOURCES[s]).codes
        ],
        "notes": notes,
    }


def imports(
    material: str,
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
    """Imports of ``material`` by one or more importers, by partner, with shares and concentration.

    Parameters
    ----------
    material:
        Name (English or Dutch), symbol or alias.
    country:
        Importer(s): ISO2/ISO3 code, English or Dutch name, ``EU27``, or a comma-separated list.
    years:
        A year or range (``2015-2024``); default the latest year of the chosen source.
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
    mat = materials().resolve(material)
    importers = resolve_importers(country)
    if by not in ("partner", "year"):
        raise InputError("by", by, "partner or year")
    wanted = parse_years(years)
    src, choice = _choose_source(store, mat, importers, wanted, source, stage)
    if wanted is None:
        last = tr.latest_years(store, {src: [choice]}, importers).get(src)
        span = (last, last) if last is not None else None
    else:
        span = tr.year_span(store, src)
    chosen_years = check_years(wanted, span, f"{src} imports of {mat.name()}")
    named = _resolve_partners(share_from)
    flow = tr.flows(store, choices={src: [choice]}, importers=importers, years=chosen_years)
    shared = tr.with_partner_shares(tr.partner_totals(flow))
    meta = _meta(
        store,
        src,
        choice,
        mat,
        importers,
        chosen_years,
        lang,
        {"share_from": named, "stage": stage, "by": by},
    )
    names = {i.code: i.name(lang) for i in importers}
    cur = tr.currency(src)
    if by == "partner":
        rows = []
        for row in fetch(shared.order_by(["importer", ibis.desc("year"), "rank"])):
            rows.append(
                {
                    "importer": row["importer"],
                    "importer_name": names.get(row["importer"]),
                    "material": mat.id,
                    "year": row["year"],
                    "partner": row["exporter"],
                    "partner_name": country_name(row["exporter"], lang),
                    "value": row["value"],
                    "currency": cur,
                    "tonnes": row["tonnes"],
                    "value_share": row["value_share"],
                    "tonnes_share": row["tonnes_share"],
                    "rank": row["rank"],
                }
            )
        _note_missing_tonnes(meta, rows)
        title = f"Imports of {mat.name(lang)} by {', '.join(names.values())}, by partner"
        return Result(title, PARTNER_FIELDS, rows, meta)
    rows = summary_rows(shared, names, mat, cur, src, named, lang)
    title = f"Imports of {mat.name(lang)} by {', '.join(names.values())}, per year"
    return Result(title, SUMMARY_FIELDS, rows, meta)


def summary_rows(
    shared: Any, names: dict[str, str], mat: Material, cur: str, src: str, named: list[str] | None, lang: str
) -> list[dict[str, Any]]:
    """Execute the per-(importer, year) summary and add names and the share from named partners."""
    summary = fetch(tr.dependency_summary(shared).order_by(["importer", ibis.desc("year")]))
    from_share: dict[tuple[str, int], float] = {}
    if named:
        sel = shared.filter(shared.exporter.isin(named))
        for row in fetch(sel.group_by(["importer", "year"]).aggregate(s=sel.value_share.sum())):
            from_share[(row["importer"], row["year"])] = row["s"]
    rows = []
    for row in summary:
        total = row["total_value"] or 0.0
        rows.append(
            {
                "importer": row["importer"],
                "importer_name": names.get(row["importer"]),
                "material": mat.id,
                "year": row["year"],
                "total_value": row["total_value"],
                "currency": cur,
                "total_tonnes": row["total_tonnes"] if (row["value_no_tonnes"] or 0) < total else None,
                "tonnes_coverage": (1 - (row["value_no_tonnes"] or 0) / total) if total else None,
                "partners": row["partners"],
                "hhi": row["hhi"],
                "hhi_tonnes": row["hhi_tonnes"] if (row["value_no_tonnes"] or 0) < total else None,
                "top_partner": row["top_partner"],
                "top_partner_name": country_name(row["top_partner"], lang),
                "top_share": row["top_share"],
                "share_from": from_share.get((row["importer"], row["year"]), 0.0) if named else None,
                "source": src,
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
    countries_: str | Sequence[str],
    *,
    year: int | str | None = None,
    source: str | None = None,
    stage: str | None = None,
    share_from: str | Sequence[str] | None = None,
    store: Store | None = None,
    lang: str = "en",
) -> Result:
    """The dependency figures of several importers side by side for one year.

    ``countries_`` is a comma list; ``EU27`` expands to the 27 member states (each as an importer) plus the
    EU-27 as a whole (extra-EU imports). Rows are sorted by import value, largest first.
    """
    store = store or open_store()
    importers = _expand_compare(countries_)
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
