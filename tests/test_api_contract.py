"""Schemathesis over the OpenAPI document: no input makes the API answer with a server error.

The schema is loaded at import (schemathesis parametrizes at collection time), so this module opens its
own real-data store, built once into a temporary directory.

In ``make test`` the inputs are derandomized (the Hypothesis "ci" profile in conftest.py: the same inputs
on every run) and bounded; ``make fuzz`` runs the same tests with random inputs, many more of them.

Stateful testing: schemathesis chains operations through OpenAPI links, and this API declares none (every
route is a GET of an analysis; no operation produces an identifier another consumes), so
``schema.as_state_machine()`` raises ``NoLinksFound``. The closest thing is :class:`AcrossRoutes`: random
sequences of calls to every API route (inputs drawn from the schema), dashboard page and download on one
app and one client, so the server's state (the result cache, the per-result JSON page cache, the country
and language cookies) carries from call to call; every answer must be below 500, and a repeated request
must get the same answer.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, rule
from schemathesis.specs.openapi.checks import positive_data_acceptance

from fuzzing import examples, server_error, tried
from grondstof.config import resolve_data_dir
from grondstof.errors import InputError
from grondstof.store import build, open_store
from grondstof.web.app import create_app

try:
    DATA = resolve_data_dir()
except InputError:  # pragma: no cover - only without the shared data
    pytest.skip("shared data directory not found", allow_module_level=True)

_ROOT = tempfile.mkdtemp(prefix="grondstof-contract-")
build(DATA, _ROOT)
APP = create_app(open_store(_ROOT, build_if_missing=False))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)

pytestmark = pytest.mark.realdata


@schema.parametrize()
@settings(max_examples=examples(20))
def test_no_server_errors_and_documented_responses(case) -> None:
    response = case.call()
    tried()
    if response.status_code >= 500:
        server_error(case.path, urlencode(case.query or {}, doseq=True), response.status_code, response.text)
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    # Semantic validation (an unknown material is a 400 naming it) lives in the library, not in the schema,
    # so schema-valid but meaningless input ("material=0") is rightly refused: skip only that check.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_the_api_has_no_links_so_schemathesis_cannot_chain_calls() -> None:
    """Documents why AcrossRoutes exists; when links are declared, switch to schema.as_state_machine()."""
    with pytest.raises(Exception, match="no link definitions"):
        schema.as_state_machine().run()


# ---- stateful: sequences across every route ---------------------------------------------------------------

API_CASES = st.one_of([result.ok().as_strategy() for result in schema.get_all_operations()])
# Text for page and download parameters: plausible values, the red team's digits, and anything.
VALUES = st.one_of(
    st.sampled_from(["NL", "DE", "EU27", "RU", "CN", "cobalt", "gallium", "2022", "2015-2024", "all"]),
    st.sampled_from(["¹", "٣", "３", "٢٠٢٢", "", "0", "-1", "nan", "2024-02-30"]),
    st.text(max_size=10),
)
PAGES = [
    ("/", ["country", "year", "lang"]),
    ("/material/cobalt", ["country", "lang"]),
    ("/materials", ["lang"]),
    ("/compare", ["material", "countries", "year", "country"]),
    ("/partner", ["country", "partner", "years", "source"]),
    ("/sources", ["lang"]),
    ("/benchmarks", ["year"]),
    ("/alerts", ["country", "since"]),
    ("/scenarios", ["lang"]),
    ("/scenarios/cutoff", ["preset", "materials", "suppliers", "country", "share", "months"]),
    ("/scenarios/stockpile", ["country", "materials", "days", "budget", "basis"]),
    ("/scenarios/transition", ["by", "vehicles_avoided", "lfp_share"]),
    ("/technologies", ["per"]),
    ("/balance", ["material", "country", "year"]),
    ("/report/country/NL.html", ["year", "lang"]),
]
DOWNLOADS = [
    ("overview", {"country": "NL"}, ["country", "year"]),
    ("imports", {"material": "cobalt", "country": "NL"}, ["material", "country", "years", "from", "by"]),
    ("partner", {"country": "NL", "partner": "RU"}, ["country", "partner", "years", "include_fuels"]),
    ("supply", {"material": "cobalt"}, ["material", "years", "stage", "source", "by"]),
    ("crma", {}, ["year", "material"]),
    ("controls", {}, ["country", "material", "date"]),
    ("stockpile", {"country": "NL", "materials": "cobalt"}, ["country", "days", "budget", "confidence"]),
    ("balance", {"material": "cobalt", "country": "NL"}, ["country", "year", "basis"]),
]


def _text(value: Any) -> Any:
    """Booleans as the API spells them (schemathesis gives Python bools)."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _fingerprint(response: Any) -> tuple[int, str]:
    """Status and a hash of the body (JSON and CSV answers are fully determined by the request)."""
    kind = response.headers.get("content-type", "")
    body = response.content if kind.startswith(("application/json", "text/csv")) else b""
    return response.status_code, hashlib.sha256(body).hexdigest()


class AcrossRoutes(RuleBasedStateMachine):
    """Random sequences of API, page and download calls on one app and one client (see module doc)."""

    requests = Bundle("requests")

    @initialize()
    def start(self) -> None:
        # A fresh client per sequence: an empty cookie jar; the app (and its result cache) is shared.
        self.client = TestClient(APP, raise_server_exceptions=False)
        # Run the app's startup as a server does: an earlier client (schemathesis) may have run its
        # shutdown, after which the app refuses work (503) until it starts again.
        self.client.__enter__()
        self.answers: dict[str, tuple[int, str]] = {}

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)

    def _get(self, path: str, query: dict[str, Any], *, remember: bool = False) -> str:
        url = f"{path}?{urlencode(query, doseq=True)}" if query else path
        response = self.client.get(url, follow_redirects=True)
        tried()
        if response.status_code >= 500:
            server_error(path, urlencode(query, doseq=True), response.status_code, response.text)
        assert response.status_code < 500, (url, response.status_code, response.text[:300])
        # Pages depend on cookies set earlier in the sequence; API answers and downloads must not.
        if remember:
            self.answers.setdefault(url, _fingerprint(response))
        return url

    @rule(target=requests, case=API_CASES)
    def call_api(self, case: Any) -> str:
        query = {
            k: ("true" if v is True else "false" if v is False else v) for k, v in (case.query or {}).items()
        }
        return self._get(case.formatted_path, query, remember=True)

    @rule(page=st.sampled_from(PAGES), data=st.data())
    def visit_page(self, page: tuple[str, list[str]], data: st.DataObject) -> None:
        path, names = page
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        self._get(path, {name: data.draw(VALUES) for name in chosen})

    @rule(target=requests, download=st.sampled_from(DOWNLOADS), data=st.data())
    def download(self, download: tuple[str, dict[str, str], list[str]], data: st.DataObject) -> str:
        name, base, names = download
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
        query = {**base, **{n: data.draw(VALUES) for n in chosen}}
        return self._get(f"/download/{name}.csv", query, remember=True)

    @rule(url=consumes(requests))
    def repeat(self, url: str) -> None:
        """The same request again, after other calls: the same status and body (the cache is coherent)."""
        response = self.client.get(url, follow_redirects=True)
        tried()
        if response.status_code >= 500:
            server_error(url.split("?", 1)[0], url.partition("?")[2], response.status_code, response.text)
        assert _fingerprint(response) == self.answers[url], url


AcrossRoutes.TestCase.settings = settings(max_examples=examples(8), stateful_step_count=12)
test_sequences_across_every_route = AcrossRoutes.TestCase
