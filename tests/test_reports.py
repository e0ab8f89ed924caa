"""Reports: HTML self-contained, PDF rendered to an image and checked, Excel with a sources sheet."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from grondstof.cli import app
from grondstof.documents import document
from grondstof.report.render import to_html, write

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def gallium(real_store):
    return document("material", real_store, material="gallium", country="NL")


def test_material_report_content(gallium) -> None:
    assert gallium.title.startswith("Gallium")
    assert any("98.7 %" in s and "China" in s for s in gallium.summary)  # WMD 2024
    headings = [s.heading for s in gallium.sections]
    assert "World production" in headings and any(h.startswith("Imports of") for h in headings)
    assert {s["id"] for s in gallium.sources} >= {"wmd", "comext_cn8"}


def test_html_is_self_contained(gallium) -> None:
    html = to_html(gallium)
    assert "<svg" in html and 'src="http' not in html and 'href="http' not in html
    assert "World Mining Data" in html and "sha256" in html


def test_pdf_renders_pages_with_content(gallium, tmp_path: Path) -> None:
    pdf = write(gallium, "pdf", tmp_path / "g.pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "g.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("page*.png"))
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(image).convert("RGB")).astype(int)
    dark = int((rgb.mean(axis=2) < 128).sum())
    red = int(((rgb[..., 0] > 150) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)).sum())
    assert dark > 1_000  # title and summary text are drawn
    assert red > 200  # the map's China (98 %) is drawn in dark red: the chart made it into the PDF
    Path("test-artifacts").mkdir(exist_ok=True)
    shutil.copy(image, Path("test-artifacts") / "report-gallium-page1.png")


def test_country_report_excel_has_sources(real_store) -> None:
    data = write(document("country", real_store, country="NL", lang="nl"), "xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "sources" and "overview" in book.sheetnames
    assert book["overview"].max_row > 20


def test_report_cli_and_bad_format(real_store_dir, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        app,
        ["report", "material", "cobalt", "--country", "EU27", "-o", str(out), "--store", str(real_store_dir)],
    )
    assert result.exit_code == 0 and out.read_text().startswith("<!doctype html>")
    result = CliRunner().invoke(
        app, ["report", "country", "NL", "--format", "docx", "--store", str(real_store_dir)]
    )
    assert result.exit_code == 2 and "html, pdf, xlsx or json" in result.stderr


def test_report_download_from_dashboard(web) -> None:
    response = web.get("/report/material/cobalt.pdf", params={"country": "NL"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert web.get("/report/material/cobalt.doc").status_code == 400
