"""Export controls: the timeline of measures and an importer's exposure to them.

``controls`` lists the measures of the store table ``export_controls`` (a transcribed timeline, status as of
early 2026) with each measure's status on a date:

* ``not yet announced`` — before the earliest of its announcement and entry-into-force dates;
* ``announced`` — announced, not yet in force;
* ``active`` — in force (from ``effective``), not ended or suspended;
* ``suspended`` — from ``ended`` to ``suspension_until`` (inclusive) when the source gives a suspension end;
* ``ended`` — from ``ended`` when no suspension end is given (lifted or replaced, see ``status_note``).

After ``suspension_until`` a measure is taken as back in force; the timeline does not record later
extensions, so such rows say so in ``status_basis``.

``exposure`` answers "which measures in force on this date touch an importer's suppliers, and how much did
it buy from the controlling country before and after?". For each active measure that applies to the
importer's destination (``destination_scope`` "all destinations", or the named countries only: a
"United States only" measure does not touch the EU) and each material it lists:

    share_y = imports_y(importer ← controlling country) ÷ Σ_partners imports_y(importer)

by value (and by tonnes over the partners with a quantity, BACI only), for the year before the measure took
effect, the year it took effect and each later year with data up to the last full year before ``date``.
The trade source and codes per material are the default choice of
:func:`grondstof.indicators.dependency.plan_imports` (as ``grondstof imports`` uses): BACI HS92 (USD, FOB,
tonnes) or Comext CN8 (EUR, CIF, EU importers 2022–2024, no tonnes). A measure on raw ore or raw minerals
("export ban (raw ore)") is evaluated on extraction-stage codes only. The EU-27 as importer counts extra-EU
imports only.

Material matching: a group matches its members and a member its groups (``rare_earths`` finds the 2025
controls on samarium, dysprosium …; ``dysprosium`` finds the rare-earth technology bans); in ``exposure``
the more specific of the two materials is evaluated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any

from grondstof.errors import InputError, UnknownCountryError
from grondstof.indicators._common import country_name, fetch
from grondstof.parameters import Cli, CountryText, Lang, Params, described
from grondstof.parsing import parse_date as _parse_date
from grondstof.registry.countries import Country, Group, countries
from grondstof.registry.materials import Material, materials
from grondstof.result import Field, Result

STATUSES = ("not yet announced", "announced", "active", "suspended", "ended")

CONTROL_FIELDS = [
    Field("id", "Measure"),
    Field("country", "Controlling country (ISO3)", show=False),
    Field("country_name", "Controlling country"),
    Field("materials", "Materials", description="registry ids the measure touches"),
    Field("materials_text", "Materials (as published)", show=False),
    Field("measure_type", "Measure type"),
    Field("scope", "Scope", show=False),
    Field("legal_instrument", "Legal instrument", show=False),
    Field("announced", "Announced", "date"),
    Field("effective", "In force", "date"),
    Field("ended", "Ended/suspended", "date"),
    Field("suspension_until", "Suspended until", "date"),
    Field("destination_scope", "Destinations"),
    Field("status", "Status on date", description="; ".join(STATUSES)),
    Field("status_basis", "Status basis", show=False, description="why the status was given"),
    Field("status_note", "Status note (source)", show=False),
    Field("sources", "Sources", show=False),
    Field("verification", "Verification", show=False),
]

EXPOSURE_FIELDS = [
    Field("importer", "Importer (code)", show=False),
    Field("importer_name", "Importer"),
    Field("measure", "Measure"),
    Field("controller", "Controlling country (ISO3)", show=False),
    Field("controller_name", "Controlling country"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("year", "Year", "year"),
    Field("period", "Period", description="before, year of effect or after the measure took effect"),
    Field("share", "Share from controlling country", "share", description="by value"),
    Field("value", "Imports from controlling country", "money", description="in `currency`"),
    Field("total_value", "Imports from all partners", "money", description="in `currency`"),
    Field("currency", "Currency"),
    Field(
        "tonnes", "Tonnes from controlling country", "tonnes", description="null where the source has none"
    ),
    Field("tonnes_share", "Share (tonnes)", "share", description="over partners with a quantity"),
    Field("source", "Source"),
    Field("codes", "Trade codes", show=False),
    Field("measure_type", "Measure type", show=False),
    Field("effective", "In force", "date"),
    Field("destination_scope", "Destinations", show=False),
    Field("measure_sources", "Measure sources", show=False),
]

_RAW = re.compile(r"\braw (ore|mineral)", re.IGNORECASE)


# ---- input ---------------------------------------------------------------------------------------


def parse_date(value: str | dt.date | None, parameter: str = "date") -> dt.date:
    """``YYYY-MM-DD`` text or a date (None: today); anything else raises InputError naming ``parameter``."""
    return _parse_date(value, parameter, default=dt.date.today())  # type: ignore[return-value]


def _check_lang(lang: str) -> None:
    if lang not in ("en", "nl"):
        raise InputError("lang", lang, "en or nl")


def _resolve_material(text: str | None) -> Material | None:
    return None if text is None or text == "" else materials().resolve(text, parameter="material")


def related(a: str, b: str) -> bool:
    """True when materials ``a`` and ``b`` are the same or one is a group containing the other."""
    registry = materials()
    return a == b or b in registry.get(a).groups or a in registry.get(b).groups


# ---- status --------------------------------------------------------------------------------------


def status_on(measure: dict[str, Any], day: dt.date) -> tuple[str, str]:
    """The status of one measure (a row of ``export_controls``) on ``day`` and the reason for it."""
    announced, effective = measure.get("announced"), measure.get("effective")
    ended, until = measure.get("ended"), measure.get("suspension_until")
    known = min((d for d in (announced, effective) if d is not None), default=None)
    if known is None or day < known:
        return "not yet announced", f"first reported {known.isoformat()}" if known else "no dates given"
    if ended is not None and day >= ended:
        if until is None:
            return "ended", f"ended or replaced on {ended.isoformat()}"
        if day <= until:
            return "suspended", f"suspended from {ended.isoformat()} until {until.isoformat()}"
        if effective is not None and day >= effective:
            return "active", (
                f"the suspension ran until {until.isoformat()}; taken as back in force since then — the "
                "timeline (as of early 2026) does not record whether it was extended"
            )
        return "announced", f"suspension ended {until.isoformat()}; in force from {effective}"
    if effective is None or day < effective:
        return "announced", f"announced {announced}; in force from {effective or 'an unknown date'}"
    return "active", f"in force since {effective.isoformat()}"


def _destinations(text: str) -> tuple[frozenset[str] | None, bool]:
    """ISO3 codes a destination-specific measure is limited to (None = all); second item: understood."""
    cleaned = re.sub(r"\bonly\b", "", text or "", flags=re.IGNORECASE).strip()
    if not cleaned or cleaned.casefold() in ("all destinations", "all", "worldwide"):
        return None, True
    codes = set()
    for part in re.split(r",|;|\band\b", cleaned):
        if not part.strip():
            continue
        try:
            codes.add(countries().resolve(part.strip()).iso3)
        except UnknownCountryError:
            return None, False
    return frozenset(codes), True


def _measures(store: Any) -> list[dict[str, Any]]:
    table = store.table("export_controls")
    rows = fetch(table)
    for row in rows:
        row["materials"] = list(row["materials"] or [])
    return sorted(rows, key=lambda r: (r["effective"] or r["announced"] or dt.date.max, r["id"]))


# ---- the timeline --------------------------------------------------------------------------------


Date = Annotated[
    str | None,
    described(
        "YYYY-MM-DD: status on this day (default today).",
        "JJJJ-MM-DD: status op deze dag (standaard vandaag).",
        max_length=10,
    ),
]


class ControlsParams(Params):
    """Parameters of :func:`controls` (``grondstof controls``, ``/api/v1/controls``)."""

    country: Annotated[
        str | None,
        described(
            "The controlling (exporting) country, e.g. China.",
            "Het land dat de beperking oplegt (exporteur), bijv. China.",
            max_length=100,
        ),
        Cli(flags=("--country", "-c")),
    ] = None
    material: Annotated[
        str | None,
        described(
            "A material; groups match their members.",
            "Een grondstof; groepen omvatten hun leden.",
            max_length=100,
        ),
        Cli(flags=("--material", "-m")),
    ] = None
    date: Date = None
    importer: Annotated[
        str | None,
        described(
            "Show this importer's exposure (country or EU27) to the measures in force on the date instead of "
            "the list: its imports from the controlling country before and after.",
            "Toon de blootstelling van deze importeur (land of EU27) aan de maatregelen die op de datum "
            "gelden in plaats van de lijst: de import uit het beperkende land ervoor en erna.",
            max_length=100,
        ),
        Cli(flags=("--importer", "-i")),
    ] = None
    lang: Lang = "en"


class ExposureParams(Params):
    """Parameters of :func:`exposure` (``/api/v1/exposure``; on the command line ``controls --importer``)."""

    country: Annotated[
        CountryText,
        described(
            "The importer: ISO2/ISO3 code, English or Dutch name, or EU27.",
            "De importeur: ISO2/ISO3-code, Engelse of Nederlandse naam, of EU27.",
            min_length=1,
            max_length=100,
        ),
    ]
    material: Annotated[
        str | None,
        described(
            "A material (default: all controlled).",
            "Een grondstof (standaard: alle beperkte).",
            max_length=100,
        ),
        Cli(flags=("--material", "-m")),
    ] = None
    date: Date = None
    controller: Annotated[
        str | None,
        described(
            "Only measures of this controlling country.",
            "Alleen maatregelen van dit land.",
            max_length=100,
        ),
    ] = None
    lang: Lang = "en"


def controls(
    country: str | None = None,
    material: str | None = None,
    date: str | dt.date | None = None,
    *,
    importer: str | None = None,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """The export-control timeline, optionally for one controlling country and/or material, with status.

    With ``importer`` the answer is that importer's exposure instead (:func:`exposure`, with ``country`` as
    the controlling country): ``grondstof controls --importer NL`` and ``/api/v1/controls?importer=NL``.

    Parameters
    ----------
    country:
        The controlling (exporting) country, e.g. ``China``, ``CN``, ``COD``.
    material:
        A material; a group matches measures on its members and a member matches measures on its groups.
    date:
        ``YYYY-MM-DD``; each measure's status on that day (default today). Statuses are defined in the
        module docstring.
    """
    if importer:
        return exposure(importer, material, date, controller=country, store=store, lang=lang)
    from grondstof.store import open_store

    store = store or open_store()
    day = parse_date(date)
    controller = countries().resolve(country, parameter="country") if country else None
    mat = _resolve_material(material)
    _check_lang(lang)
    rows = []
    for measure in _measures(store):
        if controller is not None and measure["country"] != controller.iso3:
            continue
        if mat is not None and not any(related(mat.id, m) for m in measure["materials"]):
            continue
        status, basis = status_on(measure, day)
        rows.append(
            {
                "id": measure["id"],
                "country": measure["country"],
                "country_name": country_name(measure["country"], lang),
                "materials": measure["materials"],
                "materials_text": measure["materials_text"],
                "measure_type": measure["measure_type"],
                "scope": measure["scope"],
                "legal_instrument": measure["legal_instrument"],
                "announced": measure["announced"],
                "effective": measure["effective"],
                "ended": measure["ended"],
                "suspension_until": measure["suspension_until"],
                "destination_scope": measure["destination_scope"],
                "status": status,
                "status_basis": basis,
                "status_note": measure["status_note"],
                "sources": measure["sources"],
                "verification": measure["verification"],
            }
        )
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    notes = [
        "Timeline transcribed from public reporting (status as of early 2026); each measure names its "
        "sources and what was verified.",
        "Status on the date: 'ended' is the source's ended_or_suspended date; with a suspension end date "
        "the measure is suspended until then and taken as back in force afterwards.",
    ]
    lapsed = [
        r["id"] for r in rows if r["status"] == "active" and "suspension ran until" in r["status_basis"]
    ]
    if lapsed:
        notes.append(
            "Suspension over on this date, taken as back in force (extensions after early 2026 are not in "
            "the data): " + ", ".join(lapsed) + "."
        )
    meta = {
        "query": {
            "country": controller.iso3 if controller else None,
            "material": mat.id if mat else None,
            "date": day.isoformat(),
        },
        "sources": store.cite("export_controls"),
        "statuses": counts,
        "notes": notes,
    }
    what = []
    if controller:
        what.append(f"by {controller.name(lang)}")
    if mat:
        what.append(f"on {mat.name(lang)}")
    title = " ".join(["Export controls", *what]) + f", status on {day.isoformat()}"
    return Result(title, CONTROL_FIELDS, rows, meta)


# ---- exposure ------------------------------------------------------------------------------------


def exposure(
    country: str,
    material: str | None = None,
    date: str | dt.date | None = None,
    *,
    controller: str | None = None,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """An importer's exposure to the export controls in force on ``date``.

    Parameters
    ----------
    country:
        The importer: a country (code or English/Dutch name) or ``EU27`` (extra-EU imports).
    material:
        Only measures touching this material (groups match members and vice versa).
    date:
        ``YYYY-MM-DD`` (default today): which measures are active, and the last full year of trade shown.
    controller:
        Only measures of this controlling country.

    Rows, per (active measure, material, year): the share of the importer's imports (value; tonnes where
    the source has them) from the controlling country, the values, the source and the measure's details,
    for the year before the measure took effect up to the last year with data. Formula in the module
    docstring.
    """
    from grondstof.store import open_store

    store = store or open_store()
    importer = countries().resolve_importer(country, parameter="country")
    day = parse_date(date)
    mat = _resolve_material(material)
    ctrl = countries().resolve(controller, parameter="controller") if controller else None
    _check_lang(lang)

    notes: list[str] = []
    applicable = []
    not_counted: list[str] = []
    for measure in _measures(store):
        if ctrl is not None and measure["country"] != ctrl.iso3:
            continue
        status, basis = status_on(measure, day)
        limited, understood = _destinations(measure["destination_scope"])
        if limited is not None and not set(importer.members) & limited:
            continue
        evaluated = _evaluated(measure["materials"], mat)
        if mat is not None and not evaluated:
            continue
        if status != "active":
            if status != "not yet announced":
                not_counted.append(f"{measure['id']} ({status})")
            continue
        if not understood:
            notes.append(
                f"{measure['id']}: destination scope {measure['destination_scope']!r} not understood; "
                "treated as all destinations."
            )
        if "suspension ran until" in basis:
            notes.append(f"{measure['id']}: {basis}.")
        applicable.append((measure, evaluated))

    pairs: list[tuple[dict[str, Any], str, str | None]] = []
    for measure, evaluated in applicable:
        if not evaluated:
            notes.append(f"{measure['id']}: names no material of the registry ({measure['materials_text']}).")
        stage = "extraction" if _RAW.search(f"{measure['measure_type']} {measure['scope']}") else None
        pairs.extend((measure, m, stage) for m in evaluated)

    plans, skipped = _plans(store, {(m, s) for _, m, s in pairs}, importer)
    notes.extend(skipped)
    cutoff = day.year if (day.month, day.day) == (12, 31) else day.year - 1
    series, spans = _series(store, plans, importer, pairs, cutoff)

    rows: list[dict[str, Any]] = []
    for measure, mat_id, stage in pairs:
        plan = plans.get((mat_id, stage))
        if plan is None:
            continue
        rows.extend(
            _exposure_rows(measure, mat_id, stage, plan, series, spans, importer, cutoff, notes, lang)
        )

    from grondstof.indicators import trade as tr

    used = sorted({p.source for p in plans.values()}, key=list(tr.TRADE_SOURCES).index)
    if isinstance(importer, Group):
        notes.append("EU-27: extra-EU imports only (partners inside the EU-27 left out).")
    if "comext_cn8" in used:
        notes.append("Comext: EUR customs values (CIF), no tonnes, EU importers 2022–2024.")
    if any(s.startswith("baci") for s in used):
        notes.append("BACI: USD values (FOB); tonnes missing for some flows.")
    notes.append(
        "Only measures in force on the date count"
        + (f"; not counted: {', '.join(not_counted)}" if not_counted else "")
        + " (see `grondstof controls --date`)."
    )
    meta = {
        "query": {
            "importer": importer.code,
            "material": mat.id if mat else None,
            "controller": ctrl.iso3 if ctrl else None,
            "date": day.isoformat(),
            "last_full_year": cutoff,
        },
        "sources": store.cite("export_controls", *used),
        "measures": [
            {
                "id": m["id"],
                "country": m["country"],
                "materials": evaluated,
                "destination_scope": m["destination_scope"],
                "effective": m["effective"],
            }
            for m, evaluated in applicable
        ],
        "trade": [
            {
                "material": mat_id,
                "stage": stage,
                "source": plan.source,
                "classification": plan.choice.classification,
                "codes": list(plan.choice.codes),
                "basket": plan.choice.basket,
            }
            for (mat_id, stage), plan in plans.items()
        ],
        "units": {"value": "; ".join(f"{s}: {tr.currency(s)}" for s in used), "tonnes": "metric tonnes"},
        "notes": notes,
    }
    title = f"Exposure of {importer.name(lang)} to export controls in force on {day.isoformat()}"
    return Result(title, EXPOSURE_FIELDS, rows, meta)


def _evaluated(measure_materials: Sequence[str], wanted: Material | None) -> list[str]:
    """The materials to evaluate for one measure: all it lists, or the more specific match with ``wanted``."""
    if wanted is None:
        return list(measure_materials)
    registry = materials()
    out: list[str] = []
    for mid in measure_materials:
        if mid == wanted.id or mid in wanted.groups:
            pick = wanted.id  # the measure names a group containing the wanted material
        elif wanted.id in registry.get(mid).groups:
            pick = mid  # the wanted group contains the measure's material
        else:
            continue
        if pick not in out:
            out.append(pick)
    return out


def _plans(
    store: Any, wanted: set[tuple[str, str | None]], importer: Country | Group
) -> tuple[dict[tuple[str, str | None], Any], list[str]]:
    """The default trade plan (source, codes) per (material, stage), as ``grondstof imports`` chooses it."""
    from grondstof.indicators.dependency import plan_imports

    registry = materials()
    plans: dict[tuple[str, str | None], Any] = {}
    skipped: list[str] = []
    for stage in sorted({s for _, s in wanted}, key=lambda s: s or ""):
        mats = [registry.get(m) for m, s in sorted(wanted, key=lambda p: p[0]) if s == stage]
        try:
            found, missing = plan_imports(store, mats, [importer], None, None, stage)
        except InputError as exc:  # one material: plan_imports raises instead of skipping
            found, missing = [], [f"{mats[0].name()}: {exc.expected}"]
        for plan in found:
            plans[(plan.material.id, stage)] = plan
        where = f" ({stage} codes)" if stage else ""
        skipped.extend(f"No trade data{where} — {text}" for text in missing)
    return plans, skipped


def _series(
    store: Any,
    plans: dict[tuple[str, str | None], Any],
    importer: Country | Group,
    pairs: Sequence[tuple[dict[str, Any], str, str | None]],
    cutoff: int,
) -> tuple[dict[tuple[str, int], dict[str, Any]], dict[str, tuple[int, int]]]:
    """Imports by partner per (plan label, year) over the years the measures need, in one engine query."""
    from dataclasses import replace

    from grondstof.indicators import trade as tr

    if not plans:
        return {}, {}
    spans = {p.source: tr.year_span(store, p.source) or (0, 0) for p in plans.values()}
    firsts = [e.year - 1 for m, _, _ in pairs if (e := _effect(m)) is not None]
    lo = max(min(firsts, default=cutoff), min(s[0] for s in spans.values()))
    hi = min(cutoff, max(s[1] for s in spans.values()))
    if lo > hi:
        return {}, spans
    by_source: dict[str, list[Any]] = {}
    for (mat_id, stage), plan in plans.items():
        by_source.setdefault(plan.source, []).append(replace(plan.choice, material=_label(mat_id, stage)))
    flow = tr.flows(store, choices=by_source, importers=[importer], years=(lo, hi))
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for row in fetch(tr.partner_totals(flow)):
        cell = out.setdefault(
            (row["material"], int(row["year"])), {"total": 0.0, "tonnes_total": 0.0, "partners": {}}
        )
        cell["total"] += row["value"] or 0.0
        if row["tonnes"] is not None:
            cell["tonnes_total"] += row["tonnes"]
        cell["partners"][row["exporter"]] = (row["value"], row["tonnes"])
    return out, spans


def _label(mat_id: str, stage: str | None) -> str:
    return f"{mat_id}|{stage or ''}"


def _effect(measure: dict[str, Any]) -> dt.date | None:
    return measure.get("effective") or measure.get("announced")


def _exposure_rows(
    measure: dict[str, Any],
    mat_id: str,
    stage: str | None,
    plan: Any,
    series: dict[tuple[str, int], dict[str, Any]],
    spans: dict[str, tuple[int, int]],
    importer: Country | Group,
    cutoff: int,
    notes: list[str],
    lang: str,
) -> list[dict[str, Any]]:
    from grondstof.indicators import trade as tr

    effect = _effect(measure)
    assert effect is not None  # only measures in force reach here, and they have a date
    mat = materials().get(mat_id)
    span = spans.get(plan.source, (0, 0))
    before = effect.year - 1
    first, last = max(before, span[0]), min(cutoff, span[1])
    label = f"{measure['id']} / {mat.name(lang)}"
    if first > last:
        notes.append(
            f"{label}: in force from {effect.isoformat()}; {plan.source} covers {span[0]}–{span[1]} "
            f"(and the last full year before the date is {cutoff}), so no year around it has trade data."
        )
        return []
    if before < span[0]:
        notes.append(
            f"{label}: {plan.source} starts in {span[0]}, after the year before the measure ({before})."
        )
    rows = []
    cc = measure["country"]
    has_tonnes = plan.source != "comext_cn8"
    for year in range(first, last + 1):
        cell = series.get((_label(mat_id, stage), year))
        if year < effect.year:
            period = "before"
        elif year == effect.year and (effect.month, effect.day) != (1, 1):
            period = "year of effect"
        else:
            period = "after"
        if cell is None or not cell["total"]:
            notes.append(f"{label}: no imports recorded in {year} ({plan.source}).")
            value = total = share = tonnes = tonnes_share = None
        else:
            value, tonnes = cell["partners"].get(cc, (0.0, 0.0 if has_tonnes else None))
            value = value or 0.0
            total = cell["total"]
            share = value / total
            tonnes_share = (
                (tonnes / cell["tonnes_total"]) if tonnes is not None and cell["tonnes_total"] else None
            )
        rows.append(
            {
                "importer": importer.code,
                "importer_name": importer.name(lang),
                "measure": measure["id"],
                "controller": cc,
                "controller_name": country_name(cc, lang),
                "material": mat_id,
                "material_name": mat.name(lang),
                "year": year,
                "period": period,
                "share": share,
                "value": value,
                "total_value": total,
                "currency": tr.currency(plan.source),
                "tonnes": tonnes if has_tonnes else None,
                "tonnes_share": tonnes_share if has_tonnes else None,
                "source": plan.source,
                "codes": list(plan.choice.codes),
                "measure_type": measure["measure_type"],
                "effective": measure["effective"],
                "destination_scope": measure["destination_scope"],
                "measure_sources": measure["sources"],
            }
        )
    if plan.choice.basket:
        notes.append(f"{label}: the {plan.choice.classification} codes are a basket with other materials.")
    return rows
