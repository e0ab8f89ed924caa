"""One document layer: the material and country pages, their reports and /api/v1/documents show the same
document, built once by grondstof.documents from registered analyses."""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from typer.testing import CliRunner

from grondstof.analyses import ANALYSES
from grondstof.cli import app
from grondstof.documents import DOCUMENTS, document
from grondstof.report.render import to_html
from miniatures import assert_rows_close

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def gallium(real_store):
    return document("material", real_store, material="gallium", country="NL")


def test_every_table_of_a_document_is_a_registered_analysis(gallium, real_store) -> None:
    country = document("country", real_store, country="NL", year="2023")
    for doc in (gallium, country):
        tables = [t for s in doc.sections for t in s.tables]
        assert tables
        for table in tables:
            assert table.analysis in ANALYSES, table.title
            # The table is exactly what the analysis gives for its parameters (what its download serves).
            again = ANALYSES[table.analysis].run(real_store, **table.params)
            if (
                table.analysis != "overview"
            ):  # the overview table carries GeoPolRisk beside it, rows reordered
                assert_rows_close(again.rows, table.result.rows)


def test_material_page_report_and_api_show_the_same_document(web, gallium) -> None:
    api = web.get("/api/v1/documents/material", params={"material": "gallium", "country": "NL"}).json()
    page = BeautifulSoup(web.get("/material/gallium", params={"country": "NL"}).text, "html.parser")
    report = BeautifulSoup(
        web.get("/report/material/gallium.html", params={"country": "NL"}).text, "html.parser"
    )
    headings = [s["heading"] for s in api["sections"]]
    assert headings == [s.heading for s in gallium.sections]
    assert headings[:2] == ["World production", "Imports of Netherlands"]
    for soup in (page, report):
        shown = [h.get_text(strip=True) for h in soup.find_all("h2")]
        assert all(h in shown for h in headings), shown
        text = soup.get_text(" ", strip=True)
        assert all(sentence in text for sentence in api["summary"])
    assert api["summary"] == gallium.summary and "China" in api["summary"][0]


def test_country_page_headline_comes_from_the_overview_result(web, real_store) -> None:
    from grondstof.indicators.overview import overview

    headline = overview("NL", year=2023, store=real_store).meta["headline"]
    api = web.get("/api/v1/documents/country", params={"country": "NL", "year": "2023"}).json()
    assert api["headline"][0]["value"] == str(headline["materials_imported"])
    page = BeautifulSoup(web.get("/", params={"country": "NL", "year": "2023"}).text, "html.parser")
    figures = [f.strong.get_text(strip=True) for f in page.select("section.headline .figure") if f.strong]
    assert figures == [h["value"] for h in api["headline"]]
    assert [s["key"] for s in api["sections"]][:2] == ["ranked", "changes"]


def test_documents_in_dutch_and_as_json_from_the_cli(real_store_dir, tmp_path) -> None:
    out = tmp_path / "nl.json"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "country",
            "NL",
            "--format",
            "json",
            "--lang",
            "nl",
            "-o",
            str(out),
            "--store",
            str(real_store_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["kind"] == "country" and doc["title"].startswith("Kritieke grondstoffen")
    assert "grondstoffen geïmporteerd" in doc["summary"][0]


def test_report_renders_the_world_map_inline_and_names_sheets_by_analysis(gallium) -> None:
    from grondstof.report.render import to_xlsx

    html = to_html(gallium)
    assert "countries-110m.json" not in html and "<svg" in html
    book = load_workbook(io.BytesIO(to_xlsx(gallium)))
    assert book.sheetnames[0] == "supply" and book.sheetnames[-1] == "sources"


def test_document_parameters_are_validated_like_analyses(web, real_store) -> None:
    from grondstof.errors import InputError

    with pytest.raises(InputError, match="material"):
        document("material", real_store, material="galium")
    assert web.get("/api/v1/documents/material", params={"material": "galium"}).status_code == 400
    assert web.get("/api/v1/documents/country", params={"country": "NL", "yaer": "2023"}).json()[
        "suggestions"
    ]
    assert set(DOCUMENTS) == {"material", "country", "scenario"}
