"""Dashboard pages tested without a browser: structure, language, sources, downloads, escaping."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

pytestmark = pytest.mark.realdata


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def test_overview_shows_ranked_materials_with_sources_and_downloads(web) -> None:
    page = soup(web.get("/", params={"country": "NL", "lang": "en"}))
    assert "Netherlands" in page.h1.text
    table = page.find("table")
    headers = [th.text for th in table.find_all("th")]
    assert "Material" in headers and "Top partner share" in headers
    assert page.find("p", class_="source") is not None
    links = [a["href"] for a in page.select(".downloads a")]
    assert any(h.startswith("/download/overview.csv") for h in links)
    assert page.find("figure", class_="chart")["aria-label"]  # text alternative for the chart
    assert page.find("a", class_="skip")["href"] == "#main"


def test_dutch_switch_translates_interface_and_names(web) -> None:
    page = soup(web.get("/", params={"country": "NL", "lang": "nl"}))
    assert page.html["lang"] == "nl"
    assert "Nederland" in page.h1.text and "Grondstoffenafhankelijkheid" in page.h1.text
    cells = {td.text for td in page.find_all("td")}
    assert "kobalt" in cells
    later = soup(web.get("/materials"))  # the choice is remembered in a cookie
    assert later.html["lang"] == "nl"
    web.get("/", params={"lang": "en"})


def test_material_page_has_map_partners_and_coverage(web) -> None:
    page = soup(web.get("/material/gallium", params={"country": "NL", "lang": "en"}))
    assert "gallium" in page.h1.text.lower()
    specs = [div["data-spec"] for div in page.select(".vega[data-spec]")]
    assert any('"geoshape"' in s for s in specs)
    assert any("countries-110m.json" in s for s in specs)
    assert "Comext" in page.find("p", class_="coverage").text
    assert "EUR" in page.text


def test_compare_and_partner_pages(web) -> None:
    page = soup(web.get("/compare", params={"material": "cobalt", "countries": "EU27", "year": "2022"}))
    assert "Netherlands" in page.text and "Germany" in page.text
    page = soup(web.get("/partner", params={"country": "NL", "partner": "RU", "years": "2015-2024"}))
    assert "Russia" in page.h1.text
    assert page.find("table") is not None


def test_bad_input_gives_a_page_with_the_message_not_a_500(web) -> None:
    response = web.get("/material/unobtainium")
    assert response.status_code == 400
    assert "unobtainium" in response.text and "material" in response.text
    assert web.get("/no-such-page").status_code == 404


def test_user_text_is_escaped(web) -> None:
    response = web.get("/material/<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_downloads_match_the_table_and_neutralise_formulas(web) -> None:
    response = web.get(
        "/download/imports.csv", params={"material": "cobalt", "country": "NL", "years": "2022"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    api = web.get("/api/v1/imports", params={"material": "cobalt", "country": "NL", "years": "2022"}).json()
    assert len(rows) == len(api["rows"]) and rows[0]["partner"] == api["rows"][0]["partner"]
    workbook = load_workbook(
        io.BytesIO(
            web.get(
                "/download/imports.xlsx", params={"material": "cobalt", "country": "NL", "years": "2022"}
            ).content
        )
    )
    assert workbook.sheetnames == ["imports", "sources"]
    sources = [c.value for row in workbook["sources"].iter_rows() for c in row if c.value]
    assert any("BACI" in str(v) for v in sources)
    bad = web.get("/download/imports.csv", params={"material": "cobalt", "country": "NL", "evil": "=1+1"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "evil"


def test_no_external_references_in_pages(web) -> None:
    for path in ("/", "/material/cobalt", "/compare", "/partner?partner=RU", "/sources", "/docs"):
        html = web.get(path).text
        for needle in ("cdn.", "unpkg", "googleapis", "jsdelivr"):
            assert needle not in html, (path, needle)


@pytest.mark.parametrize(
    ("path", "min_rows"),
    [
        ("/benchmarks", 17),
        ("/alerts?country=NL", 10),
        ("/scenarios/cutoff?preset=CN-2023-GaGe&country=NL&stock_days=60", 1),
        ("/scenarios/stockpile?country=NL&days=90&compare=EU27", 17),
        ("/scenarios/transition?by=lever", 5),
        ("/technologies?per=MWh", 5),
        ("/balance?material=cobalt&country=NL&year=2022", 6),
        ("/compare?material=cobalt&countries=EU27&year=2022", 20),
    ],
)
def test_feature_pages_show_their_tables(web, path, min_rows) -> None:
    page = soup(web.get(path))
    assert len(page.select("tbody tr")) >= min_rows, path
    assert page.find("p", class_="source") is not None, path


def test_balance_page_draws_a_sankey_with_a_text_alternative(web) -> None:
    page = soup(web.get("/balance", params={"material": "cobalt", "country": "NL", "year": "2022"}))
    svg = page.find("svg", class_="sankey")
    assert svg is not None and len(svg.find_all("path")) >= 4
    assert "Netherlands" in svg.find("desc").text and "apparent consumption" in svg.find("desc").text


def test_alerts_page_links_the_atom_feed(web) -> None:
    page = soup(web.get("/alerts", params={"country": "NL"}))
    feed = page.find("link", rel="alternate")
    assert feed["type"] == "application/atom+xml"
    assert "Gallium" in page.text or "gallium" in page.text
    from xml.etree import ElementTree

    root = ElementTree.fromstring(web.get(feed["href"]).content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) >= 10


def test_scenario_forms_refuse_bad_input_with_the_parameter(web) -> None:
    response = web.get("/scenarios/cutoff", params={"preset": "NOPE"})
    assert response.status_code == 400 and "preset" in response.text
    response = web.get("/scenarios/cutoff", params={"materials": "gallium", "share": "lots"})
    assert response.status_code == 400 and "share" in response.text
    response = web.get("/report/scenario/secret.pdf")
    assert response.status_code == 400 and "shipped" in response.text


def test_transition_levers_from_the_form_change_the_savings(web, real_store) -> None:
    from grondstof.scenarios.transition import transition

    def cobalt_saved_by_lfp(share: float) -> float:
        result = transition("nl-2035", by="lever", lfp_share_pct=share, store=real_store)
        rows = [r for r in result.rows if r["material"] == "cobalt" and "chemistry" in r["lever"]]
        assert rows, [r["lever"] for r in result.rows]
        return rows[0]["reduction_t"]

    assert cobalt_saved_by_lfp(90) > cobalt_saved_by_lfp(40) > 0
    page = soup(web.get("/scenarios/transition", params={"by": "lever", "lfp_share_pct": 90}))
    assert page.find("input", id="lfp_share_pct")["value"] == "90.0"
    bad = web.get("/scenarios/transition", params={"lfp_share_pct": 150})
    assert bad.status_code == 400 and "lfp_share_pct" in bad.text
    # The same lever through the API, with the same bound.
    api = web.get("/api/v1/scenario/transition", params={"by": "lever", "lfp_share_pct": 90}).json()
    assert any(r["material"] == "cobalt" for r in api["rows"])
    assert web.get("/api/v1/scenario/transition", params={"lfp_share_pct": 150}).status_code == 400


def test_every_chart_on_the_material_page_has_a_source_line(web) -> None:
    page = soup(web.get("/material/cobalt", params={"country": "NL"}))
    charts = len(page.select("figure.chart"))
    sources = len(page.select(".provenance"))
    assert charts >= 3 and sources >= charts


# Issue 9, item 6: "import value (USD) 6,803 m" and "(EUR) 637 m" were totals over different sets of
# materials from different sources, and HS17 280429 was counted three times (krypton, neon, xenon).
def test_overview_headline_totals_are_per_source_and_name_what_they_cover(web, real_store) -> None:
    from grondstof.indicators.overview import overview

    page = soup(web.get("/", params={"country": "NL", "year": "2024", "lang": "en"}))
    headline = page.find("section", class_="headline")
    text = headline.get_text(" ", strip=True)
    totals = overview("NL", year=2024, store=real_store).meta["headline"]["totals"]
    for total in totals:
        assert f"import value, {total['source']}: {len(total['materials'])} materials" in text
    hs17 = next(t for t in totals if t["source"] == "baci_hs17")
    assert "krypton, neon, rare earth elements for magnets, xenon" in text  # named, beside the total
    shown = f"{hs17['value'] / 1e6:,.1f} m USD"
    assert shown in text
    assert "import value (USD)" not in text


# Issue 9, item 8: every number on the page comes from the library; the rank is the overview's own.
def test_overview_page_ranks_by_the_library_measure(web, real_store) -> None:
    from grondstof.indicators.overview import overview

    page = soup(web.get("/", params={"country": "NL", "year": "2024", "lang": "en"}))
    table = page.find("table")
    headers = [th.text for th in table.find_all("th")]
    assert headers[0] == "Rank" and "Import HHI × world HHI" in headers
    first = [td.text for td in table.find("tbody").find("tr").find_all("td")]
    best = min(
        (r for r in overview("NL", year=2024, store=real_store).rows if r["risk_rank"]),
        key=lambda r: r["risk_rank"],
    )
    assert first[0] == "1" and first[1] == best["material_name"]


# Issue 9, item 12: Dutch pages showed English labels (Supplier, Share, Months, Days), internal ids
# (rare_earths_magnets) and figures such as "354.502 days".
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/scenarios/cutoff?preset=CN-2023-GaGe",
        "/scenarios/stockpile?country=NL&days=90",
        "/partner?country=NL&partner=RU",
        "/alerts?country=NL",
    ],
)
def test_dutch_pages_are_dutch_without_internal_ids(web, path) -> None:
    import re

    sep = "&" if "?" in path else "?"
    page = soup(web.get(path + sep + "lang=nl"))
    words = {el.get_text(strip=True) for el in page.find_all(["label", "th"])}
    english = {"Supplier", "Share", "Months", "Days", "Stock days", "Basis", "Compare", "Since", "Preset"}
    assert not words & english, words & english
    assert "Material (id)" not in words and "Importer (code)" not in words
    cells = [td.get_text(strip=True) for td in page.find_all("td")]
    assert not [c for c in cells if re.fullmatch(r"[a-z]+(_[a-z]+)+", c)]  # no ids as values
    # Figures are rounded to what the data support: no decimal figure with more than three significant
    # digits (354.502 days shows as 355).
    decimals = [c for c in cells if re.fullmatch(r"-?\d{1,3},\d+", c)]
    assert decimals and all(len(c.lstrip("-").replace(",", "").strip("0")) <= 3 for c in decimals)


def test_stockpile_page_names_the_product_and_the_basis(web) -> None:
    page = soup(web.get("/scenarios/stockpile?country=NL&days=90&materials=rare_earths_magnets&lang=en"))
    cells = [td.get_text(strip=True) for td in page.find_all("td")]
    assert any("as the finished product: permanent magnets of metal" in c for c in cells)
    assert any(c.startswith("net imports · baci_hs17 850511") for c in cells)
