"""Tests of the material registry: the CSV tables, resolving user text, codes and the mapping of real data."""

from __future__ import annotations

import collections
import csv
import gzip
import shutil
from pathlib import Path

import pytest

from grondstof.errors import InputError, SourceFormatError, UnknownMaterialError
from grondstof.registry._text import normalise
from grondstof.registry.materials import (
    CODE_LENGTHS,
    STAGES,
    MaterialRegistry,
    materials,
)

REGISTRY_DIR = Path(__file__).resolve().parents[1] / "src" / "grondstof" / "registry"


@pytest.fixture(scope="module")
def reg() -> MaterialRegistry:
    return materials()


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ------------------------------------------------------------------------------------------------------------
# Tables and loading
# ------------------------------------------------------------------------------------------------------------


def test_materials_is_cached() -> None:
    assert materials() is materials()


def test_ids_are_slugs_and_unique(reg: MaterialRegistry) -> None:
    ids = [m.id for m in reg.all()]
    assert len(ids) == len(set(ids))
    assert all(i.isascii() and i == i.lower() and " " not in i for i in ids)
    for expected in (
        "gallium",
        "germanium",
        "graphite",
        "rare_earths",
        "lree",
        "hree",
        "neodymium",
        "pgm",
        "platinum",
        "bauxite",
        "aluminium",
        "silicon_metal",
        "titanium",
        "titanium_metal",
        "phosphate_rock",
        "phosphorus",
        "coking_coal",
        "crude_oil",
        "natural_gas",
        "steam_coal",
        "lignite",
        "uranium",
    ):
        assert reg.get(expected).id == expected


def test_get_unknown_raises_keyerror(reg: MaterialRegistry) -> None:
    with pytest.raises(KeyError):
        reg.get("unobtainium")
    with pytest.raises(KeyError):
        reg.get("Gallium")  # get takes ids only; resolve takes names


def test_codes_are_digit_strings_of_the_right_length(reg: MaterialRegistry) -> None:
    rows = reg.all_codes()
    assert rows
    for row in rows:
        assert isinstance(row.code, str)
        assert row.code.isdigit() and len(row.code) == CODE_LENGTHS[row.classification], row
    # Leading zeros survive: HS22 headings are 4 characters, not integers.
    assert {r.code for r in rows if r.classification == "HS22"} >= {"2601", "2606", "7202"}
    raw = _csv(REGISTRY_DIR / "material_codes.csv")
    assert {r["classification"] for r in raw} == {"HS92", "HS07", "HS17", "HS22", "CN8"}


def test_stages_are_the_four_words(reg: MaterialRegistry) -> None:
    assert STAGES == ("extraction", "processing", "manufacturing", "recycling")
    assert {r.stage for r in reg.all_codes()} <= set(STAGES)
    assert {w.stage for w in reg.all_wmd()} <= set(STAGES)
    # Spot checks of stage choices.
    assert [r.stage for r in reg.by_code("HS92", "282200")] == ["processing"]  # cobalt oxides
    assert [r.stage for r in reg.by_code("HS92", "260300")] == ["extraction"]  # copper ore
    assert [r.stage for r in reg.by_code("HS17", "850511")] == ["manufacturing"]  # permanent magnets
    assert {r.stage for r in reg.by_code("HS92", "711290")} == {"recycling"}  # precious-metal scrap


def test_no_term_names_two_materials() -> None:
    # Independent of the loader's own check: rebuild the term -> ids map from the raw CSV.
    owners: dict[str, set[str]] = collections.defaultdict(set)
    for row in _csv(REGISTRY_DIR / "materials.csv"):
        terms = [
            row["id"],
            row["name_en"],
            row["name_nl"],
            row["symbol"],
            *row["aliases"].split(";"),
            *row["eu_crm_names"].split(";"),
        ]
        for term in terms:
            if normalise(term):
                owners[normalise(term)].add(row["id"])
    for row in _csv(REGISTRY_DIR / "wmd_commodities.csv"):
        owners[normalise(row["wmd_commodity"])].add(row["material"])
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_every_material_resolves_by_id_names_symbol_and_aliases(reg: MaterialRegistry) -> None:
    for mat in reg.all():
        for term in (mat.id, mat.name_en, mat.name_nl, mat.symbol, *mat.aliases, *mat.eu_crm_names):
            if term:
                assert reg.resolve(term) is mat, term


def test_names_and_notes_in_both_languages(reg: MaterialRegistry) -> None:
    for mat in reg.all():
        assert mat.name("en") and mat.name("nl")
        assert mat.coverage_note("en") and mat.coverage_note("nl"), mat.id
    assert reg.get("tungsten").name("nl") == "wolfraam"
    assert reg.get("rare_earths").name("nl") == "zeldzame aardmetalen"
    assert reg.get("graphite").name("nl") == "natuurlijk grafiet"
    with pytest.raises(InputError) as info:
        reg.get("gallium").name("de")
    assert info.value.parameter == "lang"


def test_fuels(reg: MaterialRegistry) -> None:
    fuels = {m.id for m in reg.all(category="fuel")}
    assert {
        "crude_oil",
        "natural_gas",
        "steam_coal",
        "lignite",
        "uranium",
        "oil_sands",
        "oil_shale",
        "coking_coal",
    } == fuels
    assert reg.get("crude_oil").is_fuel and not reg.get("gallium").is_fuel
    with pytest.raises(InputError):
        reg.all(category="mineral")


# ------------------------------------------------------------------------------------------------------------
# Lists and flags
# ------------------------------------------------------------------------------------------------------------

ANNEX_II_IDS = {
    "antimony",
    "arsenic",
    "bauxite",
    "aluminium",
    "baryte",
    "beryllium",
    "bismuth",
    "boron",
    "cobalt",
    "coking_coal",
    "copper",
    "feldspar",
    "fluorspar",
    "gallium",
    "germanium",
    "hafnium",
    "helium",
    "hree",
    "lree",
    "lithium",
    "magnesium",
    "manganese",
    "graphite",
    "nickel",
    "niobium",
    "phosphate_rock",
    "phosphorus",
    "pgm",
    "scandium",
    "silicon_metal",
    "strontium",
    "tantalum",
    "titanium_metal",
    "tungsten",
    "vanadium",
}
ANNEX_I_IDS = {
    "bauxite",
    "aluminium",
    "bismuth",
    "boron",
    "cobalt",
    "copper",
    "gallium",
    "germanium",
    "lithium",
    "magnesium",
    "manganese",
    "graphite",
    "nickel",
    "pgm",
    "rare_earths_magnets",
    "silicon_metal",
    "titanium_metal",
    "tungsten",
}


def test_crma_critical_is_the_34_item_list(reg: MaterialRegistry) -> None:
    critical = [m for m in reg.all() if m.crma_critical]
    assert {m.id for m in critical} == ANNEX_II_IDS
    # 34 Annex II items; bauxite and aluminium share "Bauxite/alumina/aluminium", hence 35 ids.
    assert len(critical) == 35
    assert len({m.crma_name for m in critical}) == 34
    assert reg.get("bauxite").crma_name == reg.get("aluminium").crma_name == "Bauxite/alumina/aluminium"
    assert {m.id for m in reg.crm_2023()} == ANNEX_II_IDS


def test_strategic_list(reg: MaterialRegistry) -> None:
    assert {m.id for m in reg.strategic()} == ANNEX_I_IDS
    assert reg.get("copper").crma_strategic and reg.get("nickel").crma_strategic
    assert reg.get("copper").crma_critical and reg.get("nickel").crma_critical


def test_groups_and_flags(reg: MaterialRegistry) -> None:
    ids = lambda g: {m.id for m in reg.members(g)}  # noqa: E731
    assert ids("lree") == {"cerium", "lanthanum", "neodymium", "praseodymium", "samarium"}
    assert ids("hree") == {
        "dysprosium",
        "erbium",
        "europium",
        "gadolinium",
        "holmium",
        "lutetium",
        "terbium",
        "thulium",
        "ytterbium",
        "yttrium",
    }
    assert ids("rare_earths_magnets") == {
        "neodymium",
        "praseodymium",
        "terbium",
        "dysprosium",
        "gadolinium",
        "samarium",
        "cerium",
    }
    assert ids("pgm") == {"platinum", "palladium", "rhodium", "ruthenium", "iridium", "osmium"}
    assert ids("rare_earths") == ids("lree") | ids("hree") | {"scandium"}
    assert set(reg.get("neodymium").groups) == {"rare_earths", "lree", "rare_earths_magnets"}
    assert reg.members("gallium") == []
    # Flags are what the lists say, not inherited.
    assert reg.get("lree").crma_critical and reg.get("hree").crma_critical
    assert reg.get("rare_earths_magnets").crma_strategic and not reg.get("rare_earths_magnets").crma_critical
    assert reg.get("pgm").crma_strategic and reg.get("pgm").crma_critical
    assert not reg.get("neodymium").crma_strategic and not reg.get("platinum").crma_critical
    assert not reg.get("rare_earths").crma_critical


# ------------------------------------------------------------------------------------------------------------
# Resolving user text
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zeldzame aardmetalen", "rare_earths"),
        ("REE", "rare_earths"),
        ("rare earths", "rare_earths"),
        ("Rare Earths (REO)", "rare_earths"),
        ("zeldzame aarden", "rare_earths"),
        ("Ga", "gallium"),
        ("GALLIUM", "gallium"),
        ("grafiet", "graphite"),
        ("graphite", "graphite"),
        ("battery grade graphite", "graphite"),
        ("kobalt", "cobalt"),
        ("wolfraam", "tungsten"),
        ("W", "tungsten"),
        ("nikkel", "nickel"),
        ("Barytes", "baryte"),
        ("Borate", "boron"),
        ("Phosphorous", "phosphorus"),
        ("HREEs", "hree"),
        ("Heavy Rare earths Elements", "hree"),
        ("PGMs", "pgm"),
        ("platinagroepmetalen", "pgm"),
        ("Kaolin clay", "kaolin"),
        ("Boron - metallurgy grade", "boron"),
        ("Lithium - battery grade", "lithium"),
        ("Bauxite/alumina/aluminium", "aluminium"),
        ("bauxiet", "bauxite"),
        ("Titanium metal", "titanium_metal"),
        ("titaan", "titanium"),
        ("siliciummetaal", "silicon_metal"),
        ("Sulfur (elementar & industrial)", "sulphur"),
        ("rare_earths_magnets", "rare_earths_magnets"),
        ("  Côbalt ", "cobalt"),
    ],
)
def test_resolve(reg: MaterialRegistry, text: str, expected: str) -> None:
    assert reg.resolve(text).id == expected


def test_unknown_material_names_parameter_and_suggests(reg: MaterialRegistry) -> None:
    with pytest.raises(UnknownMaterialError) as info:
        reg.resolve("unobtainium", parameter="materials")
    assert info.value.parameter == "materials"
    assert info.value.value == "unobtainium"
    assert "materials" in str(info.value)
    with pytest.raises(UnknownMaterialError) as info:
        reg.resolve("galium")
    assert info.value.suggestions[0] == "gallium"
    with pytest.raises(UnknownMaterialError) as info:
        reg.resolve("zeldzame aarde")
    assert info.value.suggestions[0] == "zeldzame aardmetalen"
    with pytest.raises(UnknownMaterialError):
        reg.resolve("")


def test_resolve_many(reg: MaterialRegistry) -> None:
    assert [m.id for m in reg.resolve_many("gallium, Ge,,Ga")] == ["gallium", "germanium"]
    assert {m.id for m in reg.resolve_many("crm")} == ANNEX_II_IDS
    assert {m.id for m in reg.resolve_many("strategic")} == ANNEX_I_IDS
    everything = {m.id for m in reg.resolve_many("all")}
    assert {"gallium", "germanium", "graphite", "coking_coal", "cobalt", "neodymium"} <= everything
    assert not everything & {"crude_oil", "natural_gas", "steam_coal", "uranium"}  # fuels, except coking coal
    assert not everything & {m.id for m in reg.all(category="group")}
    assert "aggregates" not in everything  # no code, no WMD sheet
    with pytest.raises(InputError):
        reg.resolve_many("all", allow_all=False)
    with pytest.raises(UnknownMaterialError) as info:
        reg.resolve_many("gallium, galium", parameter="material")
    assert "gallium" in info.value.suggestions
    with pytest.raises(InputError):
        reg.resolve_many(" , ")


def test_from_eu_crm_name(reg: MaterialRegistry) -> None:
    assert reg.from_eu_crm_name("Natural Teak\nwood").id == "natural_teak_wood"
    assert reg.from_eu_crm_name("natural teak wood").id == "natural_teak_wood"
    assert reg.from_eu_crm_name("Titanium ores").id == "titanium"
    assert reg.from_eu_crm_name("Titanium metal").id == "titanium_metal"
    assert reg.from_eu_crm_name("Bauxite").id == "bauxite"
    assert reg.from_eu_crm_name("Aluminium").id == "aluminium"
    assert reg.from_eu_crm_name("Galium") is None  # exact only, no fuzzy matching


# ------------------------------------------------------------------------------------------------------------
# Codes and WMD
# ------------------------------------------------------------------------------------------------------------


def test_gallium_and_germanium_codes(reg: MaterialRegistry) -> None:
    assert reg.codes("gallium", "HS92") == []
    assert [c.code for c in reg.codes("germanium", "HS92")] == ["811230"]
    assert [c.code for c in reg.codes("gallium", "CN8")] == ["81129289"]
    hs17 = reg.codes("gallium", "HS17")
    assert [c.code for c in hs17] == ["811292"] and hs17[0].basket


def test_baskets(reg: MaterialRegistry) -> None:
    basket_811292 = {r.material for r in reg.by_code("HS17", "811292")}
    assert basket_811292 == {"gallium", "germanium", "hafnium", "indium", "niobium", "rhenium", "vanadium"}
    assert all(r.basket for r in reg.by_code("HS17", "811292"))
    assert {r.material for r in reg.by_code("CN8", "28256000")} == {"germanium", "zirconium"}
    assert {r.material for r in reg.by_code("HS92", "280450")} == {"boron", "tellurium"}
    assert len(reg.by_code("HS22", "7202")) > 3
    # A code covering several materials is a basket for each, unless one is a group holding the others.
    by_code = collections.defaultdict(list)
    for row in reg.all_codes():
        by_code[(row.classification, row.code)].append(row)
    for rows in by_code.values():
        mats = {r.material for r in rows}
        for row in rows:
            covered = {row.material} | {m.id for m in reg.members(row.material)}
            if mats - covered:
                assert row.basket, row
    assert {(r.material, r.basket) for r in reg.by_code("HS92", "280530")} == {
        ("rare_earths", False),
        ("scandium", True),
    }
    # Single-material codes are not baskets unless noted (catch-all headings).
    assert not reg.by_code("HS92", "260300")[0].basket


def test_codes_filters_and_members(reg: MaterialRegistry) -> None:
    assert {c.stage for c in reg.codes("nickel", stage="extraction")} == {"extraction"}
    assert {c.classification for c in reg.codes("nickel", "HS07")} == {"HS07"}
    assert reg.codes("kobalt") == reg.codes("cobalt")  # names work as well as ids
    own = reg.codes("lree")
    assert own == []
    with_members = reg.codes("lree", include_members=True)
    assert {c.code for c in with_members} >= {"28053021", "28053029", "28469040", "28469050"}
    keys = [(c.classification, c.code) for c in with_members]
    assert len(keys) == len(set(keys))
    with pytest.raises(InputError):
        reg.codes("nickel", stage="mining")
    with pytest.raises(InputError):
        reg.codes("nickel", classification="HS96")


def test_by_code(reg: MaterialRegistry) -> None:
    assert [r.material for r in reg.by_code("HS17", "8112.92")] == [
        r.material for r in reg.by_code("HS17", "811292")
    ]
    assert reg.by_code("HS92", "999999") == []
    assert [r.material for r in reg.by_code("HS92", "260600")] == ["bauxite"]
    with pytest.raises(InputError):
        reg.by_code("HS2", "2606")


def test_wmd(reg: MaterialRegistry) -> None:
    assert [w.wmd_commodity for w in reg.wmd("gallium")] == ["Gallium"]
    assert reg.wmd("gallium")[0].stage == "processing"
    assert reg.from_wmd("Lithium (Li2O)").content_basis == "Li2O"
    assert reg.from_wmd("Rare Earths (REO)").material == "rare_earths"
    assert reg.from_wmd("rare earths reo").material == "rare_earths"
    assert reg.from_wmd("Unobtainium") is None
    assert {w.wmd_commodity for w in reg.wmd("diamonds")} == {"Diamonds (Gem)", "Diamonds (Ind)"}
    assert reg.from_wmd("Aluminium").stage == "processing" and reg.from_wmd("Bauxite").stage == "extraction"


# ------------------------------------------------------------------------------------------------------------
# A broken table is refused with file, line and value
# ------------------------------------------------------------------------------------------------------------


def _copy_tables(tmp_path: Path) -> Path:
    for name in ("materials.csv", "material_codes.csv", "wmd_commodities.csv"):
        shutil.copy(REGISTRY_DIR / name, tmp_path / name)
    return tmp_path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_refuses_short_code(tmp_path: Path) -> None:
    base = _copy_tables(tmp_path)
    _replace(base / "material_codes.csv", "CN8,81129289,", "CN8,8112928,")
    with pytest.raises(SourceFormatError) as info:
        MaterialRegistry.load(base)
    assert info.value.column == "code" and info.value.value == "8112928" and info.value.line


def test_refuses_unknown_stage(tmp_path: Path) -> None:
    base = _copy_tables(tmp_path)
    _replace(base / "material_codes.csv", "HS92,260300,copper,extraction", "HS92,260300,copper,mining")
    with pytest.raises(SourceFormatError) as info:
        MaterialRegistry.load(base)
    assert info.value.column == "stage"


def test_refuses_ambiguous_alias(tmp_path: Path) -> None:
    base = _copy_tables(tmp_path)
    _replace(base / "materials.csv", "kobalt,Co,metal,,", "kobalt,Co,metal,,Ga;")
    with pytest.raises(SourceFormatError) as info:
        MaterialRegistry.load(base)
    assert "gallium" in str(info.value.value) and "cobalt" in str(info.value.value)


# ------------------------------------------------------------------------------------------------------------
# Real data: every code, commodity and name in the shared datasets maps
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Path:
    try:
        from grondstof.config import resolve_data_dir

        return resolve_data_dir()
    except Exception:
        pytest.skip("shared data directory not found (set GRONDSTOF_DATA)")


def _gz_column(path: Path, column: str) -> set[str]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return {row[column] for row in csv.DictReader(fh)}


@pytest.mark.realdata
def test_real_hs92_codes_map(reg: MaterialRegistry, shared: Path) -> None:
    listed = {r["code"] for r in _csv(shared / "geopolrisk" / "baci_hs92_product_codes_used.csv")}
    assert len(listed) == 74
    assert listed == {r.code for r in reg.all_codes() if r.classification == "HS92"}
    traded = _gz_column(shared / "geopolrisk" / "baci_hs92_crm_trade_2015_2024.csv.gz", "hs92")
    assert all(reg.by_code("HS92", code) for code in traded)


@pytest.mark.realdata
def test_real_cn8_codes_map(reg: MaterialRegistry, shared: Path) -> None:
    mapping = {
        r["cn8_code"] for r in _csv(shared / "comext_eu27_crm_cn8" / "critical_materials_cn8_mapping_v01.csv")
    }
    assert len(mapping) == 66
    assert mapping == {r.code for r in reg.all_codes() if r.classification == "CN8"}
    imported = {
        r["PRODUCT_NC"]
        for r in _csv(shared / "comext_eu27_crm_cn8" / "eu_comext_critical_inputs_cn8_2022_2024.csv")
    }
    assert all(reg.by_code("CN8", code) for code in imported)


@pytest.mark.realdata
def test_real_hs17_hs22_hs07_and_comtrade_codes_map(reg: MaterialRegistry, shared: Path) -> None:
    atlas = _gz_column(
        shared / "baci_hs17_atlas_subset" / "baci_hs17_v202601_atlas_codes_2024.csv.gz", "hs17_code"
    )
    assert len(atlas) == 30
    comtrade = _gz_column(
        shared / "comtrade_china_exports_monthly" / "china_exports_hs6_by_partner_monthly_2017_2024.csv.gz",
        "hs6",
    )
    assert comtrade == {"250410", "380110", "811292"}
    for code in atlas | comtrade:
        assert reg.by_code("HS17", code), code
    hs4 = _gz_column(
        shared / "comflow_baci_hs22_top_flows" / "baci_hs22_v202601_hs4_top200_flows_2022_2024.csv.gz", "hs4"
    )
    assert len(hs4) == 13 and all(reg.by_code("HS22", code) for code in hs4)
    hs07 = _gz_column(
        shared / "baci_hs07_asean_minerals" / "baci_hs07_v202601_asean_minerals_bilateral_2010_2024.csv.gz",
        "hs6",
    )
    assert len(hs07) == 13 and all(reg.by_code("HS07", code) for code in hs07)


@pytest.mark.realdata
def test_real_wmd_commodities_map_once(reg: MaterialRegistry, shared: Path) -> None:
    commodities = {
        r["commodity"] for r in _csv(shared / "geopolrisk" / "world_mining_data_2018_2024_long.csv")
    }
    assert len(commodities) == 65
    registered = [w.wmd_commodity for w in reg.all_wmd()]
    assert len(registered) == len(set(registered))
    assert set(registered) == commodities
    for name in commodities:
        assert reg.resolve(name).id == reg.from_wmd(name).material


@pytest.mark.realdata
def test_real_eu_crm_names_map(reg: MaterialRegistry, shared: Path) -> None:
    folder = shared / "eu_crm_2023"
    names: set[str] = set()
    for name in (
        "crm_sr_ei_over_time.csv",
        "global_supply_shares_2023.csv",
        "eu_sourcing_shares_2023.csv",
        "material_use_shares_2023.csv",
    ):
        names |= {r["Material"] for r in _csv(folder / name)}
    assert any("\n" in n for n in names)  # the multi-line teak name is really there
    unmapped = sorted(n for n in names if reg.from_eu_crm_name(n) is None)
    assert not unmapped
    screened = {r["screened_material"] for r in _csv(folder / "screened_material_groupings_2023.csv")}
    assert not [n for n in screened if reg.from_eu_crm_name(n) is None]
    # The stored strings are the exact (whitespace-normalised) spellings of the files.
    stored = {n for m in reg.all() for n in m.eu_crm_names}
    assert {" ".join(n.split()) for n in names} <= stored


@pytest.mark.realdata
def test_real_eu_2023_list_matches_thresholds(reg: MaterialRegistry, shared: Path) -> None:
    # EU methodology: critical when SR >= 1.0 and EI >= 2.8. Copper and nickel are on the list without meeting
    # them; bauxite was assessed inside "Aluminium" in 2023 ("-").
    above = set()
    for row in _csv(shared / "eu_crm_2023" / "crm_sr_ei_over_time.csv"):
        if row["Year"] == "2023" and row["SR"] != "-" and float(row["SR"]) >= 1.0 and float(row["EI"]) >= 2.8:
            above.add(reg.from_eu_crm_name(row["Material"]).id)
    assert {m.id for m in reg.crm_2023()} == above | {"copper", "nickel", "bauxite"}


@pytest.mark.realdata
def test_real_crma_rows_map(reg: MaterialRegistry, shared: Path) -> None:
    rows = _csv(shared / "crma" / "crma_annex_lists.csv")
    assert sum(r["list"] == "strategic" for r in rows) == 17
    assert sum(r["list"] == "critical" for r in rows) == 34
    for row in rows:
        mat = reg.resolve(row["raw_material"])
        holders = [m for m in reg.all() if row["raw_material"] in m.crma_names]
        assert mat in holders, row["raw_material"]
        for holder in holders:
            flag = holder.crma_strategic if row["list"] == "strategic" else holder.crma_critical
            assert flag, (holder.id, row["raw_material"])
    strategic_ids = {
        m.id for r in rows if r["list"] == "strategic" for m in reg.all() if r["raw_material"] in m.crma_names
    }
    assert {"copper", "nickel"} <= strategic_ids
    assert strategic_ids == {m.id for m in reg.strategic()}


@pytest.mark.realdata
def test_real_germanium_hs92_effectively_empty_after_2006(shared: Path) -> None:
    per_year: collections.Counter[int] = collections.Counter()
    for name in ("baci_hs92_crm_trade_1995_2014.csv.gz", "baci_hs92_crm_trade_2015_2024.csv.gz"):
        with gzip.open(shared / "geopolrisk" / name, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["hs92"] == "811230":
                    per_year[int(row["year"])] += 1
    assert per_year[2006] > 200
    # HS2007 deleted 8112.30: only residual rows (each year < 20% of 2006) to 2016, none afterwards.
    assert all(per_year[y] < 0.2 * per_year[2006] for y in range(2007, 2017))
    assert not any(per_year[y] for y in range(2017, 2025))


@pytest.mark.realdata
def test_real_gallium_coverage_note(reg: MaterialRegistry, shared: Path) -> None:
    note = reg.get("gallium").coverage_note("en")
    assert "Comext" in note and "81129289" in note and "HS92" in note
    assert "Comext" in reg.get("gallium").coverage_note("nl")
    years = {
        r["PERIOD"]
        for r in _csv(shared / "comext_eu27_crm_cn8" / "eu_comext_critical_inputs_cn8_2022_2024.csv")
        if r["PRODUCT_NC"] == "81129289"
    }
    assert years == {"2022", "2023", "2024"}
