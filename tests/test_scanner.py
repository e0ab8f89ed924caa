"""The scanner (issue 11): kernels, reading company files, hostile input, templates, and real scans.

Kernel and reader tests use files written here (hand-made bills of materials with known masses); tests
marked ``realdata`` scan through the real store built from the shared data.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import pytest
from typer.testing import CliRunner

from grondstof.errors import InputError
from grondstof.scanner import kernel, limits
from grondstof.scanner.readers import BadRowsError, detect_kind, input_template, read_table

# ---- kernels ---------------------------------------------------------------------------------------------


def test_yearly_tonnes_in_every_unit() -> None:
    assert kernel.yearly_tonnes(350, kernel.MASS_UNITS["g"], 12_000) == pytest.approx(4.2)
    assert kernel.yearly_tonnes(2, kernel.MASS_UNITS["kg"], 500, content=0.29) == pytest.approx(0.29)
    assert kernel.yearly_tonnes(1, kernel.MASS_UNITS["t"], 3, quantity=2) == 6
    # The avoirdupois pound is exactly 0.45359237 kg (1959 international agreement).
    assert kernel.yearly_tonnes(1000, kernel.MASS_UNITS["lb"], 1) == pytest.approx(0.45359237, rel=1e-15)
    with pytest.raises(ValueError, match="mass"):
        kernel.yearly_tonnes(-1, 1.0, 1)


def test_product_group_tonnes_assumes_grams_per_kg() -> None:
    # 250 t of products at 1.08 g/kg cobalt and 331 g/kg iron: 0.27 t and 82.75 t; zero coefficients dropped.
    out = kernel.product_group_tonnes(250, {"cobalt": 1.08, "iron_ore": 331, "gallium": 0.0})
    assert out == {"cobalt": pytest.approx(0.27), "iron_ore": pytest.approx(82.75)}


def test_supplier_mix_combines_own_figures_with_the_import_pattern() -> None:
    mix, weight = kernel.mix_suppliers({"CHN": 3.0}, 1.0, {"AUS": 0.5, "CHN": 0.5})
    assert weight == pytest.approx(0.75)
    assert mix == {"CHN": pytest.approx(0.875), "AUS": pytest.approx(0.125)}
    assert sum(mix.values()) == pytest.approx(1.0)
    # Without a pattern the mix covers only the named part (the rest is unknown, not zero).
    mix, weight = kernel.mix_suppliers({"CHN": 1.0, "ZAF": 1.0}, 2.0, None)
    assert weight == 0.5 and mix == {"CHN": 0.5, "ZAF": 0.5}
    assert kernel.mix_suppliers({}, 0.0, None) == ({}, 0.0)


def test_concentration_instability_and_company_geopolrisk() -> None:
    assert kernel.hhi([0.5, 0.5]) == 0.5
    assert kernel.hhi([]) is None
    assert kernel.instability(2.5) == 0.0 and kernel.instability(-2.5) == 1.0
    assert kernel.instability(5.0) == 0.0  # clipped
    assert kernel.instability(None) == 0.5  # geopolrisk-py's value for a missing WGI estimate
    # score = HHI_world × Σ s g: 0.6 × (0.5 × 0.2 + 0.5 × 0.5) with g(1.5) = 0.2 and a missing estimate 0.5.
    score = kernel.company_geopolrisk(0.6, {"AUS": 0.5, "XXX": 0.5}, {"AUS": 1.5})
    assert score == pytest.approx(0.6 * (0.5 * 0.2 + 0.5 * 0.5))
    assert kernel.company_geopolrisk(None, {"AUS": 1.0}, {}) is None


def test_controlled_share_is_unknown_without_a_mix() -> None:
    assert kernel.controlled_share({"CHN": 0.7, "AUS": 0.3}, ["CHN"]) == pytest.approx(0.7)
    assert kernel.controlled_share({}, ["CHN"]) is None


def test_preset_effect() -> None:
    # 10 t need, 40 % from the supplier, full stop for 6 months: 2 t lost; nationally half the loss remains.
    effect = kernel.preset_effect(10, 0.4, 1.0, 6, 0.8, 0.4)
    assert effect.lost == pytest.approx(2.0)
    assert effect.shortfall == pytest.approx(1.0) and effect.replaced == pytest.approx(1.0)
    assert kernel.preset_effect(10, 0.0, 1.0, 12, 0.0, 0.0) == kernel.PresetEffect(0.0, 0.0, 0.0)
    unknown = kernel.preset_effect(10, 0.5, 1.0, 12, None, None)
    assert unknown.lost == 5 and unknown.shortfall is None


def test_weighted_figure_shows_its_parts() -> None:
    figure = kernel.weighted_figure([("a", 3.0, 0.2), ("b", 1.0, 1.0), ("c", None, 0.9), ("d", 2.0, None)])
    assert figure.mean == pytest.approx((3 * 0.2 + 1 * 1.0) / 4)
    assert figure.maximum == 1.0 and figure.maximum_material == "b"
    assert figure.counted == 2 and figure.left_out == ("c", "d")
    assert [c.material for c in figure.contributions] == ["b", "a"]
    assert figure.contributions[0].share == pytest.approx(1.0 / 1.6)


# ---- reading files ---------------------------------------------------------------------------------------

BOM = """product,component,material,mass,unit,units_per_year,supplier_country
Motor A,magnet,neodymium,0.2,kg,1000,China
Motor A,winding,copper,1.5,kg,1000,Chile
Pump B,winding,copper,2,lb,500,
Pump B,housing,aluminium,3000,g,500,
"""


def _xlsx(rows: list[list[object]], sheets: int = 1) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"extra{n}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_and_xlsx_give_the_same_cells() -> None:
    table = read_table(BOM.encode())
    assert detect_kind(table) == "bom"
    assert table.rows[0] == (2, ["Motor A", "magnet", "neodymium", "0.2", "kg", "1000", "China"])
    rows = [line.split(",") for line in BOM.strip().splitlines()]
    sheet = read_table(_xlsx(rows))
    assert sheet.header == table.header
    assert [r[0] for r in sheet.rows] == [2, 3, 4, 5]


def test_semicolons_mean_decimal_commas() -> None:
    from grondstof.scanner.inputs import parse_table

    text = "product;material;mass;unit;units_per_year\nA;kobalt;1,5;kg;1.000\n"
    parsed = parse_table(read_table(text.encode("cp1252")), "bom", quantity=1.0)
    assert parsed.problems == []
    assert parsed.needs[0].material == "cobalt"
    assert parsed.needs[0].tonnes == pytest.approx(1.5)  # 1,5 kg × 1.000 units = 1.5 t


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 hello", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old binary Excel"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"abc\x00def\nx,y\n", "binary"),
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_wrong_file_types_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_table(data, "upload")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(InputError, match="not an Excel workbook"):
        read_table(buffer.getvalue())


def test_a_zip_bomb_is_refused_before_unpacking() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 20_000_000)
    with pytest.raises(limits.LimitError) as info:
        read_table(buffer.getvalue())
    assert info.value.limit == "MAX_COMPRESSION_RATIO"


def test_an_unpacked_size_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(limits.LimitError) as info:
        read_table(_xlsx([["product", "material"]]))
    assert info.value.limit == "MAX_UNPACKED_BYTES" and "at most 1,000" in str(info.value)


def test_macro_enabled_workbooks_are_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["a"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(InputError, match="macro"):
        read_table(buffer.getvalue())


def test_formula_cells_are_refused() -> None:
    data = _xlsx(
        [["product", "material", "mass", "unit", "units_per_year"], ["A", "cobalt", "=1+1", "kg", 1]]
    )
    with pytest.raises(InputError, match="C2 holds a formula"):
        read_table(data)


def test_too_many_sheets_rows_and_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(limits.LimitError) as info:
        read_table(_xlsx([["a"]], sheets=limits.MAX_SHEETS + 1))
    assert info.value.limit == "MAX_SHEETS"
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    with pytest.raises(limits.LimitError) as info:
        read_table(BOM.encode())
    assert info.value.limit == "MAX_ROWS"
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(limits.LimitError) as info:
        read_table(BOM.encode())
    assert info.value.limit == "MAX_UPLOAD_BYTES"


def test_a_header_of_no_kind_names_what_each_kind_needs() -> None:
    with pytest.raises(InputError) as info:
        detect_kind(read_table(b"name,weight\nA,1\n"))
    assert "bill of materials: product, material, mass, unit, units_per_year" in info.value.expected


def test_bad_rows_are_all_listed_with_line_and_column() -> None:
    from grondstof.scanner.inputs import parse_table

    text = BOM + (
        "Pump B,seal,neodymum,5,kg,10,\n"  # unknown material: suggestions
        "Pump B,seal,copper,-5,kg,10,\n"  # negative mass
        "Pump B,seal,copper,five,kg,10,\n"  # text in a number
        "Pump B,seal,copper,5,kgg,10,\n"  # unit typo
        "Pump B,seal,copper,5,kg,10,Narnia\n"  # unknown country
        "Pump B,seal,copper,5,kg,=SUM(A1),\n"  # a formula in a CSV cell
    )
    parsed = parse_table(read_table(text.encode()), "bom", quantity=1.0)
    found = {(p.line, p.column) for p in parsed.problems}
    assert found == {
        (6, "material"),
        (7, "mass"),
        (8, "mass"),
        (9, "unit"),
        (10, "supplier_country"),
        (11, "units_per_year"),
    }
    typo = next(p for p in parsed.problems if p.column == "material")
    assert "neodymium" in typo.suggestions
    assert next(p for p in parsed.problems if p.column == "unit").suggestions == ("kg",)
    assert len(parsed.needs) == 4  # the valid rows are kept, not silently dropped
    error = BadRowsError("bom.csv", parsed.problems, len(parsed.needs))
    assert "6 bad row(s)" in str(error) and "line 7, column 'mass'" in str(error)


def test_input_templates_have_an_example_row_that_reads_back() -> None:
    from grondstof.scanner.inputs import parse_table

    csv_text = input_template("bom", "csv")
    parsed = parse_table(read_table(csv_text), "bom", quantity=1.0)
    assert parsed.problems == [] and parsed.needs[0].material == "neodymium"
    assert parsed.needs[0].tonnes == pytest.approx(0.35 * 12000 / 1000)
    book = read_table(input_template("imports", "xlsx"))
    assert detect_kind(book) == "imports" and len(book.rows) == 1
    with pytest.raises(InputError, match="kind"):
        input_template("invoices")


# ---- templates -------------------------------------------------------------------------------------------


def test_every_template_validates_and_cites_each_figure() -> None:
    from grondstof.scanner.templates import STORE_SOURCES, templates

    found = templates()
    assert {t.id for t in found} >= {
        "smartphone",
        "ev_nmc",
        "ev_lfp",
        "offshore_wind_15mw",
        "solar_pv_1mw",
        "pem_electrolyser_1mw",
        "heat_pump",
        "e_bike",
    }
    for template in found:
        for component in template.components:
            for line in component.lines:
                assert line.source in template.sources, (template.id, line.material)
        for alternative in template.alternatives:
            assert alternative.source in template.sources or alternative.source in STORE_SOURCES


def test_a_template_with_an_unknown_source_is_refused() -> None:
    from pydantic import ValidationError

    from grondstof.scanner.templates import Template

    with pytest.raises(ValidationError, match="source 'nowhere' is not in sources"):
        Template.model_validate(
            {
                "id": "x",
                "name": "x",
                "name_nl": "x",
                "unit": "u",
                "unit_nl": "u",
                "description": "d",
                "sources": {},
                "components": [
                    {
                        "component": "c",
                        "lines": [{"material": "cobalt", "mass": 1, "unit": "g", "source": "nowhere"}],
                    }
                ],
            }
        )


def test_unknown_templates_get_suggestions() -> None:
    from grondstof.scanner.templates import resolve_template

    assert resolve_template("telefoon").id == "smartphone"
    with pytest.raises(InputError) as info:
        resolve_template("smartphon")
    assert "smartphone" in info.value.suggestions


# ---- real scans ------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    "template",
    [
        "smartphone",
        "ev_nmc",
        "ev_lfp",
        "offshore_wind_15mw",
        "solar_pv_1mw",
        "pem_electrolyser_1mw",
        "heat_pump",
        "e_bike",
    ],
)
def test_every_template_scans_end_to_end(real_store, template: str) -> None:
    from grondstof.scanner.query import scan
    from grondstof.scanner.templates import expand, load_template

    result = scan(template, quantity=10, store=real_store, date="2025-06-01")
    expected: dict[str, float] = {}
    for line in expand(load_template(template), real_store):
        expected[line.material] = expected.get(line.material, 0.0) + 10 * line.tonnes_per_unit
    assert {r["material"]: r["quantity_t"] for r in result.rows} == pytest.approx(expected)
    assert result.meta["profile"][0]["scope"] == "firm"
    assert result.meta["sources"], "every scan cites its sources"
    for row in result.rows:
        assert row["supplier_basis"] in ("import pattern", "none")
        if row["value"] is not None:
            assert row["currency"] in ("USD", "EUR") and row["price_source"]
    json.dumps(result.to_dict())  # JSON-ready


@pytest.mark.realdata
def test_a_hand_made_bill_of_materials_gives_exact_totals(real_store) -> None:
    from grondstof.scanner.query import scan

    result = scan(upload=BOM.encode(), label="upload", store=real_store, date="2025-06-01")
    by = {r["material"]: r for r in result.rows}
    assert by["neodymium"]["quantity_t"] == pytest.approx(0.2)  # 0.2 kg × 1000
    # 1.5 kg × 1000 + 2 lb × 500 = 1.5 t + 0.45359237 t
    assert by["copper"]["quantity_t"] == pytest.approx(1.95359237, rel=1e-12)
    assert by["aluminium"]["quantity_t"] == pytest.approx(1.5)  # 3000 g × 500
    # Neodymium: the file names China for all of it; copper: Chile for 1.5 of 1.95 t, the rest the pattern.
    assert by["neodymium"]["supplier_basis"] == "own"
    assert by["neodymium"]["top_supplier"] == "CHN" and by["neodymium"]["top_supplier_share"] == 1.0
    assert by["copper"]["supplier_basis"] == "own + import pattern"
    assert by["copper"]["own_share"] == pytest.approx(1.5 / 1.95359237)
    assert by["aluminium"]["supplier_basis"] == "import pattern"
    firm = [p for p in result.meta["profile"] if p["scope"] == "firm"]
    assert firm[0]["value"] == pytest.approx(0.2 + 1.95359237 + 1.5)
    assert {p["scope"] for p in result.meta["profile"]} == {"firm", "product: Motor A", "product: Pump B"}
    assert "upload" in result.title and "Motor" not in result.title


@pytest.mark.realdata
def test_skip_bad_rows_scans_the_rest_and_lists_the_bad_ones(real_store) -> None:
    from grondstof.scanner.query import scan

    bad = (BOM + "Pump B,seal,neodymum,5,kg,10,\n").encode()
    with pytest.raises(BadRowsError) as info:
        scan(upload=bad, store=real_store)
    assert info.value.problems[0].line == 6
    result = scan(upload=bad, store=real_store, skip_bad_rows=True)
    assert result.meta["skipped_rows"][0]["line"] == 6
    assert len(result.rows) == 3 and result.meta["input"]["skipped_rows"] == 1


@pytest.mark.realdata
def test_import_records_map_codes_and_name_unknown_ones(real_store) -> None:
    from grondstof.scanner.query import scan

    text = (
        "code,origin,quantity,quantity_unit,value,currency,year\n"
        "2836.91.00,Chile,100,t,1200000,USD,2024\n"  # lithium carbonate: content factor Li
        "81129289,China,250,kg,90000,EUR,2024\n"  # gallium, unwrought
        "811292,China,40,kg,,,2024\n"  # HS6 basket of Ga, Ge, In, …
        "99999999,Germany,5,t,,,2024\n"  # not in the registry: named, not dropped
    )
    result = scan(upload=text.encode(), store=real_store, date="2025-06-01")
    by = {r["material"]: r for r in result.rows}
    li = 2 * 6.94 / (2 * 6.94 + 12.011 + 3 * 15.999)  # Li in Li2CO3, standard atomic weights
    assert by["lithium"]["quantity_t"] == pytest.approx(100 * li, rel=1e-9)
    assert by["lithium"]["quantity_basis"] == "content" and by["lithium"]["top_supplier"] == "CHL"
    assert by["gallium"]["quantity_t"] == pytest.approx(0.25)  # no factor cited: gross weight, labelled
    assert "gross" in by["gallium"]["quantity_basis"] and "basket" in by["gallium"]["quantity_basis"]
    # The company's own values are its price: what it paid, in its currency (never added across currencies).
    assert by["lithium"]["value"] == pytest.approx(1_200_000) and by["lithium"]["currency"] == "USD"
    assert by["gallium"]["value"] == pytest.approx(90_000) and by["gallium"]["currency"] == "EUR"
    assert "own import values" in by["lithium"]["price_source"]
    assert by["germanium"]["quantity_t"] is None and by["germanium"]["basket_gross_t"] == pytest.approx(0.04)
    assert by["germanium"]["value"] is None  # a basket's value is not attributed to one material
    assert "basket" in by["germanium"]["flags"]
    unmapped = result.meta["unmapped_codes"]
    assert unmapped == [{"code": "99999999", "lines": [5], "tonnes": 5.0, "values": {}, "line_count": 1}]
    assert any("99999999" in note for note in result.meta["notes"])


@pytest.mark.realdata
def test_product_groups_use_the_tno_coefficients(real_store) -> None:
    from grondstof.scanner import tno
    from grondstof.scanner.query import scan

    coefficients = tno.load_coefficients(real_store).coefficients["Transportmiddelen"]
    text = "product_group,amount,unit,eur_per_kg\nTransportmiddelen,250,t,\n19,500000,EUR,2\n"
    result = scan(upload=text.encode(), store=real_store)
    by = {r["material"]: r for r in result.rows}
    # 250 t + 500,000 EUR ÷ 2 EUR/kg = 250 t more: 500 t of transport equipment in all.
    assert by["cobalt"]["quantity_t"] == pytest.approx(500 * coefficients["cobalt"] / 1000)
    assert math.isclose(
        coefficients["cobalt"], 1.08, rel_tol=0.01
    )  # PROVENANCE: transport equipment, cobalt 1.08
    assert any("grams of material per kg" in note for note in result.meta["notes"])
    with pytest.raises(BadRowsError) as info:
        scan(
            upload=b"product_group,amount,unit\nTransportmiddelen,5,EUR\nVliegtuigen,1,t\n", store=real_store
        )
    assert {(p.line, p.column) for p in info.value.problems} == {(2, "eur_per_kg"), (3, "product_group")}


@pytest.mark.realdata
def test_presets_and_controls_follow_the_suppliers(real_store) -> None:
    from grondstof.scanner.query import scan

    text = "product,material,mass,unit,units_per_year,supplier_country\nChip,gallium,1,kg,100,China\n"
    result = scan(upload=text.encode(), store=real_store, date="2024-06-01")
    row = result.rows[0]
    assert row["controls"] == ["CN-2023-GaGe"] and row["controlled_share"] == 1.0
    effect = next(p for p in result.meta["presets"] if p["preset"] == "CN-2023-GaGe")
    assert effect["share_from_supplier"] == 1.0 and effect["lost_t"] == pytest.approx(0.1)
    assert effect["shortfall_t"] is not None and 0 <= effect["shortfall_t"] <= 0.1
    before = scan(upload=text.encode(), store=real_store, date="2023-01-01")
    assert before.rows[0]["controls"] == [] and before.rows[0]["controlled_share"] == 0


@pytest.mark.realdata
def test_the_nmc_car_shows_the_lfp_alternative(real_store) -> None:
    from grondstof.scanner.query import scan

    result = scan("ev_nmc", quantity=1000, store=real_store)
    cobalt = [o for o in result.meta["options"] if o["material"] == "cobalt" and o["kind"] == "design"]
    lfp = next(o for o in cobalt if "ev_lfp" in o["option"])
    need = next(r["quantity_t"] for r in result.rows if r["material"] == "cobalt")
    assert lfp["figure"] == pytest.approx(-need)  # LFP has no cobalt
    kinds = {o["kind"] for o in result.meta["options"]}
    assert kinds >= {"alternative supplier", "recycled content", "design"}


# ---- the command line ------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_cli_scan_json_report_and_errors(real_store_dir, tmp_path) -> None:
    from grondstof.cli import app

    runner = CliRunner()
    store = ["--store", str(real_store_dir)]
    out = runner.invoke(app, ["scan", "smartphone", "--quantity", "1000", "--json", *store])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["meta"]["query"]["quantity"] == 1000 and body["rows"]
    listed = runner.invoke(app, ["scan", "--templates", "--csv", *store])
    assert listed.exit_code == 0 and "pem_electrolyser_1mw" in listed.stdout
    blank = runner.invoke(app, ["scan", "--input-template", "imports"])
    assert blank.stdout.startswith("code,origin,quantity")
    bom = tmp_path / "bom.csv"
    bom.write_text(BOM + "Pump B,seal,neodymum,5,kgg,10,\n")
    bad = runner.invoke(app, ["scan", str(bom), *store])
    assert bad.exit_code == 2
    assert "line 6, column 'material'" in bad.stderr and "line 6, column 'unit'" in bad.stderr
    skipped = runner.invoke(app, ["scan", str(bom), "--skip-bad-rows", "--csv", *store])
    assert skipped.exit_code == 0 and "neodymium" in skipped.stdout
    pdf = tmp_path / "scan.pdf"
    written = runner.invoke(app, ["scan", str(bom), "--skip-bad-rows", "--report", str(pdf), *store])
    assert written.exit_code == 0 and pdf.read_bytes()[:4] == b"%PDF"
    missing = runner.invoke(app, ["scan", str(tmp_path / "nope.csv"), *store])
    assert missing.exit_code == 2 and "an existing CSV or XLSX file" in missing.stderr


@pytest.mark.realdata
def test_cli_refuses_a_file_over_the_limit(real_store_dir, tmp_path, monkeypatch) -> None:
    from grondstof.cli import app

    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 50)
    bom = tmp_path / "bom.csv"
    bom.write_text(BOM)
    out = CliRunner().invoke(app, ["scan", str(bom), "--store", str(real_store_dir)])
    assert out.exit_code == 2 and "MAX_UPLOAD_BYTES" in out.stderr


def test_the_input_documentation_names_every_column_and_limit() -> None:
    from pathlib import Path

    from grondstof.scanner.readers import KINDS

    text = (Path(__file__).resolve().parents[1] / "docs" / "scanner.md").read_text()
    for columns in KINDS.values():
        for column in columns:
            assert f"`{column.name}`" in text, column.name
    for name, value in limits.LIMITS.items():
        assert f"`{name}`" in text and f"{value:,}" in text, name


@pytest.mark.realdata
def test_a_ban_on_raw_ore_reaches_only_ore_imports(real_store) -> None:
    from grondstof.scanner.query import scan

    bom = "product,material,mass,unit,units_per_year,supplier_country\nBattery,nickel,1,kg,1000,Indonesia\n"
    processed = scan(upload=bom.encode(), store=real_store, date="2024-06-01")
    effect = next(p for p in processed.meta["presets"] if p["preset"] == "ID-2020-NI")
    assert effect["share_from_supplier"] == 0 and effect["lost_t"] == 0
    assert "ores" in effect["national_basis"]
    ore = "code,origin,quantity,quantity_unit,year\n260400,Indonesia,10,t,2024\n750210,Indonesia,10,t,2024\n"
    records = scan(upload=ore.encode(), store=real_store, date="2024-06-01")
    effect = next(p for p in records.meta["presets"] if p["preset"] == "ID-2020-NI")
    assert effect["share_from_supplier"] == pytest.approx(0.5)  # the ore, not the refined nickel
    assert effect["lost_t"] == pytest.approx(10.0)  # 20 t gross × 0.5 × 12/12
