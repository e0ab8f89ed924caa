"""The scanner on the web: the upload API, the scan page and reports, and the privacy of company data.

The privacy tests prove what docs/scanner.md promises: an upload never touches the disk (the temporary
directory is compared before and after, and the ``tempfile`` functions that could spool it are made to fail),
is never logged (every log record of the request is searched for the file's name and content), never enters
the store, and is gone from memory once the session is deleted.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from grondstof.scanner import limits

pytestmark = pytest.mark.realdata

SECRET_NAME = "acme-confidential-bom.csv"
SECRET_PRODUCT = "AcmeSecretWidget"
BOM = (
    "product,component,material,mass,unit,units_per_year,supplier_country\n"
    f"{SECRET_PRODUCT},magnet,neodymium,0.2,kg,1000,China\n"
    f"{SECRET_PRODUCT},winding,copper,1.5,kg,1000,Chile\n"
).encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _files(root: Path) -> set[str]:
    # Read leases come and go with every request (and other test workers); they hold no data.
    return {str(p) for p in root.rglob("*") if "leases" not in p.parts} if root.exists() else set()


def test_upload_as_raw_body_and_as_multipart(web) -> None:
    raw = web.post(
        "/api/v1/scan/upload?country=NL&quantity=2", content=BOM, headers={"content-type": "text/csv"}
    )
    assert raw.status_code == 200, raw.text
    body = raw.json()
    by = {r["material"]: r for r in body["rows"]}
    assert by["neodymium"]["quantity_t"] == pytest.approx(0.4)  # 0.2 kg × 1000 × quantity 2
    multi = web.post(
        "/api/v1/scan/upload", files={"file": (SECRET_NAME, BOM, "text/csv")}, data={"quantity": "2"}
    )
    assert multi.status_code == 200
    assert {r["material"]: r["quantity_t"] for r in multi.json()["rows"]} == {
        r["material"]: r["quantity_t"] for r in body["rows"]
    }
    assert SECRET_NAME not in multi.text


def test_api_parameters_are_checked_by_the_scan_model(web) -> None:
    bad = web.post("/api/v1/scan/upload?quantity=-1", content=BOM, headers={"content-type": "text/csv"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "quantity"
    unknown = web.post("/api/v1/scan/upload?qantity=2", content=BOM, headers={"content-type": "text/csv"})
    assert unknown.status_code == 400 and unknown.json()["parameter"] == "qantity"
    empty = web.post("/api/v1/scan/upload", content=b"", headers={"content-type": "text/csv"})
    assert empty.status_code == 400 and empty.json()["parameter"] == "file"
    # The GET route takes shipped templates only: never a path on the server.
    path = web.get("/api/v1/scan", params={"source": "/etc/passwd"})
    assert path.status_code == 400 and path.json()["parameter"] == "source"
    listed = web.get("/api/v1/scan", params={"template": "../../etc/passwd"})
    assert listed.status_code == 400 and "shipped names" in listed.json()["expected"]


def test_bad_rows_get_422_listing_every_row(web) -> None:
    bad = BOM + b"X,seal,neodymum,-5,kgg,10,\nY,seal,copper,five,kg,10,\n"
    response = web.post("/api/v1/scan/upload", content=bad, headers={"content-type": "text/csv"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = {(e["line"], e["column"]) for e in response.json()["errors"]}
    assert errors == {(4, "material"), (4, "mass"), (4, "unit"), (5, "mass")}
    skipped = web.post(
        "/api/v1/scan/upload?skip_bad_rows=true", content=bad, headers={"content-type": "text/csv"}
    )
    assert skipped.status_code == 200
    assert [r["line"] for r in skipped.json()["meta"]["skipped_rows"]] == [4, 4, 4, 5]


def test_limits_give_413_naming_the_limit(web, monkeypatch) -> None:
    over = web.post(
        "/api/v1/scan/upload",
        content=b"x" * (limits.MAX_UPLOAD_BYTES + 1),
        headers={"content-type": "text/csv"},
    )
    assert over.status_code == 413 and over.json()["limit"] == "MAX_UPLOAD_BYTES"
    monkeypatch.setattr(limits, "MAX_ROWS", 1)
    rows = web.post("/api/v1/scan/upload", content=BOM, headers={"content-type": "text/csv"})
    assert rows.status_code == 413 and rows.json()["limit"] == "MAX_ROWS" and rows.json()["maximum"] == 1


def test_hostile_workbooks_are_refused(web) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 30_000_000)
    response = web.post("/api/v1/scan/upload", content=bomb.getvalue(), headers={"content-type": XLSX})
    assert response.status_code == 413 and response.json()["limit"] == "MAX_COMPRESSION_RATIO"
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["product", "material", "mass", "unit", "units_per_year"])
    book.active.append(["A", "cobalt", "=2*3", "kg", 1])
    data = io.BytesIO()
    book.save(data)
    formula = web.post("/api/v1/scan/upload", content=data.getvalue(), headers={"content-type": XLSX})
    assert formula.status_code == 400 and "formula" in formula.json()["detail"]
    pdf = web.post(
        "/api/v1/scan/upload", content=b"%PDF-1.4 ...", headers={"content-type": "application/pdf"}
    )
    assert pdf.status_code == 400 and "PDF" in pdf.json()["detail"]


def test_an_upload_never_touches_the_disk_the_logs_or_the_store(
    web, real_store, monkeypatch, caplog, tmp_path
) -> None:
    # A private temporary directory (the shared /tmp is busy with other processes): anything tempfile
    # would create lands here, and every tempfile function that could spool the upload is made to fail.
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    store_root = real_store.build_dir.parent.parent
    before_store = _files(store_root)
    # Libraries load first (WeasyPrint's cffi looks its C libraries up with temporary files), so that what is
    # guarded below is the handling of the upload itself.
    from weasyprint import HTML

    HTML(string="<p>warm-up</p>").write_pdf()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an upload must not be spooled to a temporary file")

    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    # Modules that imported a tempfile function before this test ran hold their own reference to it:
    # starlette's form parser and openpyxl's worksheet writer (which spools every sheet it writes).
    import openpyxl.worksheet._writer as sheet_writer
    import starlette.formparsers as form_parser

    monkeypatch.setattr(sheet_writer, "NamedTemporaryFile", refuse)
    monkeypatch.setattr(form_parser, "SpooledTemporaryFile", refuse)
    big = BOM + b"".join(f"{SECRET_PRODUCT}{n},part,cobalt,1,g,10,\n".encode() for n in range(40_000))
    assert len(big) > 1_500_000  # above starlette's 1 MB spooling threshold
    caplog.set_level(logging.DEBUG)
    page = web.post(
        "/scan", files={"file": (SECRET_NAME, big, "text/csv")}, data={"country": "NL", "lang": "en"}
    )
    assert page.status_code == 200, page.text[:500]
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("html", b"<!doctype")):
        report = web.post(f"/api/v1/scan/upload/report.{fmt}", files={"file": (SECRET_NAME, BOM, "text/csv")})
        assert report.status_code == 200 and report.content[: len(magic)] == magic, fmt
    assert _files(temp) == set()
    assert _files(store_root) == before_store
    for path in store_root.rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert SECRET_PRODUCT.encode() not in path.read_bytes(), path
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET_NAME not in logged and SECRET_PRODUCT not in logged
    assert SECRET_NAME not in page.text  # the file's name is not echoed either


def test_the_page_keeps_an_upload_for_the_session_until_deleted(web) -> None:
    page = web.post("/scan", files={"file": (SECRET_NAME, BOM, "text/csv")}, data={"lang": "en"})
    assert page.status_code == 200 and "neodymium" in page.text
    assert "/scan/report.pdf?" in page.text and "upload=1" in page.text
    report = web.get("/scan/report.pdf?upload=1")
    assert report.status_code == 200 and report.content[:4] == b"%PDF"
    sessions = web.app.state.scan_sessions
    assert len(sessions) >= 1
    deleted = web.post("/scan/delete", follow_redirects=False)
    assert deleted.status_code == 303
    web.cookies.clear()
    gone = web.get("/scan/report.pdf?upload=1")
    assert gone.status_code == 404


def test_bad_rows_on_the_page_then_scan_without_them(web) -> None:
    bad = BOM + b"X,seal,neodymum,5,kg,10,\n"
    page = web.post("/scan", files={"file": ("x.csv", bad, "text/csv")}, data={"lang": "en"})
    assert page.status_code == 422
    assert "neodymum" in page.text and "Scan without the bad rows" in page.text
    again = web.post("/scan/session", data={"skip_bad_rows": "1", "lang": "en"})
    assert again.status_code == 200 and "Rows left out" in again.text
    web.post("/scan/delete")
    web.cookies.clear()


def test_sessions_expire_and_are_bounded(monkeypatch) -> None:
    import time

    from grondstof.web.scan_pages import Sessions, Upload

    store = Sessions()
    monkeypatch.setattr(limits, "MAX_SESSIONS", 2)
    now = time.monotonic()
    tokens = [store.put(None, Upload(b"x", {}, now - 10 + n / 1000)) for n in range(3)]
    assert store.get(tokens[0]) is None and len(store) == 2  # the oldest was pushed out
    monkeypatch.setattr(limits, "SESSION_SECONDS", 0)
    assert store.get(tokens[2]) is None  # expired
    assert len(store) == 0


def test_template_scans_on_the_page_and_as_reports(web) -> None:
    page = web.get("/scan?template=ev_lfp&quantity=100&lang=nl")
    assert page.status_code == 200 and "Jaarbehoefte" in page.text
    report = web.get("/scan/report.html?template=solar_pv_1mw&quantity=3")
    assert report.status_code == 200 and "silver" in report.text and "Hallam" in report.text
    xlsx = web.get("/scan/report.xlsx?template=heat_pump&quantity=10")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = web.get("/download/scan.csv?template=e_bike&quantity=5")
    assert csv.status_code == 200 and csv.text.startswith("material,")
    blank = web.get("/scan/input/product_groups.xlsx")
    assert blank.status_code == 200 and blank.content[:2] == b"PK"
    assert os.environ.get("GRONDSTOF_TEST_NOTHING") is None


def test_scan_page_values_at_market_prices_from_the_profile(web, real_store) -> None:
    """The page's price-date field: market columns in the table and the EUR totals of the library's firm
    profile in the headline figures."""
    from grondstof.scanner.query import scan, sub_result

    plain = web.get("/scan?template=ev_nmc&quantity=1000")
    assert plain.status_code == 200 and 'name="price_date"' in plain.text
    assert "Yearly value at market price" not in plain.text
    page = web.get("/scan?template=ev_nmc&quantity=1000&price_date=2022-03")
    assert page.status_code == 200 and "Yearly value at market price" in page.text
    assert 'value="2022-03"' in page.text
    firm = [
        r
        for r in sub_result(
            scan("ev_nmc", quantity=1000, price_date="2022-03", store=real_store), "profile"
        ).rows
        if r["scope"] == "firm" and r["indicator"] == "yearly value at market price"
    ]
    assert f"EUR {firm[0]['value']:,.0f}" in page.text
    bad = web.get("/scan?template=ev_nmc&quantity=1000&price_date=March")
    assert bad.status_code == 400 and "price_date" in bad.text
