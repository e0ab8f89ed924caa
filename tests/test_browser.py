"""A few real journeys in headless Debian Chromium (Playwright), asserting no request leaves 127.0.0.1.

Screenshots are kept in ``test-artifacts/``. Chromium comes from Debian (``apt-get install chromium``);
``playwright install`` is never used (it downloads browsers).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.realdata, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path("test-artifacts")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="module")
def server(real_store_dir):
    """``grondstof serve`` as a user starts it, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "grondstof", "serve", "--port", str(port), "--store", str(real_store_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("grondstof serve did not answer /health within 15 s")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.outside = []
    tab.on(
        "request",
        lambda r: (
            tab.outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None
        ),
    )
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def _charts_drawn(page, minimum: int = 1) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('.chart.drawn svg').length >= {minimum}", timeout=15_000
    )


def test_overview_then_dutch_then_gallium(page, server) -> None:
    page.goto(server + "/?country=NL&lang=en")
    assert "Netherlands" in page.locator("h1").inner_text()
    _charts_drawn(page)
    page.get_by_role("link", name="NL", exact=True).click()
    page.wait_for_load_state()
    assert "Nederland" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Grondstoffen").first.click()
    page.get_by_role("link", name="gallium", exact=True).click()
    page.wait_for_load_state()
    assert "gallium" in page.locator("h1").inner_text()
    _charts_drawn(page, 2)
    assert page.locator(".chart.drawn svg path").count() > 50  # the world map's country shapes
    assert page.outside == []


def test_keyboard_reaches_content_and_navigation(page, server) -> None:
    page.goto(server + "/?country=NL")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_download_the_pdf_report(page, server) -> None:
    page.goto(server + "/material/cobalt?country=NL&lang=en")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name="PDF report").click()
    path = info.value.path()
    assert Path(path).read_bytes()[:4] == b"%PDF"
    assert page.outside == []


def test_phone_width_has_no_horizontal_scroll(browser, server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.goto(server + "/?country=NL")
    width = tab.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "overview-phone.png"), full_page=False)
    context.close()
    assert width <= 400


def test_run_a_cutoff_scenario_from_the_form(page, server) -> None:
    page.goto(server + "/scenarios?lang=en")
    page.get_by_role("link", name="Supplier cut-off").click()
    page.select_option("#preset", "CN-2023-GaGe")
    page.fill("#country", "NL")
    page.fill("#stock_days", "60")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() >= 1
    assert "gallium" in page.locator("main").inner_text().lower()
    _charts_drawn(page)
    assert page.outside == []


def test_pages_and_api_docs_keep_to_the_content_security_policy(page, server) -> None:
    """The dashboard, a material page with charts and tooltips, and Swagger UI at /docs render under the
    Content-Security-Policy (no inline script or injected style): Chromium reports no violation."""
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(server + "/?country=NL&lang=en")
    _charts_drawn(page)
    page.goto(server + "/material/gallium?country=NL&lang=en")
    _charts_drawn(page, 2)
    page.locator(".chart.drawn svg path").nth(10).hover()  # a Vega tooltip, styled by app.css
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert violations == []
    assert page.outside == []
