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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import ibis

from grondstof import prepared
from grondstof.errors import InputError
from grondstof.indicators import labels
from grondstof.indicators import trade as tr
from grondstof.indicators._common import (
    YearsArg,
    country_name,
    parse_years,
    year_range_text,
)
from grondstof.indicators.labels import share_by_currency, sum_by_currency
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
    Field("coverage", "Coverage", description="complete, or what the codes or extract leave out"),
    Field(
        "share_basis",
        "Shares are",
        description="for a truncated extract: of the retained (top-6) flows; null: of all imports",
    ),
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
    Field("coverage", "Coverage", description="complete, or what the codes or extract leave out"),
    Field(
        "total_bound",
        "Import value is",
        description="lower bound for a truncated (top-6) extract; null: the whole value",
    ),
    Field(
        "hhi_bound",
        "HHI is",
        description="upper bound for a truncated (top-6) extract; null: the HHI itself",
    ),
    Field(
        "share_basis",
        "Shares are",
        description="for a truncated extract: of the retained (top-6) flows; null: of all imports",
    ),
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


def resolve_importers(
    country: str | Sequence[str | Country | Group] | Country | Group,
) -> list[Country | Group]:
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
    """Plans per material and notes ("name: reason") on the materials left out: see :func:`plan_trade`."""
    plans, missed = plan_trade(store, mats, importers, wanted, source, stage)
    by_id = {m.id: m for m in mats}
    return plans, [f"{by_id[mid].name()}: {reason}" for mid, reason in missed.items()]


def plan_trade(
    store: Store,
    mats: Sequence[Material],
    importers: Sequence[Country | Group],
    wanted: tuple[int, int] | None,
    source: str | None,
    stage: str | None,
) -> tuple[list[Plan], dict[str, str]]:
    """Pick, per material, the trade source, codes and years (one query for all materials).

    The rule (see :mod:`grondstof.indicators.labels`): complete sources before partial extracts, own codes
    before basket codes, then the :data:`trade.TRADE_SOURCES` order; a basket code in a partial extract is
    used only when that source is asked for. With ``wanted`` years the chosen source must cover them and
    hold imports inside them (HS17 has 2022 and 2024, not 2023; germanium's HS92 code has no trade after
    2006); without, each material takes its most recent data. With one material a miss is an error naming
    the years each source has for it and a range that would work; with several, misses are skipped and
    returned by material id with the reason.
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
    years_of = tr.import_years(store, by_source, importers) if by_source else {}
    spans = {src: tr.year_span(store, src) for src in present}
    order = {src: i for i, src in enumerate(present)}
    plans: list[Plan] = []
    skipped: dict[str, str] = {}
    for mat in mats:
        options = [src for src in present if (src, mat.id) in candidates]
        with_data = [src for src in options if (src, mat.id) in years_of]
        # A basket in a partial extract is mostly other things and part of the trade: only on request.
        usable = [
            src
            for src in with_data
            if source is not None or labels.usable_by_default(src, candidates[(src, mat.id)].basket)
        ]
        usable.sort(
            key=lambda src, m=mat.id: (  # type: ignore[misc]
                labels.is_partial(src),
                candidates[(src, m)].basket,
                order[src],
            )
        )
        plan: Plan | None = None
        problem: InputError | None = None
        if wanted is not None:
            for src in usable:
                span = spans[src]
                inside = [y for y in years_of[(src, mat.id)] if wanted[0] <= y <= wanted[1]]
                if span and span[0] <= wanted[0] and wanted[1] <= span[1] and inside:
                    plan = Plan(mat, src, candidates[(src, mat.id)], wanted)
                    break
            if plan is None and usable:
                withheld_srcs = [src for src in with_data if src not in usable]
                extra = _withheld_text(mat, withheld_srcs, candidates) if withheld_srcs else ""
                problem = _years_problem(mat, importers, wanted, usable, years_of, extra)
        elif usable:
            # Complete before partial and own codes before baskets, then the most recent data.
            src = max(
                usable,
                key=lambda s, m=mat.id: (  # type: ignore[misc]
                    not labels.is_partial(s),
                    not candidates[(s, m)].basket,
                    years_of[(s, m)][-1],
                    -order[s],
                ),
            )
            last = years_of[(src, mat.id)][-1]
            plan = Plan(mat, src, candidates[(src, mat.id)], (last, last))
        if plan is not None:
            plans.append(plan)
            continue
        withheld = [src for src in with_data if src not in usable]
        if problem is None:
            where = f" in {year_range_text(wanted)}" if wanted else ""
            who = ", ".join(i.name() for i in importers)
            if withheld:
                reason = _withheld_text(mat, withheld, candidates)
            else:
                reason = mat.coverage_note() or "No trade codes are mapped for it."
            problem = InputError(
                "material", mat.name(), f"a material with complete trade data for {who}{where}. {reason}"
            )
        if len(mats) == 1:
            raise problem
        if not options:
            skipped[mat.id] = "no trade codes in the loaded trade sources"
        elif problem.parameter == "years":
            skipped[mat.id] = problem.expected
        elif withheld:
            skipped[mat.id] = _withheld_text(mat, withheld, candidates)
        else:
            skipped[mat.id] = f"no imports recorded{' in ' + year_range_text(wanted) if wanted else ''}"
    return plans, skipped


def _withheld_text(mat: Material, withheld: Sequence[str], candidates: dict[tuple[str, str], Any]) -> str:
    """Why a material has no default figure: its only data is a basket code in a partial extract."""
    parts = []
    for src in withheld:
        choice = candidates[(src, mat.id)]
        parts.append(f"{src} {', '.join(choice.codes)} ({labels.trade_coverage(src, choice)})")
    return (
        "No complete trade data: the only data is "
        + "; ".join(parts)
        + ", mostly other materials and part of the trade, so not shown as its imports (ask for that "
        "source by name to see it)."
    )


def _years_problem(
    mat: Material,
    importers: Sequence[Country | Group],
    wanted: tuple[int, int],
    usable: Sequence[str],
    years_of: dict[tuple[str, str], tuple[int, ...]],
    withheld: str = "",
) -> InputError:
    """An error saying which years each source has imports of ``mat`` in, and ranges that would work."""
    who = ", ".join(i.name() for i in importers)
    span = f"all of {year_range_text(wanted)}" if wanted[0] != wanted[1] else str(wanted[0])
    have = {src: years_of[(src, mat.id)] for src in usable}
    listed = "; ".join(f"{src} has {_years_text(ys)}" for src, ys in have.items())
    # Suggest the runs of consecutive years that overlap the wanted range (clipped to it), most recent
    # first; without any, the most recent runs.
    runs = sorted({run for ys in have.values() for run in _runs(ys)}, key=lambda run: (-run[1], run[0]))
    overlapping = [
        (max(lo, wanted[0]), min(hi, wanted[1])) for lo, hi in runs if lo <= wanted[1] and hi >= wanted[0]
    ]
    suggestions: list[str] = []
    for lo, hi in overlapping or runs:
        text = str(lo) if lo == hi else f"{lo}-{hi}"
        if text not in suggestions:
            suggestions.append(text)
    return InputError(
        "years",
        year_range_text(wanted),
        f"years with recorded imports of {mat.name()} by {who} in one source, which must cover {span}: "
        f"{listed}" + (f". {withheld.rstrip('.')}" if withheld else ""),
        suggestions=suggestions,
    )


def _runs(years: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive years: (1995, 1996, 2014) -> [(1995, 1996), (2014, 2014)]."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


def _years_text(years: Sequence[int]) -> str:
    """Years as ranges: (2022, 2024) -> "2022, 2024"; (1995, 1996, 1997) -> "1995–1997"."""
    return ", ".join(year_range_text(run) for run in _runs(years))


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
    if any(s.startswith("baci") and s != tr.REFINED_SOURCE for s in sources):
        notes.append("BACI: values FOB in current USD; tonnes missing for some flows (see tonnes_coverage).")
    if tr.REFINED_SOURCE in sources:
        notes.append(
            "TOP-6 EXTRACT (baci_refined_top6, used because no complete source covers the stage and years): "
            "only each importer's 6 largest suppliers and each exporter's 6 largest customers are in the "
            "data, values in USD (FOB), no tonnes. Totals are lower bounds, shares are of the retained "
            "flows, HHI is an upper bound (columns total_bound, share_basis, hhi_bound). A partner missing "
            "in a year is not among the retained flows, not zero."
        )
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


def _run_plans(
    store: Store,
    plans: Sequence[Plan],
    importers: Sequence[Country | Group],
    form: str,
    named: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Rows of one query over every plan's partner rows with shares (years filtered per material afterwards).

    ``form``: ``partners`` (the partner rows, ordered), ``summary`` (one row per importer, material and
    year: :func:`trade.dependency_summary`) or ``from_share`` (the share of the ``named`` partners).
    """
    by_source: dict[str, list[tr.CodeChoice]] = {}
    for plan in plans:
        by_source.setdefault(plan.source, []).append(plan.choice)
    tables = tr.flow_inputs(by_source, importers)
    values: dict[str, tuple[str, Any]] = {
        "first_year": ("int64", min(p.years[0] for p in plans)),
        "last_year": ("int64", max(p.years[1] for p in plans)),
    }
    values.update({f"partner{n}": ("string", iso3) for n, iso3 in enumerate(named)})
    shape = (tuple(by_source), "inside" in tables, form, len(named))
    return prepared.rows(store, _plans_query, shape=shape, tables=tables, values=values)


def _plans_query(store: Store, shape: Any, tables: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    """Query of :func:`_run_plans` (a :mod:`grondstof.prepared` declaration)."""
    sources, _, form, n_named = shape
    years = (values["first_year"], values["last_year"])
    flow = tr.flows_of(store, sources, tables["pairs"], tables["importers"], tables.get("inside"), years)
    shared = tr.with_partner_shares(tr.partner_totals(flow))
    if form == "partners":
        return shared.order_by(["importer", "material", ibis.desc("year"), "rank", "exporter"])
    if form == "summary":
        return tr.dependency_summary(shared).order_by(["importer", "material", ibis.desc("year")])
    named = [values[f"partner{n}"] for n in range(n_named)]
    sel = shared.filter(shared.exporter.isin(named))
    return sel.group_by(["source", "importer", "material", "year"]).aggregate(s=sel.value_share.sum())


def plan_summaries(
    store: Store, plans: Sequence[Plan], importers: Sequence[Country | Group], lang: str = "en"
) -> dict[tuple[str, str, int], dict[str, Any]]:
    """Per (importer, material, year) of the plans, the summary row ``imports --by year`` gives."""
    if not plans:
        return {}
    names = {i.code: i.name(lang) for i in importers}
    index = {(p.source, p.material.id): p for p in plans}
    return {
        (row["importer"], row["material"], row["year"]): _labelled(row, index, lang)
        for row in summary_rows(store, plans, importers, names, None, lang)
        if _in_plan(row, index)
    }


def _labelled(row: dict[str, Any], plans: dict[tuple[str, str], Plan], lang: str) -> dict[str, Any]:
    """Add what the figure is to a row: its coverage and, from a truncated extract, the bounds of its total
    and HHI and the basis of its shares (:func:`grondstof.indicators.labels.extract_bounds`)."""
    plan = plans[(row["source"], row["material"])]
    row["coverage"] = labels.trade_coverage(plan.source, plan.choice, lang)
    bounds = labels.extract_bounds(plan.source, lang)
    if "total_value" in row:
        row.update(bounds)
    else:
        row["share_basis"] = bounds["share_basis"]
    return row


def _in_plan(row: dict[str, Any], plans: dict[tuple[str, str], Plan]) -> bool:
    plan = plans.get((row["source"], row["material"]))
    return plan is not None and plan.years[0] <= row["year"] <= plan.years[1]


def imports(
    material: str | Sequence[str],
    country: str | Sequence[str | Country | Group] | Country | Group,
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
    meta = _meta(store, plans, importers, lang, {"share_from": named, "stage": stage, "by": by}, skipped)
    names = {i.code: i.name(lang) for i in importers}
    index = {(p.source, p.material.id): p for p in plans}
    what = ", ".join(p.material.name(lang) for p in plans) if len(plans) <= 3 else f"{len(plans)} materials"
    who = ", ".join(names.values())
    if by == "partner":
        rows = []
        for row in _run_plans(store, plans, importers, "partners"):
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
                    "source": row["source"],
                }
            )
            _labelled(rows[-1], index, lang).pop("source")
        _note_missing_tonnes(meta, rows)
        return Result(f"Imports of {what} by {who}, by partner", PARTNER_FIELDS, rows, meta)
    rows = [
        _labelled(r, index, lang)
        for r in summary_rows(store, plans, importers, names, named, lang)
        if _in_plan(r, index)
    ]
    for row in rows:
        row.pop("_source", None)
    return Result(f"Imports of {what} by {who}, per year", SUMMARY_FIELDS, rows, meta)


def summary_rows(
    store: Store,
    plans: Sequence[Plan],
    importers: Sequence[Country | Group],
    names: dict[str, str],
    named: list[str] | None,
    lang: str,
) -> list[dict[str, Any]]:
    """Per (importer, material, year) of the plans: the summary, names and the share from named partners."""
    summary = _run_plans(store, plans, importers, "summary")
    from_share: dict[tuple[str, str, str, int], float] = {}
    if named:
        for row in _run_plans(store, plans, importers, "from_share", named):
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
    """Say how much of the value has no tonnes, per currency (USD and EUR values are never added)."""
    missing = [r for r in rows if r["tonnes"] is None]
    shares = share_by_currency(sum_by_currency(missing), sum_by_currency(rows))
    if missing:
        per_currency = "; ".join(
            f"{share:.1%} of the {cur} value" for cur, share in shares.items() if share is not None
        )
        meta["notes"].append(
            f"{len(missing)} of {len(rows)} partner rows have no tonnes ({per_currency}); "
            "their tonnes share is null and tonnes shares are over the partners with a quantity."
        )
    meta["coverage"] = {
        "rows": len(rows),
        "rows_without_tonnes": len(missing),
        "value_without_tonnes_share": shares,
    }


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
    ``material`` is one material, a comma list or ``all``/``crm``/``strategic`` (rows grouped by
    material, each from its own source: see :func:`plan_trade`). ``countries_`` is a comma list;
    ``EU27`` expands to the 27 member states (each as an importer) plus the EU-27 as a whole (extra-EU
    imports). Rows are sorted by import value, largest first.
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
    # Per material, the importers by import value (largest first), the EU-27 as a whole last.
    rows = sorted(
        result.rows, key=lambda r: (r["material"], r["importer"] == "EU27", -(r["total_value"] or 0))
    )
    present = {r["importer"] for r in rows}
    missing = [i.code for i in importers if i.code not in present]
    if missing:
        result.meta["notes"].append("No imports recorded for: " + ", ".join(missing) + ".")
    result.meta["query"]["by"] = "importer"
    names = [m["name"] for m in result.meta["materials"]]
    what = ", ".join(names) if len(names) <= 3 else f"{len(names)} materials"
    title = f"Imports of {what}: {len(importers)} importers compared"
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

    return to_arrow(table.order_by(["source", "importer", "material", "year"]))
