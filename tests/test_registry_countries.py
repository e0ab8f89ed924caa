"""Tests of the country registry (src/grondstof/registry/countries.py and its countries.csv)."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import importlib.util
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from grondstof.errors import InputError, UnknownCountryError
from grondstof.registry import countries as countries_module
from grondstof.registry.countries import (
    KINDS,
    NON_COUNTRY_LABELS,
    Country,
    CountryRegistry,
    Group,
    countries,
    is_non_country_label,
    name_key,
    parse_countries_csv,
)

ROOT = Path(__file__).resolve().parents[1]
CSV_PATH = ROOT / "src" / "grondstof" / "registry" / "countries.csv"


@pytest.fixture(scope="module")
def reg() -> CountryRegistry:
    return countries()


def raw_rows() -> list[dict[str, str]]:
    """The CSV as plain strings, read the way the runtime reads it (csv module, no NA guessing)."""
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- codes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        (251, "FRA"),
        (842, "USA"),
        (490, "TWN"),
        (699, "IND"),
        (757, "CHE"),
        (579, "NOR"),
        (58, "BLX"),
        (711, "SCU"),
        (736, "SDN"),
        (729, "SDN"),
        (280, "DEU"),
        (528, "NLD"),
        (849, "UMI"),
    ],
)
def test_baci_codes(reg: CountryRegistry, code: int, iso3: str) -> None:
    found = reg.from_baci(code)
    assert found is not None and found.iso3 == iso3
    assert reg.from_baci(str(code)) is found  # codes arrive as text from CSVs


def test_iso_numbering_differs_from_baci(reg: CountryRegistry) -> None:
    assert reg.from_numeric(250).iso3 == "FRA"  # type: ignore[union-attr]
    assert reg.from_numeric("004").iso3 == "AFG"  # type: ignore[union-attr]
    assert reg.from_numeric(251) is None  # 251 is a BACI/Comtrade code, not ISO
    assert reg.from_baci(250) is None
    assert reg.get("FRA").iso_numeric == "250"
    assert reg.get("FRA").baci_codes == (251,)


def test_comtrade_codes(reg: CountryRegistry) -> None:
    assert reg.from_comtrade(842).iso3 == "USA"  # type: ignore[union-attr]
    assert reg.from_comtrade(490).iso3 == "TWN"  # type: ignore[union-attr]
    assert reg.from_comtrade(736).iso3 == "SDN"  # type: ignore[union-attr]  # historic code via BACI
    assert reg.get("USA").comtrade_code == 842
    assert reg.from_comtrade(999999) is None


def test_namibia_na_is_not_missing(reg: CountryRegistry) -> None:
    assert reg.from_iso2("NA").iso3 == "NAM"  # type: ignore[union-attr]
    assert reg.resolve("NA").iso3 == "NAM"
    assert reg.resolve("na").iso3 == "NAM"
    namibia = [row for row in raw_rows() if row["iso3"] == "NAM"]
    assert len(namibia) == 1 and namibia[0]["iso2"] == "NA"
    assert reg.get("NAM").iso2 == "NA"


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        ("EL", "GRC"),
        ("GR", "GRC"),
        ("XS", "SRB"),
        ("RS", "SRB"),
        ("UK", "GBR"),
        ("GB", "GBR"),
        ("XK", "XKX"),
        ("XC", "XCE"),
        ("XL", "XME"),
    ],
)
def test_eurostat_codes(reg: CountryRegistry, code: str, iso3: str) -> None:
    assert reg.from_iso2(code).iso3 == iso3  # type: ignore[union-attr]


def test_eurostat_code_attribute(reg: CountryRegistry) -> None:
    assert reg.get("GRC").eurostat_code == "EL"
    assert reg.get("NLD").eurostat_code == "NL"  # falls back to ISO2


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        ("ZAR", "COD"),
        ("ROM", "ROU"),
        ("ADO", "AND"),
        ("TMP", "TLS"),
        ("KSV", "XKX"),
        ("WBG", "PSE"),
        ("S19", "TWN"),
        ("ZA1", "SCU"),
        ("PUS", "UMI"),
        ("NLD", "NLD"),
    ],
)
def test_iso3_and_wgi_codes(reg: CountryRegistry, code: str, iso3: str) -> None:
    assert reg.from_iso3(code).iso3 == iso3  # type: ignore[union-attr]
    assert reg.from_iso3(code.lower()).iso3 == iso3  # type: ignore[union-attr]


def test_wgi_code_attribute(reg: CountryRegistry) -> None:
    assert reg.get("COD").wgi_code == "ZAR"
    assert reg.get("NLD").wgi_code == "NLD"  # falls back to ISO3


def test_name_acronyms_are_not_iso3_codes(reg: CountryRegistry) -> None:
    # "DRC" is a name alias, not a code: parsers of iso3 columns must not accept it silently.
    assert reg.from_iso3("DRC") is None
    assert reg.resolve("DRC").iso3 == "COD"


# -- names and user input -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Rusland", "Russia", "RU", "RUS", "Russian Federation", "russia", "643"])
def test_resolve_russia(reg: CountryRegistry, text: str) -> None:
    assert reg.resolve(text).iso3 == "RUS"


@pytest.mark.parametrize(
    "text",
    ["Nederland", "NL", "NLD", "Holland", "the Netherlands", "Netherlands", "nederland", " NL ", "528"],
)
def test_resolve_netherlands(reg: CountryRegistry, text: str) -> None:
    assert reg.resolve(text).iso3 == "NLD"


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("United States", "USA"),
        ("Verenigde Staten", "USA"),
        ("Verenigde Staten van Amerika", "USA"),
        ("VS", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("DRC", "COD"),
        ("Congo, Dem. Rep.", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo (Kinshasa)", "COD"),
        ("Congo-Kinshasa", "COD"),
        ("Congo", "COG"),
        ("Korea, Rep.", "KOR"),
        ("Zuid-Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Czechia", "CZE"),
        ("Tsjechië", "CZE"),
        ("Czech Republic", "CZE"),
        ("Ivory Coast", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("COTE D'IVOIRE", "CIV"),
        ("Ivoorkust", "CIV"),
        ("Other Asia, nes", "TWN"),
        ("Taiwan", "TWN"),
        ("Viet Nam", "VNM"),
        ("Lao PDR", "LAO"),
        ("Türkiye", "TUR"),
        ("Turkije", "TUR"),
        ("Turkey", "TUR"),
        ("turkiye", "TUR"),
        ("Gambia, The", "GMB"),
        ("Kosovo", "XKX"),
        ("Groot-Brittannië", "GBR"),
        ("UK", "GBR"),
    ],
)
def test_resolve_names_and_aliases(reg: CountryRegistry, text: str, iso3: str) -> None:
    assert reg.resolve(text).iso3 == iso3


def test_short_common_names(reg: CountryRegistry) -> None:
    expected = {
        "NLD": ("Netherlands", "Nederland"),
        "RUS": ("Russia", "Rusland"),
        "USA": ("United States", "Verenigde Staten"),
        "COD": ("DR Congo", "Congo-Kinshasa"),
        "CHN": ("China", "China"),
        "TWN": ("Taiwan", "Taiwan"),
        "KOR": ("South Korea", "Zuid-Korea"),
        "TUR": ("Türkiye", "Turkije"),
    }
    for iso3, (english, dutch) in expected.items():
        row = reg.get(iso3)
        assert (row.name(), row.name("en"), row.name("nl")) == (english, english, dutch)


def test_name_language_is_checked(reg: CountryRegistry) -> None:
    with pytest.raises(InputError, match="lang"):
        reg.get("NLD").name("de")
    with pytest.raises(InputError, match="lang"):
        reg.eu27().name("fr")


def test_unknown_country_names_the_parameter(reg: CountryRegistry) -> None:
    with pytest.raises(UnknownCountryError) as info:
        reg.resolve("Atlantis")
    assert "country" in str(info.value)
    assert info.value.value == "Atlantis"
    with pytest.raises(UnknownCountryError, match="--importer"):
        reg.resolve("Atlantis", parameter="--importer")
    with pytest.raises(UnknownCountryError):
        reg.resolve("")


def test_suggestions(reg: CountryRegistry) -> None:
    with pytest.raises(UnknownCountryError) as info:
        reg.resolve("Rusia")
    assert "Russia" in info.value.suggestions
    assert "Did you mean" in str(info.value)
    with pytest.raises(UnknownCountryError) as info:
        reg.resolve("Nederlandt")
    assert {"Nederland", "Netherlands"} & set(info.value.suggestions)


def test_lookup_name_is_exact(reg: CountryRegistry) -> None:
    assert reg.lookup_name("Rusia") is None
    assert reg.lookup_name("RU") is None  # codes are not names
    assert reg.lookup_name("Russian Federation").iso3 == "RUS"  # type: ignore[union-attr]
    assert reg.lookup_name("  russian   federation ").iso3 == "RUS"  # type: ignore[union-attr]
    assert reg.lookup_name(None) is None  # type: ignore[arg-type]


def test_lookup_name_repairs_mojibake(reg: CountryRegistry) -> None:
    # BACI's country table ships UTF-8 names decoded as Windows-1252.
    broken_cote = "Côte d'Ivoire".encode().decode("cp1252")
    broken_turkiye = "Türkiye".encode().decode("cp1252")
    assert broken_cote.startswith("C\u00c3")  # the form BACI ships
    assert reg.lookup_name(broken_cote).iso3 == "CIV"  # type: ignore[union-attr]
    assert reg.lookup_name(broken_turkiye).iso3 == "TUR"  # type: ignore[union-attr]


def test_name_key_drops_articles() -> None:
    assert name_key("the Netherlands") == name_key("Netherlands") == "netherlands"
    assert name_key("Bahamas, The") == "bahamas"
    assert name_key("de Verenigde Staten") == "verenigde staten"
    assert name_key("The") == "the"  # a lone word is kept


def test_non_country_labels(reg: CountryRegistry) -> None:
    for label in NON_COUNTRY_LABELS:
        assert reg.lookup_name(label) is None, label
        assert is_non_country_label(label)
    assert is_non_country_label("world total (ROUNDED)")
    assert not is_non_country_label("Other Asia, nes")  # that one is Taiwan
    assert not is_non_country_label("Netherlands")


# -- groups and lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["EU27", "EU-27", "eu27", "EU", "European Union", "Europese Unie"])
def test_eu27_group(reg: CountryRegistry, text: str) -> None:
    group = reg.resolve_importer(text)
    assert isinstance(group, Group)
    assert group.code == "EU27"
    assert len(group.members) == 27
    assert "NLD" in group.members and "HRV" in group.members
    assert "GBR" not in group.members
    assert list(group.members) == sorted(group.members)
    assert group.name("nl").startswith("Europese Unie")


def test_resolve_importer_accepts_countries(reg: CountryRegistry) -> None:
    assert reg.resolve_importer("Nederland") == reg.get("NLD")
    with pytest.raises(UnknownCountryError, match="importer"):
        reg.resolve_importer("Atlantis", parameter="importer")


def test_eu27_is_not_a_country(reg: CountryRegistry) -> None:
    with pytest.raises(UnknownCountryError):
        reg.resolve("EU27")


def test_country_and_group_share_code_and_members(reg: CountryRegistry) -> None:
    nld = reg.get("NLD")
    assert nld.code == "NLD" and nld.members == ("NLD",)
    assert reg.eu27().code == "EU27"


def test_resolve_many(reg: CountryRegistry) -> None:
    assert [c.code for c in reg.resolve_many("NL, DE,BE")] == ["NLD", "DEU", "BEL"]
    assert [c.code for c in reg.resolve_many("BE,NL")] == ["BEL", "NLD"]
    assert [c.code for c in reg.resolve_many("NL, Nederland, NLD, Holland")] == ["NLD"]
    mixed = reg.resolve_many("NL, EU27, EU-27")
    assert [c.code for c in mixed] == ["NLD", "EU27"]
    assert isinstance(mixed[1], Group)


def test_resolve_many_errors(reg: CountryRegistry) -> None:
    with pytest.raises(UnknownCountryError, match="Atlantis") as info:
        reg.resolve_many("NL, Atlantis")
    assert "countries" in str(info.value)
    with pytest.raises(UnknownCountryError, match="EU27"):
        reg.resolve_many("NL, EU27", allow_groups=False)
    assert [c.code for c in reg.resolve_many("NL, DE", allow_groups=False)] == ["NLD", "DEU"]
    with pytest.raises(InputError):
        reg.resolve_many(" , ")


# -- EU membership ------------------------------------------------------------------------------------


def test_eu_membership_by_year(reg: CountryRegistry) -> None:
    croatia, uk = reg.get("HRV"), reg.get("GBR")
    assert not croatia.in_eu(2012)
    assert croatia.in_eu(2013)  # joined 1 July 2013
    assert croatia.in_eu(2014)
    assert uk.in_eu(2019)
    assert not uk.in_eu(2020)  # left 31 January 2020
    assert not uk.in_eu(2021)
    assert not uk.in_eu(1972) and uk.in_eu(1973)


@pytest.mark.parametrize(
    ("year", "count"),
    [
        (1957, 0),
        (1958, 6),
        (1973, 9),
        (1981, 10),
        (1986, 12),
        (1995, 15),
        (2000, 15),
        (2004, 25),
        (2007, 27),
        (2013, 28),
        (2019, 28),
        (2020, 27),
        (2024, 27),
    ],
)
def test_eu_members_count(reg: CountryRegistry, year: int, count: int) -> None:
    assert len(reg.eu_members(year)) == count


def test_eu_members_lists(reg: CountryRegistry) -> None:
    assert reg.eu_members(1958) == ("BEL", "DEU", "FRA", "ITA", "LUX", "NLD")
    assert reg.eu_members(2021) == reg.eu27().members
    assert "GBR" in reg.eu_members(2000) and "POL" not in reg.eu_members(2000)


# -- bulk mapping -------------------------------------------------------------------------------------


def test_map_codes(reg: CountryRegistry) -> None:
    nan = float("nan")
    mapped = reg.map_codes([251, "842", 490.0, 99999, None, 251, nan], "baci")
    assert mapped[251] == "FRA" and mapped["842"] == "USA" and mapped[490.0] == "TWN"
    assert mapped[99999] is None and mapped[None] is None and mapped[nan] is None
    assert len(mapped) == 6  # distinct values only
    assert reg.map_codes(["NA", "EL", "??"], "iso2") == {"NA": "NAM", "EL": "GRC", "??": None}
    assert reg.map_codes(["ZAR", "S19"], "iso3") == {"ZAR": "COD", "S19": "TWN"}
    assert reg.map_codes([250, "528"], "numeric") == {250: "FRA", "528": "NLD"}
    assert reg.map_codes([736], "comtrade") == {736: "SDN"}
    assert reg.map_codes(["Rusland", "Other", 5], "name") == {"Rusland": "RUS", "Other": None, 5: None}
    with pytest.raises(ValueError, match="scheme"):
        reg.map_codes([1], "isbn")


# -- the table itself ---------------------------------------------------------------------------------


def test_codes_unique_across_rows() -> None:
    rows = raw_rows()
    for column in ("iso3", "iso2", "iso_numeric"):
        values = [row[column] for row in rows if row[column]]
        duplicates = [v for v, n in Counter(values).items() if n > 1]
        assert not duplicates, f"duplicate {column}: {duplicates}"
    baci = [code for row in rows for code in row["baci_code"].split(";") if code]
    assert not [v for v, n in Counter(baci).items() if n > 1]
    assert all(len(row["iso3"]) == 3 and row["iso3"].isupper() for row in rows)
    assert all(row["iso2"] == "" or (len(row["iso2"]) == 2 and row["iso2"].isupper()) for row in rows)


def test_names_unique_across_rows(reg: CountryRegistry) -> None:
    owner: dict[str, str] = {}
    for row in reg.all():
        for name in {name_key(n) for n in (row.name_en, row.name_nl, *row.aliases)}:
            assert owner.setdefault(name, row.iso3) == row.iso3, f"{name!r}: {owner[name]} and {row.iso3}"


def test_no_alias_is_shadowed_by_a_code(reg: CountryRegistry) -> None:
    # resolve() tries codes first, so a short alias equal to another row's code would never be reached.
    for row in reg.all():
        for alias in row.aliases:
            if len(alias) in (2, 3) and alias.isalnum():
                found = reg.resolve(alias)
                assert found is row, f"alias {alias!r} of {row.iso3} resolves to {found.iso3}"


def test_kinds_and_special_rows(reg: CountryRegistry) -> None:
    assert {row.kind for row in reg.all()} <= set(KINDS)
    assert {r.iso3 for r in reg.all("historic")} >= {"BLX", "SCU", "CSK", "DDR", "SUN", "SCG", "ANT"}
    assert [r.iso3 for r in reg.all("aggregate")] == ["R20"]
    assert reg.get("TWN").kind == "country" and reg.get("HKG").kind == "territory"
    assert reg.get("XKX").kind == "country"
    assert len(reg.all("country")) == 197  # 193 UN members + Holy See, Palestine, Taiwan, Kosovo
    with pytest.raises(InputError):
        reg.all("planet")


def test_get(reg: CountryRegistry) -> None:
    assert reg.get("NLD").iso2 == "NL"
    assert reg.get("nld").iso3 == "NLD"
    with pytest.raises(KeyError):
        reg.get("XYZ")


def test_every_iso_country_present() -> None:
    pycountry = pytest.importorskip("pycountry")
    reg = countries()
    for entry in pycountry.countries:
        row = reg.from_iso3(entry.alpha_3)
        assert row is not None, entry.alpha_3
        assert (row.iso3, row.iso2, row.iso_numeric) == (entry.alpha_3, entry.alpha_2, entry.numeric)


def test_csv_matches_generator() -> None:
    """The checked-in CSV is what tools/make_countries.py produces (nobody edited it by hand)."""
    pytest.importorskip("pycountry")
    spec = importlib.util.spec_from_file_location("make_countries", ROOT / "tools" / "make_countries.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.build_rows()
    assert module.problems(rows) == []
    assert module.render(rows) == CSV_PATH.read_text(encoding="utf-8")


def test_runtime_does_not_import_pycountry() -> None:
    code = (
        "import sys; from grondstof.registry.countries import countries; countries(); "
        "sys.exit('pycountry' in sys.modules or 'pandas' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_countries_is_cached() -> None:
    assert countries() is countries()


def test_registry_rejects_conflicting_rows(reg: CountryRegistry) -> None:
    nld = reg.get("NLD")
    clash = dataclasses.replace(nld, iso3="NLX", name_en="Nieuwland", name_nl="Nieuwland", aliases=())
    with pytest.raises(ValueError, match="NL"):
        CountryRegistry([nld, clash])  # same iso2
    twin = dataclasses.replace(reg.get("BEL"), name_en="Netherlands")
    with pytest.raises(ValueError, match="netherlands"):
        CountryRegistry([nld, twin])


def test_parse_rejects_bad_cells() -> None:
    header = ",".join(countries_module.CSV_COLUMNS)
    bad = header + "\nNLD,NL,528,five,528,,,Netherlands,Nederland,,country,1958-01-01,\n"
    with pytest.raises(Exception, match="baci_code"):
        parse_countries_csv(bad)
    with pytest.raises(Exception, match="header"):
        parse_countries_csv("iso3,name\nNLD,Netherlands\n")


def test_country_is_frozen(reg: CountryRegistry) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        reg.get("NLD").name_en = "Holland"  # type: ignore[misc]
    assert isinstance(reg.get("NLD"), Country)


# -- the shared datasets ------------------------------------------------------------------------------

# Where a dataset's own code and our row differ on purpose (see tools/country_overrides.csv).
BACI_TABLE_EXCEPTIONS = {58: "BLX", 490: "TWN", 711: "SCU", 849: "UMI"}
# geopolrisk's World Mining Data gives these rows another country's code; the name is right.
WMD_CODE_QUIRKS = {("Kosovo", "R20"), ("French Guiana", "GUY")}


@pytest.fixture(scope="module")
def data_dir() -> Path:
    try:
        from grondstof.config import resolve_data_dir

        return resolve_data_dir()
    except Exception as error:  # no shared data on this machine
        pytest.skip(f"shared data not available: {error}")


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        yield from csv.DictReader(handle)


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def assert_names_resolve(reg: CountryRegistry, values: set[str], where: str) -> None:
    unknown = sorted(v for v in values if reg.lookup_name(v) is None and not is_non_country_label(v))
    assert not unknown, f"{where}: names not in the registry: {unknown}"


@pytest.mark.realdata
def test_baci_country_table(reg: CountryRegistry, data_dir: Path) -> None:
    rows = list(read_csv(need(data_dir / "geopolrisk" / "baci_country_codes.csv")))
    assert len(rows) == 238
    for row in rows:
        code = int(row["country_code"])
        holders = [c for c in reg.all() if code in c.baci_codes]
        assert len(holders) == 1, f"BACI {code}: {[c.iso3 for c in holders]}"
        found = reg.from_baci(code)
        assert found is holders[0]
        assert found.iso3 == BACI_TABLE_EXCEPTIONS.get(code, row["country_iso3"]), row
        assert reg.lookup_name(row["country_name"]) is found, row  # names too, mojibake and all


@pytest.mark.realdata
def test_wgi_dataset_codes(reg: CountryRegistry, data_dir: Path) -> None:
    path = need(data_dir / "wgi" / "wgidataset_1996_2023.csv")
    pairs = {(r["code"], r["countryname"]) for r in read_csv(path)}
    assert len(pairs) > 200
    for code, name in pairs:
        found = reg.from_iso3(code)
        assert found is not None, code
        assert reg.lookup_name(name) is found, (code, name)


@pytest.mark.realdata
def test_wgi_sqlite_codes(reg: CountryRegistry, data_dir: Path) -> None:
    path = need(data_dir / "geopolrisk" / "wgi_political_stability.db")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert "Estimate" in tables
        for table in tables:
            query = f'SELECT DISTINCT "Code", "Country/Territory", country_code FROM "{table}"'
            for code, name, m49 in connection.execute(query):
                found = reg.from_iso3(code)
                assert found is not None, (table, code)
                assert reg.lookup_name(name) is found, (table, code, name)
                if m49 != "NA":  # the db's country_code holds BACI numbers (CHE 757, USA 842)
                    assert reg.from_baci(m49) is found, (table, code, m49)
    finally:
        connection.close()


@pytest.mark.realdata
def test_comext_codes(reg: CountryRegistry, data_dir: Path) -> None:
    path = need(data_dir / "comext_eu27_crm_cn8" / "eu_comext_critical_inputs_cn8_2022_2024.csv")
    partners: set[str] = set()
    declarants: set[str] = set()
    for row in read_csv(path):
        partners.add(row["PARTNER_ISO"])
        declarants.add(row["DECLARANT_ISO"])
    assert "NA" in partners  # Namibia survives a csv-module read
    assert not sorted(c for c in partners | declarants if reg.from_iso2(c) is None)
    assert {reg.from_iso2(c).iso3 for c in declarants} == set(reg.eu27().members)  # type: ignore[union-attr]


@pytest.mark.realdata
def test_country_name_columns(reg: CountryRegistry, data_dir: Path) -> None:
    sources = [
        ("eu_crm_2023/global_supply_shares_2023.csv", "Country"),
        ("eu_crm_2023/eu_sourcing_shares_2023.csv", "Country"),
        ("export_restrictions/export_controls_timeline.csv", "country"),
    ]
    found_any = False
    for relative, column in sources:
        path = data_dir / relative
        if path.exists():
            found_any = True
            assert_names_resolve(reg, {r[column] for r in read_csv(path)}, relative)
    for path in sorted((data_dir / "usgs_mcs2026").glob("*.csv")):
        found_any = True
        values = {r["country"] for r in read_csv(path)}
        assert {"World total (rounded)", "Other countries"} & values  # the labels are really there
        assert_names_resolve(reg, values, path.name)
    for path in sorted((data_dir / "comtrade_china_exports_monthly").glob("*.csv.gz")):
        found_any = True
        assert_names_resolve(reg, {r["partner_name"] for r in read_csv(path)}, path.name)
    if not found_any:
        pytest.skip("no name-bearing files present")


@pytest.mark.realdata
def test_world_mining_data(reg: CountryRegistry, data_dir: Path) -> None:
    path = need(data_dir / "geopolrisk" / "world_mining_data_2018_2024_long.csv")
    triples = {(r["country"], r["iso3"], r["country_code_m49"]) for r in read_csv(path)}
    quirks = set()
    for name, iso3, code in triples:
        if name == "Total":
            assert (iso3, code) == ("DELETE", "DELETE") and is_non_country_label(name)
            continue
        by_name, by_iso3, by_code = reg.lookup_name(name), reg.from_iso3(iso3), reg.from_baci(code)
        assert by_name is not None and by_iso3 is not None and by_code is not None, (name, iso3, code)
        assert by_iso3 is by_code, (name, iso3, code)  # its "m49" column holds BACI numbers
        if by_name is not by_iso3:
            quirks.add((name, iso3))
    assert quirks == WMD_CODE_QUIRKS


@pytest.mark.realdata
def test_baci_iso3_columns(reg: CountryRegistry, data_dir: Path) -> None:
    paths = sorted((data_dir / "baci_hs17_atlas_subset").glob("*.csv.gz"))
    paths += sorted((data_dir / "comflow_baci_hs22_top_flows").glob("*flows*.csv.gz"))
    if not paths:
        pytest.skip("no BACI iso3 files present")
    for path in paths:
        rows = list(read_csv(path))
        for side in ("exporter", "importer"):
            codes = {r[f"{side}_iso3"] for r in rows}
            assert not sorted(c for c in codes if reg.from_iso3(c) is None), (path.name, side)
            if f"{side}_name" in rows[0]:
                for name, code in {(r[f"{side}_name"], r[f"{side}_iso3"]) for r in rows}:
                    assert reg.lookup_name(name) is reg.from_iso3(code), (path.name, name, code)


@pytest.mark.realdata
def test_baci_asean_codes(reg: CountryRegistry, data_dir: Path) -> None:
    paths = sorted((data_dir / "baci_hs07_asean_minerals").glob("*.csv.gz"))
    if not paths:
        pytest.skip("no ASEAN BACI file present")
    pairs: set[tuple[str, str]] = set()
    for row in read_csv(paths[0]):
        pairs.add((row["i"], row["i_iso3"]))
        pairs.add((row["j"], row["j_iso3"]))
    for code, iso3 in pairs:
        found = reg.from_baci(code)
        assert found is not None and found is reg.from_iso3(iso3), (code, iso3)
