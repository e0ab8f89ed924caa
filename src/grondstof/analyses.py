"""The registry of analyses: one entry per analysis, from which every skin is generated.

An entry names the library function, its parameter model (:mod:`grondstof.parameters`), the command line path,
the API route, a one-line summary in English and Dutch, and the field lists it can return. From these:

* ``grondstof <command>`` options come from the model (:mod:`grondstof.commands.generated`);
* ``/api/v1/<route>`` query parameters and their OpenAPI description come from the same model
  (:mod:`grondstof.web.api`), and so do ``/download/<name>.csv|xlsx`` and the dashboard's calls;
* docs/cli.md lists options and output fields from the entry (``tools/make_docs.py``).

Adding an analysis is one module (parameter model + function returning a
:class:`~grondstof.result.Result`) and one entry here. Entries hold module paths as text, so reading the
registry imports nothing heavy: a command loads only the module of the analysis it runs.

Every skin runs an analysis the same way: :func:`run` (or :meth:`Analysis.run`) validates the parameters
against the model, raising :class:`~grondstof.errors.InputError` that names the parameter, and calls the
function with the validated values and a store.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from grondstof.errors import InputError

if TYPE_CHECKING:
    from grondstof.parameters import Params
    from grondstof.result import Field, Result
    from grondstof.store import Store

__all__ = ["ANALYSES", "Analysis", "CliExtra", "WebLimits", "analysis", "register", "run"]


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class CliExtra:
    """A presentation option of a command that is not a parameter of the analysis (``--atom``, ``--sankey``).

    The entry's ``cli_present`` function receives it by ``name``.
    """

    name: str
    flags: tuple[str, ...]
    help: str
    type: type = bool
    default: Any = False


@dataclass(frozen=True)
class WebLimits:
    """Resource limits of an analysis on the web server (API, downloads, pages and reports alike).

    They are narrower than the library's bounds, which make a value invalid everywhere (400): a request
    over a web limit is valid but too large for a shared server and is refused with 413 and a problem+json
    body naming the limit (:mod:`grondstof.web.limits`). The command line and the library have no such
    limits.

    Attributes
    ----------
    maximum:
        ``(parameter, largest value)`` pairs, e.g. ``("draws", 200_000)``.
    items:
        ``(parameter, most items)`` for comma lists, e.g. ``("country", 5)`` countries side by side.
    cells, cells_of:
        The most materials × importers × years one request may ask for, and the three parameters counted
        (``all`` counts every material of the registry, ``EU27`` one importer, no years one year).
    """

    maximum: tuple[tuple[str, float], ...] = ()
    items: tuple[tuple[str, int], ...] = ()
    cells: int | None = None
    cells_of: tuple[str, str, str] = ("material", "country", "years")

    def describe(self) -> list[str]:
        """The limits in words, one line each (for the README and the API description)."""
        lines = [f"{name} ≤ {_number(limit)}" for name, limit in self.maximum]
        lines += [f"{name}: at most {limit} items" for name, limit in self.items]
        if self.cells is not None:
            what = " × ".join(self.cells_of)
            lines.append(f"{what} ≤ {self.cells:,} (materials × importers × years)")
        return lines


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


TRADE_CELLS = 4_000
"""Materials × importers × years one trade request may cover on the web (``all`` materials of one importer
over 30 years fits; every material for five countries over ten years does not)."""
HEAVY_DRAWS = 200_000
"""Monte Carlo draws per web request (the library allows 10,000,000)."""


@dataclass(frozen=True)
class Analysis:
    """One analysis: a library function, its parameter model and how the skins reach it.

    Attributes
    ----------
    name:
        Identifier: cache key, download name (``/download/<name>.csv``).
    function, params:
        ``"module:attribute"`` of the library function and of its :class:`~grondstof.parameters.Params` model.
        The function is called with the validated values as keywords plus ``store=``.
    summary, summary_nl:
        One line in English and Dutch (CLI help, OpenAPI summary, page headings).
    command:
        Command line path (``("scenario", "cutoff")``); empty for no command.
    route:
        API path under ``/api/v1`` (``"/scenario/cutoff"``); None for no route (downloads and pages still
        run it).
    outputs:
        The field lists the analysis can return: ``(condition, "module:FIELDS")``, e.g.
        ``("--by year", "grondstof.indicators.supply:YEAR_FIELDS")``.
    heavy:
        Expensive to run (reports, large simulations): the server runs it in its heavy-request pool
        (:mod:`grondstof.web.heavy`: worker processes, admission limits, a time limit).
    web_limits:
        The web server's resource limits for it (:class:`WebLimits`); None for none.
    cli_extras, cli_present:
        Presentation-only command options and the ``"module:function"`` that uses them:
        ``present(run, **extras)`` gets a zero-argument ``run`` returning the result and returns text to
        print, a :class:`~grondstof.result.Result` to print as usual, or None.
    """

    name: str
    function: str
    params: str
    summary: str
    summary_nl: str
    command: tuple[str, ...] = ()
    route: str | None = None
    outputs: tuple[tuple[str, str], ...] = ()
    heavy: bool = False
    web_limits: WebLimits | None = None
    cli_extras: tuple[CliExtra, ...] = ()
    cli_present: str | None = None
    description: str = field(default="", compare=False)

    def model(self) -> type[Params]:
        """The parameter model (imports the analysis' module)."""
        return _load(self.params)

    def load(self) -> Callable[..., Result]:
        """The library function (imports the analysis' module)."""
        return _load(self.function)

    def output_fields(self) -> list[tuple[str, list[Field]]]:
        """The field lists this analysis can return, with the condition of each."""
        return [(when, list(_load(path))) for when, path in self.outputs]

    def validate(self, values: Mapping[str, Any], *, web: bool = False) -> dict[str, Any]:
        """Check ``values`` against the model; return the keyword arguments of the library function.

        ``web=True`` applies the web's restrictions (no file paths, only shipped names where marked).
        Raises :class:`InputError` naming the parameter, its value and what is accepted.
        """
        from grondstof.parameters import validate_params

        return dict(validate_params(self.model(), values, web=web))

    def call(self, arguments: Mapping[str, Any], store: Store) -> Result:
        """Call the library function with validated arguments (from :meth:`validate`) on ``store``."""
        return self.load()(**arguments, store=store)

    def run(self, store: Store | None = None, /, **values: Any) -> Result:
        """Validate ``values`` and run the analysis (on the default store when none is given)."""
        arguments = self.validate(values)
        if store is None:
            from grondstof.store import open_store

            store = open_store()
        return self.call(arguments, store)


ANALYSES: dict[str, Analysis] = {}


def register(entry: Analysis) -> Analysis:
    """Add an analysis to the registry (its CLI command, API route and downloads follow from it)."""
    ANALYSES[entry.name] = entry
    _by_command.cache_clear()
    return entry


def analysis(name: str) -> Analysis:
    """The registered analysis called ``name``; InputError with close names otherwise."""
    found = ANALYSES.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(ANALYSES), n=3, cutoff=0.5)
        raise InputError("analysis", name, "one of " + ", ".join(sorted(ANALYSES)), suggestions=close)
    return found


@cache
def _by_command() -> dict[tuple[str, ...], Analysis]:
    return {a.command: a for a in ANALYSES.values() if a.command}


def by_command(path: tuple[str, ...]) -> Analysis | None:
    """The analysis whose command line path is ``path``, or None."""
    return _by_command().get(path)


def commands_under(prefix: tuple[str, ...]) -> dict[str, Analysis]:
    """Command names directly under ``prefix`` that are analyses (``()`` → top level)."""
    return {
        a.command[len(prefix)]: a
        for a in ANALYSES.values()
        if len(a.command) == len(prefix) + 1 and a.command[: len(prefix)] == prefix
    }


def run(name: str, store: Store | None = None, /, **values: Any) -> Result:
    """Run the analysis ``name`` with parameters as the command line or API would take them.

    >>> run("supply", material="gallium", years="2022")  # doctest: +SKIP
    """
    return analysis(name).run(store, **values)


def _entry(
    name: str,
    function: str,
    summary: str,
    summary_nl: str,
    *,
    params: str | None = None,
    command: tuple[str, ...] | None = None,
    route: str | bool | None = True,
    outputs: tuple[tuple[str, str], ...] = (),
    **options: Any,
) -> None:
    module = function.partition(":")[0]
    register(
        Analysis(
            name=name,
            function=function,
            params=params or f"{module}:{name.title().replace('_', '')}Params",
            summary=summary,
            summary_nl=summary_nl,
            command=(name,) if command is None else command,
            route=f"/{name}" if route is True else (route or None),
            outputs=outputs,
            **options,
        )
    )


_IND = "grondstof.indicators"
_SCN = "grondstof.scenarios"

# ---------------------------------------------------------------------------------------------- supply, trade
_entry(
    "supply",
    f"{_IND}.supply:supply",
    "World production by country: shares, HHI and top-3 share, per year and stage.",
    "Wereldproductie per land: aandelen, HHI en aandeel top-3, per jaar en schakel.",
    outputs=(
        ("--by country (default)", f"{_IND}.supply:ROW_FIELDS"),
        ("--by year", f"{_IND}.supply:YEAR_FIELDS"),
    ),
)
_entry(
    "imports",
    f"{_IND}.dependency:imports",
    "Imports of a material by partner: value, tonnes, shares, import HHI, top partner.",
    "Import van een grondstof per handelspartner: waarde, tonnen, aandelen, import-HHI, grootste partner.",
    outputs=(
        ("--by partner (default)", f"{_IND}.dependency:PARTNER_FIELDS"),
        ("--by year", f"{_IND}.dependency:SUMMARY_FIELDS"),
    ),
    web_limits=WebLimits(cells=TRADE_CELLS),
)
_entry(
    "partner",
    f"{_IND}.partner:partner_imports",
    "Everything a country imports from one partner, by material and year.",
    "Alles wat een land uit één partnerland importeert, per grondstof en jaar.",
    outputs=(
        ("--by material (default)", f"{_IND}.partner:MATERIAL_FIELDS"),
        ("--by year", f"{_IND}.partner:YEAR_FIELDS"),
    ),
)
_entry(
    "compare",
    f"{_IND}.dependency:compare",
    "The same dependency figures for several importers side by side.",
    "Dezelfde afhankelijkheidscijfers voor meerdere importeurs naast elkaar.",
    outputs=(("", f"{_IND}.dependency:SUMMARY_FIELDS"),),
    web_limits=WebLimits(cells=TRADE_CELLS, cells_of=("material", "countries", "year")),
)
_entry(
    "overview",
    f"{_IND}.overview:overview",
    "One row per material: imports, top partner, import HHI, world top producer and HHI, coverage.",
    "Eén rij per grondstof: import, grootste partner, import-HHI, grootste producent en HHI, dekking.",
    outputs=(("", f"{_IND}.overview:FIELDS"),),
)
_entry(
    "changes",
    f"{_IND}.changes:changes",
    "What changed since the year before: each material's import value, its change and the top partner's.",
    "Wat veranderde sinds vorig jaar: importwaarde per grondstof, verandering en aandeel topleverancier.",
    outputs=(("", f"{_IND}.changes:FIELDS"),),
)
_entry(
    "materials",
    f"{_IND}.registry_views:list_materials",
    "The material registry: names (EN/NL), symbols, list membership, trade codes, coverage.",
    "Het grondstoffenregister: namen (EN/NL), symbolen, lijsten, handelscodes, dekking.",
    outputs=(("", f"{_IND}.registry_views:MATERIAL_FIELDS"),),
)
_entry(
    "countries",
    f"{_IND}.registry_views:list_countries",
    "The country concordance: ISO, BACI, Comtrade codes, English and Dutch names, EU membership.",
    "De landenconcordantie: ISO-, BACI- en Comtrade-codes, Engelse en Nederlandse namen, EU-lidmaatschap.",
    outputs=(("", f"{_IND}.registry_views:COUNTRY_FIELDS"),),
)

# ------------------------------------------------------------------------------------------------------- risk
_entry(
    "risk",
    f"{_IND}.risk:risk",
    "Supply risk: GeoPolRisk for an importer, the EU 2023 method, DERA screening, or all three.",
    "Leveringsrisico: GeoPolRisk voor een importeur, de EU-methode 2023, DERA-screening, of alle drie.",
    outputs=(
        ("--method geopolrisk (default)", f"{_IND}.geopolrisk:GEOPOLRISK_FIELDS"),
        ("--method eu-sr, EU-27", f"{_IND}.eu_supply_risk:EU_SR_FIELDS"),
        ("--method eu-sr, a country", f"{_IND}.eu_supply_risk:NATIONAL_SR_FIELDS"),
        ("--method dera", f"{_IND}.dera:DERA_FIELDS"),
        ("--method all", f"{_IND}.risk:ALL_FIELDS"),
    ),
    web_limits=WebLimits(cells=TRADE_CELLS),
)
# The three methods one by one: used by the dashboard and downloads (the command is `risk --method`).
_entry(
    "geopolrisk",
    f"{_IND}.geopolrisk:geopolrisk",
    "GeoPolRisk: import concentration × import risk, per importer, material and year.",
    "GeoPolRisk: importconcentratie × importrisico, per importeur, grondstof en jaar.",
    command=(),
    route=None,
    outputs=(("", f"{_IND}.geopolrisk:GEOPOLRISK_FIELDS"),),
    web_limits=WebLimits(cells=TRADE_CELLS),
)
_entry(
    "eu_sr",
    f"{_IND}.eu_supply_risk:eu_supply_risk",
    "EU supply risk (2023 method) recomputed beside the published figure.",
    "EU-leveringsrisico (methode 2023) herberekend naast het gepubliceerde cijfer.",
    params=f"{_IND}.eu_supply_risk:EuSrParams",
    command=(),
    route=None,
    outputs=(
        ("EU-27", f"{_IND}.eu_supply_risk:EU_SR_FIELDS"),
        ("a country", f"{_IND}.eu_supply_risk:NATIONAL_SR_FIELDS"),
    ),
)
_entry(
    "dera",
    f"{_IND}.dera:dera",
    "DERA screening of world production: HHI, weighted country risk, risk group.",
    "DERA-screening van de wereldproductie: HHI, gewogen landenrisico, risicogroep.",
    command=(),
    route=None,
    outputs=(("", f"{_IND}.dera:DERA_FIELDS"),),
)

# ----------------------------------------------------------------------------------------------------- policy
_entry(
    "crma",
    f"{_IND}.crma:crma",
    "CRMA 2030 benchmarks per strategic raw material: value, target, status, distance, trend.",
    "CRMA-doelen 2030 per strategische grondstof: waarde, doel, status, afstand, trend.",
    outputs=(("", f"{_IND}.crma:CRMA_FIELDS"),),
)
_entry(
    "controls",
    f"{_IND}.exposure:controls",
    "Export controls with their status on a date; with an importer, its exposure to them.",
    "Exportbeperkingen met hun status op een datum; met een importeur, diens blootstelling eraan.",
    outputs=(
        ("without --importer", f"{_IND}.exposure:CONTROL_FIELDS"),
        ("--importer C", f"{_IND}.exposure:EXPOSURE_FIELDS"),
    ),
)
_entry(
    "exposure",
    f"{_IND}.exposure:exposure",
    "An importer's exposure to the export controls in force on a date (grondstof controls --importer).",
    "Blootstelling van een importeur aan de exportbeperkingen die op een datum gelden.",
    command=(),
    outputs=(("", f"{_IND}.exposure:EXPOSURE_FIELDS"),),
)
_entry(
    "watch",
    "grondstof.monitor.signals:watch",
    "Early-warning alerts for a country or the EU-27: import swings, concentration, export controls.",
    "Vroegtijdige signalen voor een land of de EU-27: importschommelingen, concentratie, exportbeperkingen.",
    outputs=(("", "grondstof.monitor.signals:ALERT_FIELDS"),),
    cli_extras=(
        CliExtra("atom", ("--atom",), "Print the alerts as an Atom 1.0 feed."),
        CliExtra("feed_url", ("--feed-url",), "URL the Atom feed is published at (rel=self).", str, None),
        CliExtra(
            "print_config", ("--print-config",), "Print the default signal configuration (YAML) and exit."
        ),
    ),
    cli_present="grondstof.commands.present:watch",
)

# ------------------------------------------------ refined stage, prices, reserves, reliance (issue 12)
_entry(
    "refined",
    f"{_IND}.refined:refined_imports",
    "Refined-stage imports 2002-2024 from the BACI top-6 extract: retained total (lower bound), HHI (upper "
    "bound), shares of the retained flows.",
    "Invoer van de raffinageschakel 2002-2024 uit het BACI-top-6-bestand: behouden totaal (ondergrens), HHI "
    "(bovengrens), aandelen in de behouden stromen.",
    outputs=(
        ("--by year (default)", f"{_IND}.refined:YEAR_FIELDS"),
        ("--by partner", f"{_IND}.refined:PARTNER_FIELDS"),
    ),
)
_entry(
    "trade_indicators",
    f"{_IND}.refined:refined_trade_indicators",
    "World trade concentration of a refined material per year (exporter HHI by value and tonnes) beside its "
    "production HHI.",
    "Concentratie van de wereldhandel in een geraffineerde grondstof per jaar (HHI van exporteurs naar "
    "waarde en tonnen) naast de productie-HHI.",
    command=("trade-indicators",),
    route="/trade-indicators",
    outputs=(("", f"{_IND}.refined:WORLD_FIELDS"),),
)
_entry(
    "prices",
    f"{_IND}.prices:prices",
    "Price series of a material in the source's unit and currency (World Bank Pink Sheet, USGS MCS 2025).",
    "Prijsreeksen van een grondstof in de eenheid en munt van de bron "
    "(Wereldbank Pink Sheet, USGS MCS 2025).",
    outputs=(("", f"{_IND}.prices:PRICE_FIELDS"),),
)
_entry(
    "price_indicators",
    f"{_IND}.prices:price_indicators",
    "Price volatility (coefficient of variation, largest 12-month rise) and the level against the 10-year "
    "median.",
    "Prijsvolatiliteit (variatiecoëfficiënt, grootste stijging in 12 maanden) en het niveau tegenover de "
    "mediaan van 10 jaar.",
    command=("price-indicators",),
    route="/price-indicators",
    outputs=(("", f"{_IND}.prices:INDICATOR_FIELDS"),),
)
_entry(
    "reserves",
    f"{_IND}.reserves:reserves",
    "Reserves by country (USGS MCS), reserve HHI beside production HHI, static reserve life, capacity; the "
    "edition on every row.",
    "Reserves per land (USGS MCS), reserve-HHI naast productie-HHI, statische levensduur, capaciteit; de "
    "editie op elke rij.",
    outputs=(
        ("--by country (default)", f"{_IND}.reserves:COUNTRY_FIELDS"),
        ("--by summary", f"{_IND}.reserves:SUMMARY_FIELDS"),
    ),
)
_entry(
    "reliance",
    f"{_IND}.reliance:reliance",
    "Net import reliance (USGS definition) of a country or the EU-27 per material, stage and year; USGS's "
    "U.S. figure beside.",
    "Netto-importafhankelijkheid (definitie USGS) van een land of de EU-27 per grondstof, schakel en jaar; "
    "het Amerikaanse USGS-cijfer ernaast.",
    outputs=(("", f"{_IND}.reliance:FIELDS"),),
)

# -------------------------------------------------------------------------------------------------- scenarios
_entry(
    "cutoff",
    f"{_SCN}.cutoff:cutoff_scenario",
    "Supplier cut-off: supply lost, what alternatives replace, the shortfall, stock days to bridge it.",
    "Leverancier valt weg: verloren aanvoer, vervanging door alternatieven, tekort, voorraaddagen.",
    command=("scenario", "cutoff"),
    route="/scenario/cutoff",
    outputs=(("", f"{_SCN}.cutoff:CUTOFF_FIELDS"),),
)
_entry(
    "montecarlo",
    f"{_SCN}.montecarlo:montecarlo_scenario",
    "Monte Carlo disruptions: distribution of the annual shortfall per material, stock to cover it.",
    "Monte-Carloverstoringen: verdeling van het jaarlijkse tekort per grondstof, voorraad om het te dekken.",
    params=f"{_SCN}.montecarlo:MonteCarloRunParams",
    command=("scenario", "montecarlo"),
    route="/scenario/montecarlo",
    outputs=(("", f"{_SCN}.montecarlo:MONTECARLO_FIELDS"),),
    heavy=True,
    web_limits=WebLimits(maximum=(("draws", HEAVY_DRAWS),)),
)
_entry(
    "presets",
    f"{_SCN}.presets:list_presets",
    "The cut-off presets derived from the export-control timeline, with their default assumptions.",
    "De voorinstellingen voor wegvallende leveranciers uit de tijdlijn van exportbeperkingen.",
    command=("scenario", "presets"),
    route="/scenario/presets",
    outputs=(("", f"{_SCN}.presets:PRESET_FIELDS"),),
)
_entry(
    "stockpile",
    f"{_SCN}.stockpile:stockpile",
    "Strategic stock per material: days of cover, scenario cover at a confidence, or a budget; EUR cost.",
    "Strategische voorraad per grondstof: dagen dekking, scenariodekking of een budget; kosten in EUR.",
    route="/scenario/stockpile",
    outputs=(
        ("--days (default 90)", f"{_SCN}.stockpile:DAYS_FIELDS"),
        ("--scenario", f"{_SCN}.stockpile:SCENARIO_FIELDS"),
        ("--budget", f"{_SCN}.stockpile:BUDGET_FIELDS"),
    ),
    heavy=True,
    web_limits=WebLimits(maximum=(("draws", HEAVY_DRAWS),), items=(("country", 5), ("compare", 5))),
)
_entry(
    "transition",
    f"{_SCN}.transition:transition",
    "Material demand of an energy-transition scenario per year, against imports and world production.",
    "Grondstoffenvraag van een energietransitiescenario per jaar, naast import en wereldproductie.",
    route="/scenario/transition",
    outputs=(
        ("--by year (default), technology or material", f"{_SCN}.transition:FIELDS"),
        ("--by lever", f"{_SCN}.transition:LEVER_FIELDS"),
    ),
)
_entry(
    "technologies",
    f"{_SCN}.technologies:technologies",
    "Materials per MW of capacity and per MWh generated over the lifetime, per power technology.",
    "Grondstoffen per MW vermogen en per MWh over de levensduur, per opwektechniek.",
    route="/scenario/technologies",
    outputs=(
        ("--by material (default)", f"{_SCN}.technologies:MATERIAL_FIELDS"),
        ("--by technology", f"{_SCN}.technologies:TOTAL_FIELDS"),
    ),
)
_entry(
    "balance",
    f"{_SCN}.massbalance:balance",
    "Mass balance: imports, production, exports, apparent consumption, re-export share, residual, Sankey.",
    "Massabalans: import, productie, export, schijnbaar verbruik, wederuitvoer, restpost, Sankey.",
    outputs=(("", f"{_SCN}.massbalance:BALANCE_FIELDS"),),
    cli_extras=(CliExtra("sankey", ("--sankey",), "Print the Sankey nodes and links as JSON."),),
    cli_present="grondstof.commands.present:balance",
)
_entry(
    "net_trade",
    f"{_SCN}.massbalance:net_trade",
    "Exports, imports and net exports per material, with the part in waste-and-scrap codes.",
    "Export, import en netto-export per grondstof, met het deel in afval- en schrootcodes.",
    command=("net-trade",),
    route="/net-trade",
    outputs=(("", f"{_SCN}.massbalance:NET_TRADE_FIELDS"),),
)

# ---------------------------------------------------------------------------------------------------- scanner
# One analysis, one parameter model: `grondstof scan FILE|TEMPLATE`, GET /api/v1/scan?template=… (shipped
# templates only: the web never takes a path) and the dashboard; uploads go through POST /api/v1/scan/upload
# (grondstof.web.scan_pages), validated by the same model. `scan --templates` lists the templates through the
# command's presentation hook (like `watch --print-config`), so the command line has one `scan` command;
# the listing is also an analysis of its own for the API and downloads.
_entry(
    "scan",
    "grondstof.scanner.query:scan",
    "Scan a bill of materials, import records, product groups or a product template for raw-material risk.",
    "Scan een stuklijst, invoerregels, productgroepen of een productsjabloon op grondstofrisico's.",
    params="grondstof.scanner.query:ScanParams",
    outputs=(("", "grondstof.scanner.query:FIELDS"),),
    heavy=True,
    cli_extras=(
        CliExtra("templates", ("--templates",), "List the shipped product templates and exit."),
        CliExtra(
            "report",
            ("--report",),
            "Write the scan report to this file (.html, .pdf or .xlsx) instead of printing the table.",
            str,
            None,
        ),
        CliExtra(
            "input_template",
            ("--input-template",),
            "Print a blank input file with an example row (bom, imports or product_groups) and exit.",
            str,
            None,
        ),
    ),
    cli_present="grondstof.scanner.present:scan",
)
_entry(
    "scan_templates",
    "grondstof.scanner.query:list_templates",
    "The product templates the scanner ships: unit, materials, assumed figures and sources.",
    "De productsjablonen van de scanner: eenheid, grondstoffen, aangenomen cijfers en bronnen.",
    params="grondstof.scanner.query:ScanTemplatesParams",
    command=(),
    route="/scan/templates",
    outputs=(("", "grondstof.scanner.query:TEMPLATE_FIELDS"),),
)
