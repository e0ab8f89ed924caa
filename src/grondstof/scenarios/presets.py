"""Cut-off presets: supplier cut-off scenarios filled in from the export-control timeline.

Each measure of the store table ``export_controls`` (transcribed from MOFCOM announcements and public
reporting, one row per measure) that restricts the export of goods becomes a preset with the same id, e.g.
``CN-2023-GaGe``. A preset fills in what the measure says:

* **supplier** — the country that imposed it (``country``);
* **materials** — the registry ids it touches (``materials``);
* **destination** — ``all`` for "all destinations", else the one targeted country ("United States only");
* **stage** — ``extraction`` for bans on raw ore or raw minerals, otherwise every stage the trade codes have.

Everything else is a scenario assumption with a stated default, overridable in the command or the file:

* **share** = 1.0 — the exports stop completely (licensing regimes let some through; a full stop is the
  upper bound the parliamentary question "what if the restrictions escalate?" asks about);
* **months** = the months from ``effective`` to ``ended`` when the measure ended or was replaced (DR Congo's
  cobalt ban: 22 Feb – 16 Oct 2025, 8 months), else 12;
* **baseline year** = the year before the measure took effect, so the scenario cuts the trade pattern the
  measure hit (CN-2023-GaGe: 2022). A material whose trade source lacks that year uses its latest year.

Measures on technology (``CN-2023-RETECH``) or on foreign-made goods (``CN-2025-RE-EXTRA``) and rows that
name no material are not presets: they do not stop a flow of the material itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from grondstof.errors import InputError
from grondstof.indicators._common import country_name, fetch
from grondstof.parameters import Lang, Params
from grondstof.registry._text import suggest
from grondstof.registry.countries import countries
from grondstof.registry.materials import materials
from grondstof.result import Field, Result
from grondstof.store import Store, open_store

DEFAULT_SHARE = 1.0
DEFAULT_MONTHS = 12
# Measure types that do not stop a flow of the material itself.
_NOT_A_CUT = ("technology", "extraterritorial")

PRESET_FIELDS = [
    Field("id", "Preset"),
    Field("supplier", "Supplier (ISO3)", show=False),
    Field("supplier_name", "Supplier"),
    Field("materials", "Materials", description="registry ids, `;`-separated in CSV"),
    Field("destination", "Destination", description="all, or the ISO3 code of the one targeted country"),
    Field("measure_type", "Measure"),
    Field("effective", "Effective", "date"),
    Field("ended", "Ended / suspended", "date"),
    Field("share", "Share cut", "share", description="default assumption; --share overrides"),
    Field("months", "Months", "number", description="default assumption; --months overrides"),
    Field("baseline_year", "Baseline year", "year", description="the year before the measure took effect"),
    Field("stage", "Stage", description="value-chain stage cut (empty: all stages of the trade codes)"),
    Field("status_note", "Status"),
]


@dataclass(frozen=True)
class Preset:
    """A cut-off scenario derived from one export-control measure (see the module docstring)."""

    id: str
    supplier: str
    materials: tuple[str, ...]
    destination: str
    measure_type: str
    effective: dt.date | None
    ended: dt.date | None
    share: float
    months: float
    baseline_year: int | None
    stage: str | None
    status_note: str
    scope: str

    def scenario(self) -> dict[str, Any]:
        """The scenario keys this preset fills in (see :class:`grondstof.scenarios.cutoff.CutoffSpec`)."""
        out: dict[str, Any] = {
            "materials": list(self.materials),
            "suppliers": [self.supplier],
            "destination": self.destination,
            "share": self.share,
            "months": self.months,
        }
        if self.stage:
            out["stage"] = self.stage
        return out


def _destination(text: str) -> str:
    """``all destinations`` -> ``all``; ``United States only`` -> ``USA``."""
    words = (text or "").strip()
    if not words or words.lower().startswith("all"):
        return "all"
    name = words.removesuffix(" only").strip()
    found = countries().lookup_name(name)
    return found.iso3 if found is not None else "all"


def _months(effective: dt.date | None, ended: dt.date | None) -> float:
    # A measure that ended (or was replaced) after it took effect lasted that long; one suspended before it
    # took effect (the October 2025 package) or still in force gets the default year.
    if effective is None or ended is None or ended <= effective:
        return float(DEFAULT_MONTHS)
    return float(max(1, round((ended - effective).days / (365.25 / 12))))


def _stage(measure_type: str, scope: str) -> str | None:
    text = f"{measure_type} {scope}".lower()
    return "extraction" if ("raw" in text or " ore" in text) else None


def presets(store: Store | None = None) -> list[Preset]:
    """Every cut-off preset of the store's export-control timeline, in the timeline's order."""
    store = store or open_store()
    table = store.table("export_controls")
    out = []
    for row in fetch(table):
        mats = tuple(m for m in (row["materials"] or []) if m)
        measure = row["measure_type"] or ""
        if not mats or any(word in measure.lower() for word in _NOT_A_CUT):
            continue
        effective = row["effective"]
        out.append(
            Preset(
                id=row["id"],
                supplier=row["country"],
                materials=mats,
                destination=_destination(row["destination_scope"]),
                measure_type=measure,
                effective=effective,
                ended=row["ended"],
                share=DEFAULT_SHARE,
                months=_months(effective, row["ended"]),
                baseline_year=effective.year - 1 if effective else None,
                stage=_stage(measure, row["scope"] or ""),
                status_note=row["status_note"] or "",
                scope=row["scope"] or "",
            )
        )
    return out


def get_preset(preset_id: str, store: Store | None = None, parameter: str = "preset") -> Preset:
    """The preset with this id (case-insensitive); InputError with suggestions for an unknown id."""
    known = presets(store)
    wanted = (preset_id or "").strip().casefold()
    for preset in known:
        if preset.id.casefold() == wanted:
            return preset
    ids = [p.id for p in known]
    raise InputError(
        parameter,
        preset_id,
        "a preset id from `grondstof scenario presets` (" + ", ".join(ids) + ")",
        suggest(preset_id or "", ids, n=3),
    )


class PresetsParams(Params):
    """Parameters of :func:`list_presets` (``grondstof scenario presets``, ``/api/v1/scenario/presets``)."""

    lang: Lang = "en"


def list_presets(store: Store | None = None, lang: str = "en") -> Result:
    """The cut-off presets as a table: supplier, materials, destination and the default assumptions."""
    store = store or open_store()
    rows = []
    for p in presets(store):
        rows.append(
            {
                "id": p.id,
                "supplier": p.supplier,
                "supplier_name": country_name(p.supplier, lang),
                "materials": [materials().get(m).name(lang) for m in p.materials],
                "destination": p.destination,
                "measure_type": p.measure_type,
                "effective": p.effective,
                "ended": p.ended,
                "share": p.share,
                "months": p.months,
                "baseline_year": p.baseline_year,
                "stage": p.stage,
                "status_note": p.status_note,
            }
        )
    meta = {
        "display": "records",
        "query": {},
        "sources": store.cite("export_controls"),
        "units": {"share": "fraction 0–1", "months": "months"},
        "notes": [
            "Supplier, materials, destination and stage come from the measure; share and months are "
            f"scenario assumptions: share {DEFAULT_SHARE:g} (a full stop), months from effective to "
            f"ended when the measure ended or was replaced, else {DEFAULT_MONTHS}.",
            "The baseline year is the year before the measure took effect (the trade pattern it hit).",
            "Technology-transfer and extraterritorial measures, and rows naming no material, are not "
            "presets.",
        ],
    }
    return Result("Supplier cut-off presets from the export-control timeline", PRESET_FIELDS, rows, meta)
