"""``grondstof scan``: a company's bill of materials, import records, product groups or a shipped product
template, scanned for raw-material supply risk.

The thin query layer over the kernels of :mod:`grondstof.scanner.kernel` (method and formulas there): it
reads the input (:mod:`grondstof.scanner.inputs`), takes every national and world figure from the existing
analyses in as few engine queries as it can, and labels each figure with its source, year and basis.

Company data stays private: the file is read from bytes in memory, never written, cached or logged, and
the result names it only by the label the caller gives (the web passes ``upload``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from grondstof.errors import InputError
from grondstof.parameters import PERIOD_PATTERN, Cli, CountryText, Lang, Params, Web, described
from grondstof.result import Field, Result
from grondstof.scanner import kernel
from grondstof.scanner.templates import template_ids

MAX_PRODUCT_PROFILES = 50  # products with a profile of their own (by material value); the firm covers all
SR_CRITICAL = 1.0  # EU supply-risk threshold of criticality (with EI ≥ 2.8)
PROCESSING = "processing"
# Measures that do not restrict exports of the material itself (technology transfer, foreign-made goods);
# the same words the cut-off presets leave out.
NOT_A_FLOW = ("technology", "extraterritorial")

FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("quantity_t", "Yearly need", "number", "t", "tonnes of the material per year (see quantity_basis)"),
    Field(
        "quantity_basis",
        "Quantity basis",
        show=False,
        description="content (the material itself), gross weight (no content factor cited) or basket",
    ),
    Field(
        "basket_gross_t",
        "Basket goods",
        "number",
        "t",
        "gross tonnes of import codes shared with other materials (not attributable to this one)",
        show=False,
    ),
    Field("content_factors", "Content factors", show=False, description="the factors applied, with how"),
    Field("products", "Products", show=False, description="products or groups that need it"),
    Field(
        "supplier_basis",
        "Suppliers from",
        description="own (the file names them), own + import pattern, import pattern (of the country), none",
    ),
    Field(
        "own_share",
        "Need with own supplier",
        "share",
        show=False,
        description="share of the need whose supplier the file names",
    ),
    Field("top_supplier", "Top supplier (ISO3)", show=False),
    Field("top_supplier_name", "Top supplier"),
    Field("top_supplier_share", "Top supplier share", "share"),
    Field("suppliers", "Supplier mix", show=False, description="ISO3 share; largest first"),
    Field("supplier_hhi", "Supplier HHI", "hhi", description="Σ s² of the supplier mix, 0–1"),
    Field("pattern_source", "Import pattern", show=False, description="trade source, year and codes used"),
    Field("world_hhi", "World production HHI", "hhi", description="World Mining Data (or USGS), 0–1"),
    Field("world_top_name", "Top producer", show=False),
    Field("world_top_share", "Top producer share", "share", show=False),
    Field("world_basis", "World production basis", show=False, description="source, year, stage"),
    Field(
        "geopolrisk_company",
        "GeoPolRisk (company)",
        "number",
        description="world HHI × Σ s_i g_i over the company's supplier mix, 0–1",
    ),
    Field(
        "geopolrisk_country",
        "GeoPolRisk (country)",
        "number",
        show=False,
        description="the importing country's GeoPolRisk score (geopolrisk-py method)",
    ),
    Field("geopolrisk_basis", "GeoPolRisk basis", show=False),
    Field("eu_sr", "EU supply risk", "number", description="published EU 2023 SR (critical at ≥ 1)"),
    Field("eu_ei", "EU economic importance", "number", show=False, description="published EU 2023 EI"),
    Field("eu_basis", "EU SR basis", show=False),
    Field("controls", "Export controls on date", description="measures in force on the date (ids)"),
    Field(
        "controlled_share",
        "Share under controls",
        "share",
        description="share of the supplier mix from countries with a control in force",
    ),
    Field("crma", "CRMA list", description="strategic, critical (or via its group), or not listed"),
    Field("price", "Price", "number", show=False, description="per tonne, in `currency`"),
    Field("price_unit", "Price unit", show=False),
    Field("price_source", "Price source", show=False),
    Field("price_year", "Price year", show=False),
    Field("value", "Yearly value", "money", description="quantity × price, in `currency`"),
    Field("value_at_risk", "Value at risk", "money", description="value × share under controls"),
    Field("currency", "Currency"),
    Field(
        "market_price_eur_t",
        "Market price (EUR/t)",
        "money",
        show=False,
        description="with --price-date: the material's market price per tonne at that date, in EUR",
    ),
    Field(
        "market_price",
        "Market price used",
        show=False,
        description="series, date, unit and rate; or why none",
    ),
    Field(
        "value_market_eur",
        "Yearly value at market price (EUR)",
        "money",
        show=False,
        description="quantity × market price (with --price-date)",
    ),
    Field(
        "value_at_risk_market_eur",
        "Value at risk at market price (EUR)",
        "money",
        show=False,
        description="value at market price × share under controls (with --price-date)",
    ),
    Field(
        "eol_rir",
        "Recycled input (EoL-RIR)",
        "share",
        show=False,
        description="end-of-life recycling input rate, EU 2023 study (SCRREEN)",
    ),
    Field(
        "alternatives",
        "Alternative suppliers",
        show=False,
        description="producers outside the current mix: ISO3 (world share, WGI)",
    ),
    Field("design_alternatives", "Design alternatives", show=False),
    Field(
        "flags", "Flags", show=False, description="what limits the figure (basket code, gross weight, proxy)"
    ),
]

PROFILE_FIELDS = [
    Field("scope", "Scope", description="firm (all inputs) or one product"),
    Field("indicator", "Indicator"),
    Field("value", "Value", "number"),
    Field("unit", "Unit"),
    Field("maximum", "Highest material figure", "number"),
    Field("maximum_material", "Highest for"),
    Field("counted", "Materials counted", "int"),
    Field("left_out", "Materials left out", description="no value in the main currency, or no figure"),
    Field("dominated_by", "Dominated by", description="largest contributions to the weighted sum"),
    Field("method", "Method", show=False),
]

PRESET_FIELDS = [
    Field("preset", "Preset"),
    Field("supplier_name", "Supplier"),
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("months", "Months", "number"),
    Field("need_t", "Yearly need", "number", "t"),
    Field("share_from_supplier", "Share from supplier", "share"),
    Field("lost_t", "Lost", "number", "t", "need × share cut × share from supplier × months/12"),
    Field("replaced_t", "Replaced", "number", "t", "at the national scenario's replacement rate"),
    Field("shortfall_t", "Shortfall", "number", "t"),
    Field("lost_value", "Lost (value)", "money", description="lost × price, in `currency`"),
    Field("currency", "Currency"),
    Field(
        "national_basis", "National scenario", show=False, description="source, year and basis of the cut-off"
    ),
]

OPTION_FIELDS = [
    Field("material", "Material (id)", show=False),
    Field("material_name", "Material"),
    Field("kind", "Option", description="alternative supplier, recycled content or design"),
    Field("option", "What"),
    Field("figure", "Figure", "number", show=False),
    Field("detail", "Detail"),
    Field("source", "Source", show=False),
]


class ScanParams(Params):
    """Parameters of :func:`scan` (``grondstof scan``, ``/api/v1/scan`` for templates, ``POST`` for files)."""

    source: Annotated[
        str | None,
        described(
            "A CSV or XLSX file (bill of materials, import records or product groups; see docs/scanner.md) "
            "or a shipped template name (grondstof scan --templates).",
            "Een CSV- of XLSX-bestand (stuklijst, invoerregels of productgroepen; zie docs/scanner.md) of de "
            "naam van een meegeleverd sjabloon (grondstof scan --templates).",
            max_length=1000,
        ),
        Cli(argument=True, path=True),
    ] = None
    template: Annotated[
        str | None,
        described(
            "A shipped product template by name (the web's way to scan without a file).",
            "Een meegeleverd productsjabloon (zo scant het web zonder bestand).",
            max_length=60,
        ),
        Web(choices=tuple(template_ids())),
    ] = None
    country: Annotated[
        CountryText,
        described(
            "The importing country whose import pattern and exposure count (code, name or EU27).",
            "Het importerende land waarvan het importpatroon en de blootstelling tellen (code, naam of "
            "EU27).",
            min_length=1,
            max_length=100,
        ),
    ] = "NL"
    quantity: Annotated[
        float,
        described(
            "Units of a template per year; for a file, a factor on every line.",
            "Aantal stuks van een sjabloon per jaar; bij een bestand een factor op elke regel.",
            ge=0,
            le=1e9,
        ),
    ] = 1.0
    date: Annotated[
        str | None,
        described(
            "YYYY-MM-DD: export controls in force on this day (default today).",
            "JJJJ-MM-DD: exportbeperkingen die op deze dag gelden (standaard vandaag).",
            max_length=10,
        ),
    ] = None
    price_date: Annotated[
        str | None,
        described(
            "A year (2024) or month (2022-03): also value each material at its market price then, in EUR "
            "(World Bank Pink Sheet or USGS; ECB annual rate).",
            "Een jaar (2024) of maand (2022-03): waardeer elk materiaal ook tegen de marktprijs van dat "
            "moment, in EUR (Wereldbank Pink Sheet of USGS; ECB-jaarkoers).",
            max_length=20,
            pattern=PERIOD_PATTERN,
        ),
    ] = None
    skip_bad_rows: Annotated[
        bool,
        described(
            "Scan the valid rows and list the bad ones instead of refusing the file.",
            "Scan de goede regels en toon de foute in plaats van het bestand te weigeren.",
        ),
    ] = False
    lang: Lang = "en"


class ScanTemplatesParams(Params):
    """Parameters of :func:`list_templates` (``grondstof scan --templates``, ``/api/v1/scan/templates``)."""

    lang: Lang = "en"


TEMPLATE_FIELDS = [
    Field("id", "Template"),
    Field("name", "Name"),
    Field("unit", "Unit", description="what --quantity counts"),
    Field("materials", "Materials", "int"),
    Field("assumed", "Assumed figures", "int", description="lines marked as assumptions"),
    Field("sources", "Sources", description="publications and store sources cited"),
    Field("description", "Description", show=False),
]


def list_templates(store: Any = None, lang: str = "en") -> Result:
    """The shipped product templates: what each counts, how many materials, figures assumed and sources."""
    from grondstof.scanner.templates import expand, templates
    from grondstof.store import open_store

    store = store or open_store()
    rows = []
    for template in templates():
        lines = [line for c in template.components for line in c.lines]
        expanded = expand(template, store)
        store_parts = [c for c in template.components if not c.lines]
        cited = sorted(template.sources) + sorted(
            {"iea_2021" if (c.intensity or c.ev_body) else "batpac" for c in store_parts}
        )
        rows.append(
            {
                "id": template.id,
                "name": template.display_name(lang),
                "unit": template.unit_nl if lang == "nl" else template.unit,
                "materials": len({line.material for line in expanded}),
                "assumed": sum(line.assumption for line in lines)
                + sum(1 for c in store_parts if c.battery is not None and c.battery.assumption),
                "sources": cited,
                "description": template.description,
            }
        )
    meta = {
        "query": {"lang": lang},
        "sources": [],
        "notes": [
            "Scan one with `grondstof scan <id> --quantity N` (N units per year). Figures from IEA 2021 and "
            "BatPac are read from the store; the others cite their publication in the template file.",
        ],
    }
    return Result("Product templates for grondstof scan", TEMPLATE_FIELDS, rows, meta)


# ---- the scan ------------------------------------------------------------------------------------------


@dataclass
class _Material:
    """Everything the scan knows about one material (filled step by step)."""

    id: str
    tonnes: float = 0.0
    basket_gross: float = 0.0
    bases: set[str] = field(default_factory=set)
    content: set[str] = field(default_factory=set)
    products: dict[str, float] = field(default_factory=dict)
    own: dict[str, float] = field(default_factory=dict)
    unnamed: float = 0.0
    own_value: dict[str, float] = field(default_factory=dict)
    valued: dict[str, float] = field(default_factory=dict)  # tonnes with an own value, by currency
    ore: dict[str, float] = field(default_factory=dict)  # tonnes bought as ores and concentrates, by origin


def _aggregate(needs: Iterable[Any]) -> dict[str, _Material]:
    out: dict[str, _Material] = {}
    for need in needs:
        mat = out.setdefault(need.material, _Material(need.material))
        mat.bases.add(need.basis)
        if need.content_how:
            mat.content.add(need.content_how)
        if need.basis == "basket":
            mat.basket_gross += need.gross_tonnes or 0.0
            if need.supplier:
                # A basket's origin still says where this company's goods come from.
                mat.own[need.supplier] = mat.own.get(need.supplier, 0.0) + (need.gross_tonnes or 0.0)
            continue
        tonnes = need.tonnes or 0.0
        mat.tonnes += tonnes
        mat.products[need.product] = mat.products.get(need.product, 0.0) + tonnes
        if need.supplier:
            mat.own[need.supplier] = mat.own.get(need.supplier, 0.0) + tonnes
            if need.stage == "extraction":
                mat.ore[need.supplier] = mat.ore.get(need.supplier, 0.0) + tonnes
        else:
            mat.unnamed += tonnes
        if need.value is not None and need.currency:
            mat.own_value[need.currency] = mat.own_value.get(need.currency, 0.0) + need.value
            mat.valued[need.currency] = mat.valued.get(need.currency, 0.0) + tonnes
    return out


def _read_source(source: str | Path, label: str | None) -> tuple[bytes | None, str, str]:
    """(file bytes or None for a template, label, template id) for a path or a template name."""
    path = Path(source)
    if path.is_file():
        from grondstof.scanner import limits

        size = path.stat().st_size
        if size > limits.MAX_UPLOAD_BYTES:
            raise limits.LimitError("MAX_UPLOAD_BYTES", f"{size:,} bytes", "file size in bytes")
        return path.read_bytes(), label or str(source), ""
    text = str(source)
    if any(sep in text for sep in ("/", "\\")) or path.suffix.lower() in (
        ".csv",
        ".xlsx",
        ".xls",
        ".xlsm",
        ".txt",
    ):
        raise InputError(
            "source", text, "an existing CSV or XLSX file, or a template (grondstof scan --templates)"
        )
    return None, label or text, text


def scan(
    source: str | Path | None = None,
    *,
    template: str | None = None,
    upload: bytes | None = None,
    label: str | None = None,
    country: str = "NL",
    quantity: float = 1.0,
    date: str | dt.date | None = None,
    price_date: str | None = None,
    skip_bad_rows: bool = False,
    store: Any = None,
    lang: str = "en",
) -> Result:
    """Scan a bill of materials, import records, product groups or a template for raw-material risk.

    Parameters
    ----------
    source:
        A CSV or XLSX file path, or a template name (:func:`list_templates`).
    template:
        A template by name (instead of ``source``).
    upload, label:
        The bytes of an uploaded file (the web) and how messages name it (``upload``); never written.
    country:
        The importing country (or ``EU27``) whose import pattern stands in for unnamed suppliers and whose
        exposure to export controls and cut-off presets counts.
    quantity:
        Units of a template per year, or a factor on every line of a file.
    date:
        Export controls in force on this day (``YYYY-MM-DD``, default today).
    price_date:
        A year or month: each material is also valued at its market price then (EUR per tonne of content,
        :func:`grondstof.indicators.prices.market_price`), beside the trade unit value, with the price
        used (or why there is none) on every row.
    skip_bad_rows:
        Scan the valid rows when some are malformed, listing the bad ones in ``meta["skipped_rows"]``;
        without it a file with bad rows raises :class:`~grondstof.scanner.readers.BadRowsError` listing all.

    Returns one row per material (yearly need, suppliers, concentration, GeoPolRisk, EU SR, controls,
    CRMA status, value and value at risk) and in ``meta``: ``profile`` (per firm and product, every part
    shown), ``presets`` (what each cut-off preset does to the need), ``options`` (alternative suppliers,
    recycled content, design alternatives), ``skipped_rows``, ``unmapped_codes`` and the sources. Method:
    :mod:`grondstof.scanner.kernel`.
    """
    from grondstof.indicators.exposure import parse_date
    from grondstof.registry.countries import countries
    from grondstof.scanner import inputs, readers
    from grondstof.store import open_store

    if lang not in ("en", "nl"):
        raise InputError("lang", lang, "en or nl")
    if quantity < 0 or quantity > 1e9:
        raise InputError("quantity", quantity, "a number ≥ 0 and ≤ 1,000,000,000")
    given = [x for x in (source, template, upload) if x is not None]
    if len(given) != 1:
        raise InputError(
            "source", None if not given else "several", "exactly one of a file, a template or an upload"
        )
    day = parse_date(date)
    if price_date is not None and not re.match(PERIOD_PATTERN, str(price_date)):
        raise InputError("price_date", price_date, "a year (2024) or a month (2022-03)")
    importer = countries().resolve_importer(country, parameter="country")
    store = store or open_store()
    if upload is not None:
        data, where, template_id = upload, label or "upload", ""
    elif template is not None:
        data, where, template_id = None, template, template
    else:
        data, where, template_id = _read_source(source, label)  # type: ignore[arg-type]
    if data is None:
        parsed = inputs.parse_template(template_id, store, quantity=quantity, lang=lang)
    else:
        table = readers.read_table(data, where)
        kind = readers.detect_kind(table)
        parsed = inputs.parse_table(table, kind, quantity=quantity, store=store)
        if parsed.problems and not skip_bad_rows:
            bad = {p.line for p in parsed.problems}
            raise readers.BadRowsError(where, parsed.problems, parsed.rows - len(bad))
    if not parsed.needs:
        if parsed.unmapped:
            codes = ", ".join(u["code"] for u in parsed.unmapped[:10])
            raise InputError("code", codes, "HS6 or CN8 codes the material registry maps (none of these is)")
        raise InputError("file", where, "at least one valid row with a material")
    return _Scan(parsed, importer, day, quantity, store, lang, where, price_date).result()


class _Scan:
    """One scan: the needs, the national figures fetched for their materials, and the assembled result."""

    def __init__(
        self,
        parsed: Any,
        importer: Any,
        day: dt.date,
        quantity: float,
        store: Any,
        lang: str,
        label: str,
        price_date: str | None = None,
    ) -> None:
        from grondstof.registry.materials import materials

        self.parsed, self.importer, self.day, self.quantity = parsed, importer, day, quantity
        self.store, self.lang, self.label = store, lang, label
        self.price_date = price_date
        self.registry = materials()
        self.mats = _aggregate(parsed.needs)
        self.ids = sorted(self.mats, key=lambda m: -self.mats[m].tonnes)
        self.notes: list[str] = list(parsed.notes)
        self.sources: set[str] = set()

    # ---- national and world figures (one query per analysis, for all materials) ----

    def _groups_of(self, material: str) -> list[str]:
        return [g for g in self.registry.get(material).groups if g]

    def _memo(self, kind: str, keys: Sequence[str], fetch: Any, *extra: Any) -> dict[str, Any]:
        """Figures per material from the national cache, fetching the missing ones in one batch."""
        scope = (str(getattr(self.store, "build_dir", id(self.store))), kind, self.lang, *extra)
        found, missing = NATIONAL.get(scope, keys)
        if missing:
            fetched = fetch(missing)
            NATIONAL.put(scope, {m: fetched.get(m) for m in missing})
            found.update(fetched)
        for value in found.values():
            if value and value.get("sources"):
                self.sources.update(value["sources"])
        return found

    def _own_price(self, material: str) -> tuple[float, str] | None:
        """The company's own unit value (its import values ÷ the tonnes they are for), in one currency, or
        None (no values, or values in several currencies). Basket lines carry neither tonnes nor values."""
        mat = self.mats[material]
        if len(mat.own_value) != 1:
            return None
        currency, value = next(iter(mat.own_value.items()))
        tonnes = mat.valued.get(currency, 0.0)
        return (value / tonnes, currency) if tonnes > 0 and value > 0 else None

    def _import_pattern(self) -> None:
        # The import pattern stands in for unnamed suppliers and gives the price; a material whose suppliers
        # and values the file gives in full needs neither.
        wanted = [
            m
            for m in self.ids
            if not self.registry.get(m).is_fuel
            and not (
                self.mats[m].unnamed == 0
                and self.mats[m].own
                and (self._own_price(m) is not None or self.mats[m].tonnes == 0)
            )
        ]
        found = self._memo("imports", wanted, self._fetch_imports, self.importer.code)
        self.pattern = {m: v["pattern"] for m, v in found.items() if v and v["pattern"]}
        self.pattern_basis = {
            m: v["basis"] if v else "no imports of the material in the trade data" for m, v in found.items()
        }
        for m in self.ids:
            self.pattern_basis.setdefault(m, "not needed: the file names every supplier and value")
        self.partner_rows = [row for v in found.values() if v for row in v["rows"]]
        self.price_source = {m: v["source"] for m, v in found.items() if v}

    def _fetch_imports(self, wanted: list[str]) -> dict[str, Any]:
        from grondstof.indicators.dependency import imports

        out: dict[str, Any] = {}
        left = list(wanted)
        for stage in (PROCESSING, None):
            if not left:
                break
            try:
                result = imports(left, self.importer, stage=stage, store=self.store, lang=self.lang)
            except InputError:
                continue
            found = {m["id"]: m for m in result.meta.get("materials", [])}
            cited = [s["id"] for s in result.meta.get("sources", [])]
            for mat_id, info in found.items():
                basket = " (basket code)" if info["basket"] else ""
                out[mat_id] = {
                    "pattern": {},
                    "rows": [],
                    "source": info["source"],
                    "sources": [c for c in cited if c == info["source"]],
                    "basis": f"{info['source']} {info['years'][1]}, {'/'.join(info['stages'])} codes "
                    f"{', '.join(info['codes'][:4])}{basket}, value shares",
                }
            for row in result.rows:
                entry = out.get(row["material"])
                if entry is not None and row["value_share"] is not None and row["partner"]:
                    entry["pattern"][row["partner"]] = row["value_share"]
                    entry["rows"].append(row)
            left = [m for m in left if m not in found]
        return out

    def _world(self) -> None:
        ids = list(dict.fromkeys([*self.ids, *(g for m in self.ids for g in self._groups_of(m))]))
        found = self._memo("world", ids, self._fetch_world)
        self.world = {m: v["row"] for m, v in found.items() if v}
        self.producers = {m: v["producers"] for m, v in found.items() if v}

    def _fetch_world(self, ids: list[str]) -> dict[str, Any]:
        """World production per material: the latest year (processing preferred), its producers and HHI.

        One call of :func:`grondstof.indicators.supply.supply` by country; the HHI and top producer of the
        chosen year and stage follow from its shares (HHI = Σ share², as ``supply --by year`` gives it).
        """
        from grondstof.indicators.supply import supply

        try:
            by_country = supply(ids, store=self.store, lang=self.lang)
        except InputError:
            return {}
        cited = [s["id"] for s in by_country.meta.get("sources", [])]
        groups: dict[tuple[str, int, str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in by_country.rows:
            if row["share"] is not None:
                groups[(row["material"], row["year"], row["stage"], row["source"])].append(row)
        out: dict[str, Any] = {}
        for (material, year, stage, source), producers in groups.items():
            current = out.get(material)
            if current is not None and (current["row"]["year"], current["row"]["stage"] == PROCESSING) >= (
                year,
                stage == PROCESSING,
            ):
                continue
            top = max(producers, key=lambda r: r["share"])
            out[material] = {
                "row": {
                    "material": material,
                    "year": year,
                    "stage": stage,
                    "source": source,
                    "hhi": kernel.hhi(r["share"] for r in producers),
                    "top_country_name": top["country_name"],
                    "top_share": top["share"],
                },
                "producers": producers,
                "sources": [c for c in cited if c == source] or cited,
            }
        return out

    def _world_for(self, material: str) -> tuple[dict[str, Any] | None, str | None]:
        if material in self.world:
            return self.world[material], None
        for group in self._groups_of(material):
            if group in self.world:
                return self.world[group], group
        return None, None

    def _risk(self) -> None:
        ids = list(dict.fromkeys([*self.ids, *(g for m in self.ids for g in self._groups_of(m))]))
        self.gpr = {
            m: v["row"]
            for m, v in self._memo("geopolrisk", ids, self._fetch_geopolrisk, self.importer.code).items()
            if v
        }
        self.eu = {m: v["row"] for m, v in self._memo("eu_sr", ids, self._fetch_eu).items() if v}

    def _fetch_geopolrisk(self, ids: list[str]) -> dict[str, Any]:
        from grondstof.indicators.geopolrisk import geopolrisk

        try:
            result = geopolrisk(ids, self.importer, store=self.store, lang=self.lang)
        except InputError:
            return {}
        cited = [s["id"] for s in result.meta.get("sources", [])]
        out: dict[str, Any] = {}
        for row in result.rows:
            if row["score"] is not None and row["material"] not in out:
                out[row["material"]] = {"row": row, "sources": cited}
        return out

    def _fetch_eu(self, ids: list[str]) -> dict[str, Any]:
        from grondstof.indicators.eu_supply_risk import eu_supply_risk

        try:
            result = eu_supply_risk(ids, store=self.store, lang=self.lang)
        except InputError:
            return {}
        cited = [s["id"] for s in result.meta.get("sources", [])]
        out: dict[str, Any] = {}
        for row in result.rows:
            if row["sr_published"] is not None and row["material"] not in out:
                out[row["material"]] = {"row": row, "sources": cited}
        return out

    def _governance(self) -> None:
        key = (str(getattr(self.store, "build_dir", id(self.store))), "governance")
        cached = NATIONAL.whole.get(key)
        if cached is None:
            cached = self._fetch_governance()
            NATIONAL.whole[key] = cached
        self.pv_year, self.pv, self.wgi_year, self.wgi, self.eol = cached
        self.sources.update({"wgi_pv", "wgi", "geopolrisk_hs_map"})

    def _fetch_governance(self) -> tuple[Any, ...]:
        from grondstof.indicators._common import fetch

        table = self.store.table("governance")
        pv = table.filter(table.source == "wgi_pv")
        pv_year = fetch(pv.aggregate(year=pv.year.max()))[0]["year"]
        estimates = {
            r["country"]: r["estimate"]
            for r in fetch(pv.filter(pv.year == pv_year).select("country", "estimate"))
        }
        six = table.filter(table.source == "wgi")
        wgi_year = fetch(six.aggregate(year=six.year.max()))[0]["year"]
        grouped = six.filter(six.year == wgi_year).group_by("country").aggregate(mean=six.estimate.mean())
        wgi = {r["country"]: r["mean"] for r in fetch(grouped)}
        hs_map = self.store.table("geopolrisk_hs_map")
        eol: dict[str, float] = {}
        for row in fetch(hs_map.select("material", "eol_rir")):
            if row["material"] and row["eol_rir"] is not None:
                eol.setdefault(row["material"], float(row["eol_rir"]))
        return pv_year, estimates, wgi_year, wgi, eol

    def _controls(self) -> None:
        from grondstof.indicators.exposure import controls, related

        result = controls(date=self.day, store=self.store, lang=self.lang)
        self.sources.add("export_controls")
        self.active: dict[str, list[tuple[str, str]]] = defaultdict(list)
        members = set(self.importer.members)
        self.other_measures: dict[str, list[str]] = defaultdict(list)
        for row in result.rows:
            if row["status"] != "active" or not _applies(row["destination_scope"], members):
                continue
            if any(word in (row["measure_type"] or "").lower() for word in NOT_A_FLOW):
                for mat_id in self.ids:
                    if any(related(mat_id, m) for m in row["materials"]):
                        self.other_measures[mat_id].append(row["id"])
                continue
            for mat_id in self.ids:
                if any(related(mat_id, m) for m in row["materials"]):
                    self.active[mat_id].append((row["id"], row["country"]))

    # ---- per material ----

    def _mix(self, material: str) -> tuple[dict[str, float], float, str]:
        mat = self.mats[material]
        pattern = self.pattern.get(material)
        mix, weight = kernel.mix_suppliers(mat.own, mat.unnamed, pattern)
        if not mix:
            basis = "none"
        elif weight >= 0.9999:
            basis = "own"
        elif weight > 0:
            basis = "own + import pattern" if pattern else "own (part of the need)"
        else:
            basis = "import pattern"
        return mix, weight, basis

    def _crma(self, material: str) -> str:
        mat = self.registry.get(material)
        if mat.crma_strategic:
            return "strategic"
        if mat.crma_critical:
            return "critical"
        for group in self._groups_of(material):
            g = self.registry.get(group)
            if g.crma_strategic:
                return f"strategic (as {g.name(self.lang)})"
            if g.crma_critical:
                return f"critical (as {g.name(self.lang)})"
        return "not listed"

    def _eu_for(self, material: str) -> tuple[dict[str, Any] | None, str]:
        if material in self.eu:
            return self.eu[material], "EU 2023 assessment"
        for group in self._groups_of(material):
            if group in self.eu:
                return self.eu[group], f"EU 2023 assessment of {self.registry.get(group).name(self.lang)}"
        return None, "not assessed by the EU 2023 study"

    def _gpr_for(self, material: str) -> tuple[dict[str, Any] | None, str]:
        if material in self.gpr:
            row = self.gpr[material]
            return row, f"{row['commodity']} {row['year']}"
        for group in self._groups_of(material):
            if group in self.gpr:
                row = self.gpr[group]
                return (
                    row,
                    f"proxy: {row['commodity']} {row['year']} ({self.registry.get(group).name(self.lang)})",
                )
        return None, "not mapped by GeoPolRisk"

    def _market(self, material: str, quantity: float | None) -> tuple[float | None, str | None]:
        """The market price in EUR per tonne at ``price_date`` and its label (or why there is none)."""
        if self.price_date is None:
            return None, None
        if quantity is None:
            return None, "no market value: the goods are in a code shared with other materials"
        from grondstof.indicators.prices import market_price

        found, why = market_price(self.store, material, self.price_date)
        if found is None:
            return None, why
        self.sources.add(found.source)
        # The series prices its own product (a metal, or a compound such as a carbonate or an amorphous
        # grade); the need is tonnes of content, so say so on the figure.
        return (
            found.eur_per_t,
            f"{found.label}; per tonne of the priced product, applied to tonnes of content",
        )

    def _material_row(self, material: str) -> dict[str, Any]:
        from grondstof.indicators._common import country_name
        from grondstof.scanner.prices import Price, price_of

        mat = self.mats[material]
        reg = self.registry.get(material)
        mix, weight, basis = self._mix(material)
        top = kernel.top_shares(mix, 1)
        world, proxy = self._world_for(material)
        flags = []
        if "basket" in mat.bases:
            flags.append("import code shared with other materials (basket): tonnes not attributable")
        if "gross" in mat.bases:
            flags.append("gross weight of the goods (no content factor cited)")
        if proxy:
            flags.append(f"world production of {self.registry.get(proxy).name(self.lang)} (proxy)")
        if self.other_measures.get(material):
            flags.append(
                "also under measures on technology or foreign-made goods: "
                + ", ".join(self.other_measures[material])
                + " (not counted as export controls)"
            )
        if basis.startswith("own +") or basis == "import pattern":
            if "basket" in self.pattern_basis.get(material, ""):
                flags.append("import pattern from a basket code")
        gpr_row, gpr_basis = self._gpr_for(material)
        eu_row, eu_basis = self._eu_for(material)
        controls = self.active.get(material, [])
        controlled = kernel.controlled_share(mix, {country for _, country in controls})
        quantity = mat.tonnes if mat.tonnes > 0 or not mat.basket_gross else None
        own = self._own_price(material)
        price = None
        if own is not None:
            # The company's own purchase values are the better price: what it paid, in its currency.
            price = Price(
                own[0],
                f"{own[1]}/t",
                own[1],
                "the company's own import values ÷ tonnes",
                "",
                "per tonne as the file states the goods",
            )
        else:
            price = price_of(
                material,
                self.partner_rows,
                importer=self.importer.name(self.lang),
                source=self.price_source.get(material, ""),
            )
        value = quantity * price.value if price is not None and quantity is not None else None
        market_eur_t, market_label = self._market(material, quantity)
        market_value = quantity * market_eur_t if market_eur_t is not None and quantity is not None else None
        world_hhi = world["hhi"] if world else None
        row = {
            "material": material,
            "material_name": reg.name(self.lang),
            "quantity_t": quantity,
            "quantity_basis": "; ".join(sorted(mat.bases)),
            "basket_gross_t": mat.basket_gross or None,
            "content_factors": "; ".join(sorted(mat.content)) or None,
            "products": sorted(mat.products, key=lambda p: -mat.products[p])[:20],
            "supplier_basis": basis,
            "own_share": weight if mix else None,
            "top_supplier": top[0][0] if top else None,
            "top_supplier_name": country_name(top[0][0], self.lang) if top else None,
            "top_supplier_share": top[0][1] if top else None,
            "suppliers": "; ".join(f"{c} {s:.3f}" for c, s in kernel.top_shares(mix, 8)) or None,
            "supplier_hhi": kernel.hhi(mix.values()),
            "pattern_source": self.pattern_basis.get(material),
            "world_hhi": world_hhi,
            "world_top_name": world["top_country_name"] if world else None,
            "world_top_share": world["top_share"] if world else None,
            "world_basis": f"{world['source']} {world['year']}, {world['stage']}"
            if world
            else "no production data",
            "geopolrisk_company": kernel.company_geopolrisk(world_hhi, mix, self.pv),
            "geopolrisk_country": gpr_row["score"] if gpr_row else None,
            "geopolrisk_basis": gpr_basis,
            "eu_sr": eu_row["sr_published"] if eu_row else None,
            "eu_ei": eu_row["ei_published"] if eu_row else None,
            "eu_basis": eu_basis,
            "controls": [m for m, _ in controls],
            "controlled_share": controlled,
            "crma": self._crma(material),
            "price": price.value if price else None,
            "price_unit": price.unit if price else None,
            "price_source": f"{price.source}; {price.basis}"
            if price
            else "no value: the goods are in a code shared with other materials"
            if quantity is None
            else "no price: no import tonnes in the data",
            "price_year": (price.date or None) if price else None,
            "value": value,
            "value_at_risk": value * controlled if value is not None and controlled is not None else None,
            "currency": price.currency if price else None,
            "market_price_eur_t": market_eur_t,
            "market_price": market_label,
            "value_market_eur": market_value,
            "value_at_risk_market_eur": market_value * controlled
            if market_value is not None and controlled is not None
            else None,
            "eol_rir": self.eol.get(material),
            "alternatives": None,
            "design_alternatives": None,
            "flags": "; ".join(flags) or None,
        }
        row["_mix"] = mix
        return row

    # ---- presets ----

    def _presets(self, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        from grondstof.indicators._common import country_name
        from grondstof.scenarios.presets import presets

        out: list[dict[str, Any]] = []
        members = set(self.importer.members)
        hit: list[tuple[Any, list[str]]] = []
        for preset in presets(self.store):
            touched = [m for m in self.ids if m in preset.materials and self.mats[m].tonnes > 0]
            if not touched:
                continue
            if preset.destination != "all" and preset.destination not in members:
                self.notes.append(
                    f"Preset {preset.id} applies to {preset.destination} only, not to "
                    f"{self.importer.name(self.lang)}."
                )
                continue
            hit.append((preset, touched))
        # The national scenario is needed only where the company buys from the preset's supplier. Its
        # replacement rate is taken from the latest trade year (the company's need is today's), so presets of
        # one supplier, stage, destination and share cut share one run of the cut-off.
        runs: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for preset, touched in hit:
            for material in touched:
                if self._share_hit(preset, material, rows[material]) > 0:
                    runs[_run_key(preset)].append(material)
        national: dict[tuple[Any, ...], Any] = {}
        for key, materials in runs.items():
            found = self._memo(
                "cutoff", list(dict.fromkeys(materials)), self._cutoff_fetcher(key), self.importer.code, key
            )
            for material, value in found.items():
                national[(*key, material)] = (value["row"], value["basis"]) if value else (None, "")
        for preset, touched in hit:
            for material in touched:
                row = rows[material]
                share = self._share_hit(preset, material, row)
                nat, basis = national.get((*_run_key(preset), material), (None, ""))
                effect = kernel.preset_effect(
                    self.mats[material].tonnes,
                    share,
                    preset.share,
                    preset.months,
                    nat["lost_share"] if nat else (0.0 if share == 0 else None),
                    nat["shortfall_share"] if nat else (0.0 if share == 0 else None),
                )
                if nat and nat["lost_share"] is not None:
                    basis = (
                        f"{nat['source']} {nat['year']}, {nat['basis']}: national loss "
                        f"{nat['lost_share']:.1%}, shortfall {nat['shortfall_share']:.1%}"
                    )
                elif share == 0 and preset.stage == "extraction" and row["_mix"].get(preset.supplier):
                    basis = (
                        "the measure stops exports of ores and raw minerals; the company buys the material "
                        "processed (its supplier mix is of refined material or products), so nothing is lost "
                        "directly (effects through refiners abroad are not modelled)"
                    )
                elif share == 0:
                    basis = "no supply from this supplier in the mix: nothing lost"
                out.append(
                    {
                        "preset": preset.id,
                        "supplier": preset.supplier,
                        "supplier_name": country_name(preset.supplier, self.lang),
                        "material": material,
                        "material_name": row["material_name"],
                        "months": preset.months,
                        "need_t": self.mats[material].tonnes,
                        "share_from_supplier": share,
                        "lost_t": effect.lost,
                        "replaced_t": effect.replaced,
                        "shortfall_t": effect.shortfall,
                        "lost_value": effect.lost * row["price"] if row["price"] is not None else None,
                        "currency": row["currency"] if row["price"] is not None else None,
                        "national_basis": basis or "no national scenario row",
                    }
                )
        return out

    def _share_hit(self, preset: Any, material: str, row: dict[str, Any]) -> float:
        """The share of the need a preset's measure reaches: the supplier's share of the mix; for a measure
        on raw ores (stage extraction) only the tonnes the company imports as ores from that supplier."""
        if preset.stage != "extraction":
            return float(row["_mix"].get(preset.supplier, 0.0))
        mat = self.mats[material]
        return mat.ore.get(preset.supplier, 0.0) / mat.tonnes if mat.tonnes > 0 else 0.0

    def _cutoff_fetcher(self, key: tuple[Any, ...]) -> Any:
        """A fetch function for the importer's rows of one national cut-off run (supplier, stage, ...)."""

        def fetch(materials: list[str]) -> dict[str, Any]:
            from grondstof.scenarios.cutoff import cutoff

            supplier, stage, destination, share = key
            try:
                result = cutoff(
                    materials,
                    [supplier],
                    self.importer.code,
                    share=share,
                    destination=destination,
                    stage=stage,
                    store=self.store,
                    lang=self.lang,
                )
            except InputError as exc:
                basis = f"national scenario not available: {exc.expected[:120]}"
                return {m: {"row": None, "basis": basis, "sources": []} for m in materials}
            cited = [s["id"] for s in result.meta.get("sources", [])]
            return {
                row["material"]: {"row": row, "basis": "", "sources": cited}
                for row in result.rows
                if row["scope"] == "importer"
            }

        return fetch

    # ---- options ----

    def _options(self, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:

        out: list[dict[str, Any]] = []
        for material in self.ids:
            row = rows[material]
            name = row["material_name"]
            mix = row["_mix"]
            controlled = {c for _, c in self.active.get(material, [])}
            _, proxy = self._world_for(material)
            producers = self.producers.get(proxy or material, [])
            current = {c for c, s in mix.items() if s >= 0.05}
            picks = [
                p
                for p in sorted(producers, key=lambda p: -(p["share"] or 0))
                if p["country"] not in current and p["country"] not in controlled and (p["share"] or 0) > 0
            ][:3]
            texts = []
            for p in picks:
                wgi = self.wgi.get(p["country"])
                where = f"{p['share']:.1%} of world {p['stage']} ({p['source']} {p['year']})"
                out.append(
                    {
                        "material": material,
                        "material_name": name,
                        "kind": "alternative supplier",
                        "option": p["country_name"],
                        "figure": p["share"],
                        "detail": f"{where}; governance WGI {wgi:+.2f} (mean of six, {self.wgi_year})"
                        if wgi is not None
                        else f"{where}; no WGI value",
                        "source": f"{p['source']}; wgi",
                    }
                )
                texts.append(
                    f"{p['country']} ({p['share']:.0%}, WGI {wgi:+.1f})"
                    if wgi is not None
                    else f"{p['country']} ({p['share']:.0%})"
                )
            row["alternatives"] = "; ".join(texts) or None
            eol = self.eol.get(material)
            if eol is not None:
                out.append(
                    {
                        "material": material,
                        "material_name": name,
                        "kind": "recycled content",
                        "option": f"end-of-life recycling input rate today {eol:.0%}; CRMA benchmark 25 % "
                        "recycling capacity by 2030",
                        "figure": eol,
                        "detail": f"{self.mats[material].tonnes * eol:,.3g} t of the yearly need at today's "
                        "rate could come from recycled material"
                        if self.mats[material].tonnes
                        else "",
                        "source": "geopolrisk_hs_map (EU 2023 / SCRREEN EoL-RIR); crma",
                    }
                )
        out.extend(self._design_options(rows))
        return out

    def _design_options(self, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        from grondstof.scanner.design import design_options

        options = design_options(self.parsed, self.mats, self.store, self.quantity, self.lang)
        by_material: dict[str, list[str]] = defaultdict(list)
        for option in options:
            if option["material"] in rows:
                by_material[option["material"]].append(option["option"])
                option["material_name"] = rows[option["material"]]["material_name"]
        for material, texts in by_material.items():
            rows[material]["design_alternatives"] = "; ".join(dict.fromkeys(texts))
        return [o for o in options if o["material"] in rows]

    # ---- profile ----

    def _profile(self, rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        scopes: list[tuple[str, dict[str, float]]] = [("firm", {m: self.mats[m].tonnes for m in self.ids})]
        products: dict[str, dict[str, float]] = defaultdict(dict)
        for material in self.ids:
            for product, tonnes in self.mats[material].products.items():
                products[product][material] = tonnes
        if len(products) > 1:
            ranked = sorted(products.items(), key=lambda kv: -self._scope_value(kv[1], rows))
            scopes.extend((f"product: {p}", q) for p, q in ranked[:MAX_PRODUCT_PROFILES])
            if len(ranked) > MAX_PRODUCT_PROFILES:
                self.notes.append(
                    f"Risk profiles are given for the {MAX_PRODUCT_PROFILES} products with the highest "
                    f"material value of {len(ranked)}; the firm profile covers all of them."
                )
        out = []
        for scope, quantities in scopes:
            out.extend(self._scope_profile(scope, quantities, rows))
        return out

    def _scope_value(self, quantities: dict[str, float], rows: dict[str, dict[str, Any]]) -> float:
        return sum(q * (rows[m]["price"] or 0.0) for m, q in quantities.items())

    def _scope_profile(
        self, scope: str, quantities: dict[str, float], rows: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        values: dict[str, dict[str, float]] = defaultdict(dict)
        for material, tonnes in quantities.items():
            row = rows[material]
            if row["price"] is not None and row["currency"]:
                values[row["currency"]][material] = tonnes * row["price"]
            elif row["value"] is not None and row["currency"] and scope == "firm":
                values[row["currency"]][material] = row["value"]
        main = max(values, key=lambda c: sum(values[c].values())) if values else None
        weights = values.get(main, {}) if main else {}
        names = {m: rows[m]["material_name"] for m in quantities}
        out = [
            {
                "scope": scope,
                "indicator": "yearly need",
                "value": sum(quantities.values()),
                "unit": "t (all materials)",
                "maximum": max(quantities.values()) if quantities else None,
                "maximum_material": names[max(quantities, key=lambda k: quantities[k])]
                if quantities
                else None,
                "counted": len(quantities),
                "left_out": None,
                "dominated_by": _dominant([(names[m], q) for m, q in quantities.items()]),
                "method": "sum of tonnes of every material (a mass, not a risk)",
            }
        ]

        def money_row(indicator: str, parts: dict[str, float], unit: str, method: str) -> None:
            """A profile row summing ``parts`` (material -> money) in one currency, if there are any."""
            if not parts:
                return
            top = max(parts, key=lambda k: parts[k])
            out.append(
                {
                    "scope": scope,
                    "indicator": indicator,
                    "value": sum(parts.values()),
                    "unit": unit,
                    "maximum": parts[top],
                    "maximum_material": names[top],
                    "counted": len(parts),
                    "left_out": ", ".join(names[m] for m in quantities if m not in parts) or None,
                    "dominated_by": _dominant([(names[m], v) for m, v in parts.items()]),
                    "method": method,
                }
            )

        def under_controls(parts: dict[str, float]) -> dict[str, float]:
            share = {m: rows[m]["controlled_share"] for m in parts}
            return {m: v * share[m] for m, v in parts.items() if share[m] is not None}

        for currency, parts in sorted(values.items()):
            money_row(
                "yearly value",
                parts,
                currency,
                f"Σ tonnes × price over materials priced in {currency} (currencies never added)",
            )
            money_row(
                "value at risk",
                under_controls(parts),
                currency,
                f"Σ value × share under export controls, materials priced in {currency}",
            )
        market = {
            m: tonnes * rows[m]["market_price_eur_t"]
            for m, tonnes in quantities.items()
            if rows[m]["market_price_eur_t"] is not None
        }
        at = f"at {self.price_date} (EUR; see market_price per material)"
        money_row("yearly value at market price", market, "EUR", f"Σ tonnes × market price {at}")
        money_row(
            "value at risk at market price",
            under_controls(market),
            "EUR",
            f"Σ value at market price × share under controls {at}",
        )
        indicators = (
            ("supplier HHI", "supplier_hhi", "0–1"),
            ("GeoPolRisk (company)", "geopolrisk_company", "0–1"),
            ("EU supply risk", "eu_sr", "EU score"),
            ("share under export controls", "controlled_share", "share"),
        )
        for label, key, unit in indicators:
            items = [(m, weights.get(m), rows[m][key]) for m in quantities]
            figure = kernel.weighted_figure(items)
            out.append(
                {
                    "scope": scope,
                    "indicator": label,
                    "value": figure.mean,
                    "unit": unit,
                    "maximum": figure.maximum,
                    "maximum_material": names.get(figure.maximum_material)
                    if figure.maximum_material
                    else None,
                    "counted": figure.counted,
                    "left_out": ", ".join(names[m] for m in figure.left_out) or None,
                    "dominated_by": "; ".join(
                        f"{names[c.material]} {c.share:.0%}" for c in figure.contributions[:3]
                    )
                    or None,
                    "method": f"value-weighted mean Σ v·x / Σ v over materials with a value in {main} and a "
                    "figure; contributions v·x / Σ v·x"
                    if main
                    else "no material has a value: no weights",
                }
            )
        if weights:
            total = sum(weights.values())
            for label, test in (
                ("value in EU-critical materials (SR ≥ 1)", lambda r: (r["eu_sr"] or 0) >= SR_CRITICAL),
                ("value in CRMA strategic materials", lambda r: r["crma"].startswith("strategic")),
                ("value under export controls", lambda r: bool(r["controls"])),
            ):
                hit = {m: v for m, v in weights.items() if test(rows[m])}
                out.append(
                    {
                        "scope": scope,
                        "indicator": label,
                        "value": sum(hit.values()) / total,
                        "unit": f"share of {main} value",
                        "maximum": None,
                        "maximum_material": None,
                        "counted": len(hit),
                        "left_out": ", ".join(names[m] for m in quantities if m not in weights) or None,
                        "dominated_by": _dominant([(names[m], v) for m, v in hit.items()]),
                        "method": f"Σ value of the materials that qualify / Σ value, in {main}",
                    }
                )
        return out

    # ---- assembly ----

    def result(self) -> Result:
        self._import_pattern()
        self._world()
        self._risk()
        self._governance()
        self._controls()
        rows = {m: self._material_row(m) for m in self.ids}
        presets = self._presets(rows)
        options = self._options(rows)
        profile = self._profile(rows)
        ordered = sorted(
            rows.values(),
            key=lambda r: (-(r["value"] or 0.0) if r["currency"] else 0.0, -(r["quantity_t"] or 0.0)),
        )
        for row in ordered:
            row.pop("_mix", None)
        return Result(self._title(), FIELDS, ordered, self._meta(profile, presets, options))

    def _title(self) -> str:
        who = self.importer.name(self.lang)
        if self.parsed.kind == "template":
            product = self.parsed.needs[0].product
            return f"Raw-material scan: {self.quantity:g} × {product} per year, supplied via {who}"
        from grondstof.scanner.readers import KIND_TITLES

        return f"Raw-material scan of {KIND_TITLES[self.parsed.kind]} ({self.label}), importing country {who}"

    def _meta(
        self, profile: list[dict[str, Any]], presets: list[dict[str, Any]], options: list[dict[str, Any]]
    ) -> dict[str, Any]:
        from grondstof.scanner.readers import KIND_TITLES

        skipped = [p.as_dict() for p in self.parsed.problems]
        notes = list(self.notes)
        if skipped:
            notes.insert(
                0,
                f"{len(skipped)} bad row(s) were left out (skip_bad_rows); they are listed in skipped_rows.",
            )
        if self.parsed.unmapped:
            codes = ", ".join(
                f"{u['code']} ({u['line_count']} line(s), {u['tonnes']:,.3g} t)"
                for u in self.parsed.unmapped[:10]
            )
            notes.append(f"Codes the material registry does not map (named, not dropped): {codes}.")
        notes.extend(
            [
                "Suppliers: where the file names none, the importing country's import pattern (value "
                "shares of "
                "its imports by partner, latest year, processing-stage codes where the trade data has them) "
                "stands in; see supplier_basis and pattern_source per material.",
                "Value = yearly need × price; the price is the company's own unit value where the file gives "
                "values for all its tonnes of a material (import records), else the trade unit value of the "
                "country's imports "
                "(value ÷ tonnes, per tonne of traded goods), in the trade source's currency and year. "
                "Currencies are never added; the profile totals per currency.",
                "Value at risk = value × share of the supplier mix from countries with an export control "
                f"on the material in force on {self.day.isoformat()} that applies to "
                f"{self.importer.name(self.lang)}.",
                "GeoPolRisk (company) = world production HHI × Σ s_i g_i over the company's supplier mix "
                f"with g = (2.5 − WGI-PV)/5 clipped to 0–1 (WGI-PV {self.pv_year}; 0.5 without a value).",
                "EU supply risk: the published 2023 SR of the material, or of its group (LREE, HREE, PGM).",
                "Cut-off presets: the company's loss = need × share cut × its share from the preset's "
                "supplier × months/12; replaced at the national scenario's rate for the importing country in "
                "the latest trade year (the company's need is today's, not the preset's baseline year).",
            ]
        )
        citations = list(self.parsed.citations)
        store_sources = self.store.cite(*sorted(self.sources)) if self.sources else []
        return {
            "query": {
                "input": KIND_TITLES.get(self.parsed.kind, "product template"),
                "label": self.label,
                "country": self.importer.code,
                "quantity": self.quantity,
                "date": self.day.isoformat(),
                "lang": self.lang,
            },
            "input": {
                "kind": self.parsed.kind,
                "rows": self.parsed.rows,
                "needs": len(self.parsed.needs),
                "materials": len(self.ids),
                "products": len({n.product for n in self.parsed.needs}),
                "skipped_rows": len(skipped),
            },
            "sources": store_sources + citations,
            "units": {
                "quantity_t": "tonnes of the material per year (content; see quantity_basis)",
                "value, value_at_risk": "in `currency` per year (never added across currencies)",
                "hhi, geopolrisk": "0–1",
                "eu_sr": "EU methodology score (critical at ≥ 1 with EI ≥ 2.8)",
                "shares": "fraction 0–1",
            },
            "profile": profile,
            "profile_fields": {f.name: f.as_meta() for f in PROFILE_FIELDS},
            "presets": presets,
            "preset_fields": {f.name: f.as_meta() for f in PRESET_FIELDS},
            "options": options,
            "option_fields": {f.name: f.as_meta() for f in OPTION_FIELDS},
            "skipped_rows": skipped,
            "unmapped_codes": self.parsed.unmapped,
            "notes": notes,
        }


class NationalCache:
    """National and world figures per material, kept between scans in one process (the server).

    Entries are facts about a material for an importer and a store build (its import pattern, world
    production, risk scores, cut-off rows), never anything of a company's file: a scan of another file that
    names the same material reuses them. At most ``size`` entries; the oldest go first.
    """

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.whole: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get(self, scope: tuple[Any, ...], keys: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
        """(cached values, missing keys) for the materials ``keys`` within ``scope``."""
        found, missing = {}, []
        with self._lock:
            for key in keys:
                item = (*scope, key)
                if item in self._items:
                    found[key] = self._items[item]
                    self._items.move_to_end(item)
                else:
                    missing.append(key)
        return found, missing

    def clear(self) -> None:
        """Forget every entry (tests that compare engines over one store build)."""
        with self._lock:
            self._items.clear()
            self.whole.clear()

    def put(self, scope: tuple[Any, ...], values: dict[str, Any]) -> None:
        """Keep ``values`` (None for "no data") per material within ``scope``."""
        with self._lock:
            for key, value in values.items():
                self._items[(*scope, key)] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


NATIONAL = NationalCache()


def _run_key(preset: Any) -> tuple[Any, ...]:
    """Presets that give the same national cut-off run: supplier, stage, destination and share cut."""
    return (preset.supplier, preset.stage, preset.destination, preset.share)


def _dominant(items: Sequence[tuple[str, float]], n: int = 3) -> str | None:
    total = sum(v for _, v in items if v > 0)
    if total <= 0:
        return None
    ranked = sorted(items, key=lambda kv: -kv[1])[:n]
    return "; ".join(f"{name} {value / total:.0%}" for name, value in ranked if value > 0)


def _applies(destination_scope: str | None, members: set[str]) -> bool:
    """True when a measure's destinations include the importer (``all destinations`` or a named country)."""
    from grondstof.registry.countries import countries

    text = (destination_scope or "").strip()
    if not text or text.lower().startswith("all"):
        return True
    name = text.removesuffix(" only").strip()
    found = countries().lookup_name(name)
    return found is None or found.iso3 in members


def sub_result(result: Result, part: str) -> Result:
    """One part of a scan's ``meta`` (``profile``, ``presets`` or ``options``) as a result of its own."""
    fields = {"profile": PROFILE_FIELDS, "presets": PRESET_FIELDS, "options": OPTION_FIELDS}[part]
    titles = {
        "profile": "Risk profile (every part shown)",
        "presets": "What each cut-off preset does to the yearly need",
        "options": "Options: alternative suppliers, recycled content, design",
    }
    meta = {k: result.meta.get(k) for k in ("query", "sources", "units")}
    return Result(titles[part], fields, list(result.meta.get(part) or []), meta)
