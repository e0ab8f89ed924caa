"""The scanner in headless Debian Chromium: upload a bill of materials, see the result, download the PDF
report, with no request leaving 127.0.0.1 (the server, browser and fixtures of tests/test_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import browser, page, server  # noqa: F401  (fixtures shared with the other journeys)

pytestmark = [pytest.mark.realdata, pytest.mark.browser]

BOM = (
    "product,component,material,mass,unit,units_per_year,supplier_country\n"
    "Motor A,magnet,neodymium,0.2,kg,1000,China\n"
    "Motor A,winding,copper,1.5,kg,1000,Chile\n"
    "Charger,cell,cobalt,40,g,5000,\n"
)


def test_upload_a_bill_of_materials_and_download_the_pdf_report(page, server) -> None:  # noqa: F811
    page.goto(server + "/scan?lang=en")
    # The file is handed to the browser from memory: nothing is written to disk for the upload either.
    page.set_input_files("#file", files=[{"name": "bom.csv", "mimeType": "text/csv", "buffer": BOM.encode()}])
    page.get_by_role("button", name="Scan", exact=True).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Raw-material scan of bill of materials (upload)" in main
    assert "neodymium" in main and "cobalt" in main
    assert page.locator("tbody tr").count() >= 3
    page.wait_for_function("document.querySelectorAll('.chart.drawn svg').length >= 1", timeout=15_000)
    with page.expect_download(timeout=90_000) as info:
        page.get_by_role("link", name="PDF report").click()
    assert Path(info.value.path()).read_bytes()[:4] == b"%PDF"
    page.get_by_role("button", name="Delete it now").click()
    page.wait_for_load_state()
    assert "Delete it now" not in page.locator("main").inner_text()
    assert page.outside == []
