"""The document layer: one builder per kind of document, rendered alike by pages, reports and the API.

* :func:`material` — one material for one importer: world production (map, concentration trend), the
  importer's partners over time, supply-risk scores, export controls, CRMA status;
* :func:`country` — one country or the EU-27: headline totals, materials ranked by supply concentration,
  what changed since the year before, alerts;
* :func:`scenario` — a scenario file or a shipped example: results, charts, assumptions.

A builder asks for figures only through ``call(name, **params)``: the registered analysis ``name``
(:mod:`grondstof.analyses`) with its parameters validated by its own model. The web passes its cached runner,
the command line and Python run on the store (:func:`on_store`). So the dashboard page, the HTML/PDF/Excel
report and ``/api/v1/documents/<kind>`` show the same document, and every number in it is an analysis' own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from grondstof.errors import DataNotAvailableError, InputError
from grondstof.parameters import Cli, CountryText, Lang, MaterialText, Params, described

if TYPE_CHECKING:
    from grondstof.documents.model import Document
    from grondstof.result import Result
    from grondstof.store import Store

Call = Callable[..., "Result"]


def on_store(store: Store) -> Call:
    """A ``call`` that runs registered analyses directly on ``store`` (validated as the CLI validates)."""
    from grondstof.analyses import analysis

    def call(name: str, **params: Any) -> Result:
        return analysis(name).run(store, **params)

    return call


def optional(call: Call, name: str, **params: Any) -> Result | None:
    """Run an analysis that may not apply to this material or country: None when the data cannot answer
    (:class:`InputError`, :class:`DataNotAvailableError`); a store problem or a bug still raises."""
    try:
        return call(name, **params)
    except (InputError, DataNotAvailableError):
        return None


class MaterialDocumentParams(Params):
    """Parameters of the material document (page ``/material/<m>``, ``report material``)."""

    material: MaterialText
    country: Annotated[CountryText, Cli(flags=("--country", "-c"))] = "NL"
    lang: Lang = "en"


class CountryDocumentParams(Params):
    """Parameters of the country document (the overview page, ``report country``)."""

    country: Annotated[CountryText, Cli(argument=True)]
    year: Annotated[
        str | None,
        described("Year (default: latest).", "Jaar (standaard: het laatste).", max_length=20),
        Cli(flags=("--year",)),
    ] = None
    lang: Lang = "en"


class ScenarioDocumentParams(Params):
    """Parameters of the scenario document (``report scenario``)."""

    scenario: Annotated[
        str,
        described(
            "A scenario file (YAML/JSON) or a shipped example, e.g. nl-2035, stockpile_nl.",
            "Een scenariobestand (YAML/JSON) of een meegeleverd voorbeeld, bijv. nl-2035, stockpile_nl.",
            min_length=1,
            max_length=500,
        ),
        Cli(argument=True),
    ]
    lang: Lang = "en"


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its builder and parameter model (the same declaration serves every skin)."""

    name: str
    builder: str
    params: type[Params]
    heavy: bool = True

    def build(self, call: Call, store: Store, **values: Any) -> Document:
        """Validate ``values`` and build the document on ``store``, asking for figures through ``call``."""
        from grondstof.analyses import _load
        from grondstof.parameters import validate_params

        arguments = dict(validate_params(self.params, values))
        return _load(self.builder)(call=call, store=store, **arguments)


DOCUMENTS: dict[str, DocumentKind] = {
    "material": DocumentKind("material", "grondstof.documents.material:material", MaterialDocumentParams),
    "country": DocumentKind("country", "grondstof.documents.country:country", CountryDocumentParams),
    "scenario": DocumentKind("scenario", "grondstof.documents.scenario:scenario", ScenarioDocumentParams),
}


def document(kind: str, store: Store | None = None, /, **params: Any) -> Document:
    """Build the document ``kind`` (``material``, ``country``, ``scenario``) on ``store`` (default: the built
    store)."""
    if kind not in DOCUMENTS:
        raise InputError("document", kind, "one of " + ", ".join(DOCUMENTS))
    if store is None:
        from grondstof.store import open_store

        store = open_store()
    return DOCUMENTS[kind].build(on_store(store), store, **params)
