"""EU CRM 2023 tables: scores, supply shares, end uses and groupings."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.compute as pc
import pytest

from grondstof.errors import SourceFormatError
from grondstof.registry.materials import materials
from grondstof.schema import TABLES
from grondstof.sources import eu_crm


def _variant(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    """Copy ``fixture`` into ``tmp_path`` (same file name) with ``old`` replaced by ``new`` once."""
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / fixture.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _error(parser, path: Path) -> SourceFormatError:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceFormatError) as info:
        parser(path)
    return info.value


def _eu(name: str) -> str:
    found = materials().from_eu_crm_name(name)
    assert found is not None, name
    return found.id


# -- scores ---------------------------------------------------------------------------------------------


def test_scores(fixtures: Path) -> None:
    table = eu_crm.parse_scores_file(fixtures / "eu_crm" / "crm_sr_ei_over_time.csv")
    assert table.schema == TABLES["eu_crm_scores"]
    rows = table.to_pylist()
    assert len(rows) == 5
    gallium = next(r for r in rows if r["material_label"] == "Gallium" and r["year"] == 2023)
    assert gallium["material"] == "gallium"
    assert (gallium["sr"], gallium["ei"]) == (3.8, 3.6)
    bauxite = next(r for r in rows if r["material_label"] == "Bauxite")
    assert bauxite["sr"] is None and bauxite["ei"] is None  # '-' = not assessed
    # The quoted line break becomes a space in the label; the material still resolves.
    teak = next(r for r in rows if r["material_label"] == "Natural Teak wood")
    assert teak["material"] and teak["sr"] == 1.6


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("Material,Year,SR,EI", "Material,Year,SR,E", 1, "EI"),
        ("Cobalt,2023,2.7,5.8", "Cobalt,2023,high,5.8", 7, "SR"),  # line 7: the teak row spans lines 5-6
        ("Cobalt,2023,2.7,5.8", "Cobalt,2023,2.7,-5.8", 7, "EI"),
        ("Cobalt,2023,2.7,5.8", "Cobalt,20x3,2.7,5.8", 7, "Year"),
        ("Cobalt,2023,2.7,5.8", "Unobtainium,2023,2.7,5.8", 7, "Material"),
        ("Cobalt,2023,2.7,5.8", "Gallium,2023,2.7,5.8", 7, "Year"),  # duplicate (Gallium, 2023)
        # Another spelling of the teak wood of lines 5-6: the same material twice in 2023.
        ("Cobalt,2023,2.7,5.8", "Natural teak wood,2023,2.7,5.8", 7, "Year"),
    ],
)
def test_scores_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / "eu_crm" / "crm_sr_ei_over_time.csv", old, new)
    error = _error(eu_crm.parse_scores_file, path)
    assert (error.line, error.column) == (line, column)


# -- supply shares --------------------------------------------------------------------------------------


def test_global_supply(fixtures: Path) -> None:
    table = eu_crm.parse_supply_file(fixtures / "eu_crm" / "global_supply_shares_2023.csv")
    assert table.schema == TABLES["eu_crm_supply"]
    rows = table.to_pylist()
    assert len(rows) == 8
    assert {r["scope"] for r in rows} == {"global"}
    china = next(r for r in rows if r["country_label"] == "China")
    assert china["material"] == "gallium" and china["stage"] == "processing"
    assert china["country"] == "CHN" and china["share"] == pytest.approx(0.92) and china["t"] == 1.0
    russia = next(r for r in rows if r["country_label"] == "Russia")
    assert russia["share"] == pytest.approx(0.0005) and russia["share_text"] == "<0.1%"
    other = next(r for r in rows if r["country_label"] == "Other")
    assert other["country"] is None and other["share"] == pytest.approx(0.06)
    by_label = {r["country_label"]: r["country"] for r in rows}
    assert by_label["Congo, D.R."] == "COD" and by_label["Congo"] == "COG"
    assert by_label["Brasilia"] == "BRA"  # a slip in the study, an alias in the registry
    cobalt = next(r for r in rows if r["country_label"] == "Indonesia")
    assert cobalt["stage"] == "extraction"


def test_eu_sourcing_known_fix(fixtures: Path) -> None:
    table = eu_crm.parse_supply_file(fixtures / "eu_crm" / "eu_sourcing_shares_2023.csv")
    rows = table.to_pylist()
    assert {r["scope"] for r in rows} == {"eu_sourcing"}
    germany = next(r for r in rows if r["country_label"] == "Germany")
    assert germany["share"] == pytest.approx(0.06) and germany["share_text"] == "6"
    assert [r["country"] for r in rows if r["country_label"] == "Brasil"] == ["BRA"]


def test_bare_number_outside_known_fix_fails(fixtures: Path, tmp_path: Path) -> None:
    path = _variant(
        tmp_path, fixtures / "eu_crm" / "eu_sourcing_shares_2023.csv", "Finland,58%", "Finland,58"
    )
    error = _error(eu_crm.parse_supply_file, path)
    assert (error.line, error.column, error.value) == (3, "Share", "58")


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("Material,Stage,Country,Share,t", "Material,Stage,Land,Share,t", 1, "Country"),
        ("Japan,1.5%", "Japan,abc%", 3, "Share"),
        ("Japan,1.5%", "Japan,101%", 3, "Share"),
        ("Japan,1.5%", "Japan,-1%", 3, "Share"),
        ("Japan,1.5%", "Atlantis,1.5%", 3, "Country"),
        ("Gallium,P,Japan", "Unobtainium,P,Japan", 3, "Material"),
        ("Gallium,P,Japan", "Gallium,X,Japan", 3, "Stage"),
        ("Japan,1.5%,0.8", "Japan,1.5%,", 3, "t"),
        ("Japan,1.5%,0.8", "Japan,1.5%,0", 3, "t"),
        ("Gallium,P,Russia", "Gallium,P,Japan", 4, "Country"),  # duplicate (Gallium, P, Japan)
        ("Gallium,P,Russia", "GALLIUM,P,Japan", 4, "Country"),  # the same material spelt differently
        ("Gallium,P,Russia,<0.1%", "Gallium,P,Nippon,1%", 4, "Country"),  # unknown name
        ("Gallium,P,Other,6%", "Gallium,P,Other,12%", 5, "Share"),  # sum 105.55% > 105%
    ],
)
def test_supply_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / "eu_crm" / "global_supply_shares_2023.csv", old, new)
    error = _error(eu_crm.parse_supply_file, path)
    assert (error.line, error.column) == (line, column)


def test_two_spellings_of_one_country(fixtures: Path, tmp_path: Path) -> None:
    path = _variant(tmp_path, fixtures / "eu_crm" / "eu_sourcing_shares_2023.csv", "Norway,41%", "Brazil,41%")
    error = _error(eu_crm.parse_supply_file, path)
    assert (error.line, error.column) == (6, "Country")
    assert "BRA" in str(error.value)


def test_supply_scope_from_name(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "shares.csv"
    path.write_text((fixtures / "eu_crm" / "global_supply_shares_2023.csv").read_text(encoding="utf-8"))
    with pytest.raises(SourceFormatError):
        eu_crm.parse_supply_file(path)
    assert eu_crm.parse_supply_file(path, "global").num_rows == 8


def test_parse_share() -> None:
    assert eu_crm.parse_share("63%") == pytest.approx(0.63)
    assert eu_crm.parse_share("<0.1%") == pytest.approx(0.0005)
    assert eu_crm.parse_share(">0%") == pytest.approx(0.0025)
    assert eu_crm.parse_share("100%") == 1.0
    for bad in ("abc%", "63", ">5%", "6 3%", "", "%"):
        assert eu_crm.parse_share(bad) is None, bad


# -- end uses -------------------------------------------------------------------------------------------


def test_uses(fixtures: Path) -> None:
    table = eu_crm.parse_uses_file(fixtures / "eu_crm" / "material_use_shares_2023.csv")
    assert table.schema == TABLES["eu_crm_uses"]
    rows = table.to_pylist()
    # The identical Magnesium/Construction copy is a known upstream duplicate and is kept once.
    assert len(rows) == 5
    assert sum(r["material_label"] == "Magnesium" and r["application"] == "Construction" for r in rows) == 1
    other = next(r for r in rows if r["application"] == "Other")
    assert other["nace_sector"] == "" and other["value_added_meur"] is None
    transport = next(r for r in rows if r["application"] == "Transport")
    assert transport["nace_sector"] == "C29 - Manufacture of motor vehicles, trailers and semi-trailers"
    assert transport["value_added_meur"] == 3456.0
    copper = next(r for r in rows if r["material_label"] == "Copper")
    assert copper["share"] == pytest.approx(0.0025) and copper["application"] == "Building, plant"


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("Material,Application,Share", "Material,Use,Share", 1, "Application"),
        ("Integrated circuits,68%", "Integrated circuits,x%", 2, "Share"),
        ("Gallium,Other,32%,,", "Gallium,Other,32%,,77", 3, "VA in million €"),
        ("Gallium,Other,32%,,", "Gallium,Other,32%,Manufacturing,", 3, "NACE sector"),
        (
            "Gallium,Other,32%,,",
            'Gallium,Integrated circuits,32%,"C26 - Manufacture of computer, electronic and '
            'optical products",1234',
            3,
            "Application",
        ),  # duplicate key
        ("Gallium,Other,32%,,", "Gallium,Other,40%,,", 3, "Share"),  # Gallium sums to 108%
        # A duplicate that is not the listed upstream copy still fails.
        ("Magnesium,Construction,13%", "Magnesium,Construction,14%", 5, "Application"),
        ('Copper,"Building, plant"', 'Unobtainium,"Building, plant"', 8, "Material"),  # after a 2-line row
    ],
)
def test_uses_malformed(fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str) -> None:
    path = _variant(tmp_path, fixtures / "eu_crm" / "material_use_shares_2023.csv", old, new)
    error = _error(eu_crm.parse_uses_file, path)
    assert (error.line, error.column) == (line, column)


# -- groupings ------------------------------------------------------------------------------------------


def test_groupings(fixtures: Path) -> None:
    table = eu_crm.parse_groupings_file(fixtures / "eu_crm" / "screened_material_groupings_2023.csv")
    assert table.schema == TABLES["eu_crm_groupings"]
    rows = table.to_pylist()
    assert len(rows) == 5
    assert [r["material"] for r in rows if r["screened_material"] == "gold"] == ["gold", "gold"]
    xenon = next(r for r in rows if r["screened_material"] == "zenon")
    assert xenon["material"] == materials().resolve("xenon").id  # misspelt upstream, fixed explicitly
    platinum = next(r for r in rows if r["screened_material"] == "platinum")
    assert (platinum["perm_noXREE_noPGM"], platinum["perm_XREE_PGM"]) == ("precious metals", "PGM")


@pytest.mark.parametrize(
    ("old", "new", "line", "column"),
    [
        ("screened_material,perm_noXREE_noPGM", "material,perm_noXREE_noPGM", 1, "screened_material"),
        ("platinum,precious metals", "unobtainium,precious metals", 3, "screened_material"),
        ("platinum,precious metals,PGM", "platinum,precious metals,", 3, "perm_noXREE_PGM"),
        (
            "gold," + ",".join(["other non-ferrous metals"] * 4),
            "gold,precious metals,precious metals,precious metals,precious metals",
            5,
            "screened_material",
        ),
    ],
)
def test_groupings_malformed(
    fixtures: Path, tmp_path: Path, old: str, new: str, line: int, column: str
) -> None:
    path = _variant(tmp_path, fixtures / "eu_crm" / "screened_material_groupings_2023.csv", old, new)
    error = _error(eu_crm.parse_groupings_file, path)
    assert (error.line, error.column) == (line, column)


def test_parse_directory(fixtures: Path, tmp_path: Path) -> None:
    base = tmp_path / "eu_crm_2023"
    base.mkdir()
    for path in (fixtures / "eu_crm").iterdir():
        (base / path.name).write_bytes(path.read_bytes())
    tables = eu_crm.parse(tmp_path)
    assert set(tables) == set(eu_crm.INFO.tables)
    assert tables["eu_crm_supply"].num_rows == 8 + 5
    assert [p.name for p in eu_crm.INFO.find_files(tmp_path)] == [p.split("/")[-1] for p in eu_crm.INFO.files]


# -- real data ------------------------------------------------------------------------------------------


def _data_rows(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.mark.realdata
def test_real_eu_crm(data_dir: Path) -> None:
    base = data_dir / "eu_crm_2023"
    tables = eu_crm.parse(data_dir)
    scores = tables["eu_crm_scores"]
    assert scores.num_rows == _data_rows(base / "crm_sr_ei_over_time.csv") == 355
    gallium = scores.filter(pc.and_(pc.equal(scores["material"], "gallium"), pc.equal(scores["year"], 2023)))
    assert gallium.num_rows == 1
    assert isinstance(gallium["sr"][0].as_py(), float) and isinstance(gallium["ei"][0].as_py(), float)

    supply = tables["eu_crm_supply"]
    n_global = _data_rows(base / "global_supply_shares_2023.csv")
    n_eu = _data_rows(base / "eu_sourcing_shares_2023.csv")
    assert (n_global, n_eu) == (2561, 907)
    assert pc.sum(pc.equal(supply["scope"], "global")).as_py() == n_global
    assert pc.sum(pc.equal(supply["scope"], "eu_sourcing")).as_py() == n_eu
    china_ga = [
        r
        for r in supply.to_pylist()
        if r["scope"] == "global"
        and r["material"] == "gallium"
        and r["stage"] == "processing"
        and r["country"] == "CHN"
    ]
    assert len(china_ga) == 1 and china_ga[0]["share"] >= 0.9
    # Every country label maps to a country: the 2023 tables hold no residual rows.
    assert supply["country"].null_count == 0
    assert pc.min(supply["share"]).as_py() >= 0 and pc.max(supply["share"]).as_py() <= 1

    # One duplicated upstream row (Magnesium/Construction) is kept once.
    assert tables["eu_crm_uses"].num_rows == _data_rows(base / "material_use_shares_2023.csv") - 1 == 338
    groupings = tables["eu_crm_groupings"]
    assert groupings.num_rows == _data_rows(base / "screened_material_groupings_2023.csv") == 90
    assert groupings["material"].null_count == 0
    assert _eu("Gallium") == "gallium"
