"""Regenerate ``src/grondstof/registry/countries.csv`` (dev-time only; needs pycountry).

Sources, and nothing else:

* ISO 3166-1 from pycountry: alpha-2, alpha-3, numeric, English names, Dutch names from pycountry's
  ``iso3166-1`` gettext catalogue;
* ``tools/country_overrides.csv``, hand-maintained: short common names, aliases, trade-statistics codes
  that differ from ISO (BACI/Comtrade 251 France, 490 Taiwan, WGI ``ZAR``, Eurostat ``EL``, …), EU
  membership dates, the kind of each territory, and the non-ISO rows (Kosovo, historic and aggregate
  reporting entities). Its ``note`` column says why; it is not written out.

Override semantics: a non-empty cell replaces the generated value, except ``aliases``, which are added to
the generated ones. ``baci_code`` ``-`` means "not a BACI reporter" (otherwise BACI = ISO numeric). A row
whose iso3 is not in ISO 3166-1 defines a new entity and must give names and kind.

Usage::

    python tools/make_countries.py           # rewrite the CSV
    python tools/make_countries.py --check   # exit 1 if the CSV is out of date (for CI)
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gettext
import io
import sys
from pathlib import Path

import pycountry

from grondstof.registry.countries import (
    CSV_COLUMNS,
    KINDS,
    CountryRegistry,
    name_key,
    parse_countries_csv,
)

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "tools" / "country_overrides.csv"
OUTPUT = ROOT / "src" / "grondstof" / "registry" / "countries.csv"
OVERRIDE_COLUMNS = (*CSV_COLUMNS, "note")
NO_BACI = "-"


def load_overrides(path: Path = OVERRIDES) -> dict[str, dict[str, str]]:
    """Read the overrides table into ``{iso3: {column: value}}``; raises ValueError on a malformed table."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != OVERRIDE_COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(OVERRIDE_COLUMNS)}")
        result: dict[str, dict[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            if None in row or any(value is None for value in row.values()):
                raise ValueError(f"{path}, line {line}: wrong number of cells")
            iso3 = row["iso3"].strip()
            if iso3 in result:
                raise ValueError(f"{path}, line {line}: {iso3} appears twice")
            result[iso3] = {key: value.strip() for key, value in row.items()}
        return result


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def iso_rows() -> dict[str, dict[str, str]]:
    """Return one generated row per ISO 3166-1 country, with names and auto-derived aliases."""
    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    rows: dict[str, dict[str, str]] = {}
    for entry in pycountry.countries:
        name = entry.name
        common = getattr(entry, "common_name", None)
        official = getattr(entry, "official_name", None)
        english = [n for n in (common, name, official) if n]
        rows[entry.alpha_3] = {
            "iso3": entry.alpha_3,
            "iso2": entry.alpha_2,
            "iso_numeric": entry.numeric,
            "baci_code": str(int(entry.numeric)),
            "comtrade_code": "",
            "wgi_code": "",
            "eurostat_code": "",
            "name_en": common or name,
            "name_nl": dutch.gettext(common or name),
            # pycountry's formal names ("Korea, Republic of") stay findable as aliases.
            "aliases": ";".join(english + [dutch.gettext(n) for n in english]),
            "kind": "country",
            "eu_join": "",
            "eu_leave": "",
        }
    return rows


def build_rows(overrides_path: Path = OVERRIDES) -> list[dict[str, str]]:
    """Merge the ISO rows with the overrides; return rows sorted by iso3, ready to write."""
    rows = iso_rows()
    overrides = load_overrides(overrides_path)
    for iso3, override in overrides.items():
        if iso3 not in rows:
            missing = [c for c in ("name_en", "name_nl", "kind") if not override[c]]
            if missing:
                raise ValueError(f"{iso3} is not in ISO 3166-1, so the override must give {missing}")
            rows[iso3] = dict.fromkeys(CSV_COLUMNS, "") | {"iso3": iso3}
        row = rows[iso3]
        for column in CSV_COLUMNS:
            value = override[column]
            if column == "aliases":
                # Hand-written aliases first: they are the ones people type.
                row["aliases"] = ";".join(_split(value) + _split(row["aliases"]))
            elif value:
                row[column] = value
    result: list[dict[str, str]] = []
    for iso3 in sorted(rows):
        row = rows[iso3]
        if row["baci_code"] == NO_BACI:
            row["baci_code"] = ""
        if not row["comtrade_code"]:
            # Comtrade numbers reporters like BACI (BACI is built from Comtrade), else like ISO/M49.
            baci = _split(row["baci_code"])
            if baci:
                row["comtrade_code"] = baci[0]
            elif row["iso_numeric"]:
                row["comtrade_code"] = str(int(row["iso_numeric"]))
        # Drop aliases that repeat a name or another alias once folded.
        seen = {name_key(row["name_en"]), name_key(row["name_nl"])}
        aliases: list[str] = []
        for alias in _split(row["aliases"]):
            if name_key(alias) not in seen:
                seen.add(name_key(alias))
                aliases.append(alias)
        row["aliases"] = ";".join(aliases)
        result.append({column: row[column] for column in CSV_COLUMNS})
    return result


def render(rows: list[dict[str, str]]) -> str:
    """Return the CSV text for ``rows`` (UTF-8, ``\\n`` line ends, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def problems(rows: list[dict[str, str]]) -> list[str]:
    """Return consistency problems that the runtime loader would not catch on its own."""
    found: list[str] = []
    codes: dict[str, str] = {}
    for row in rows:
        if row["kind"] not in KINDS:
            found.append(f"{row['iso3']}: kind {row['kind']!r}")
        for column in ("eu_join", "eu_leave"):
            if row[column]:
                datetime.date.fromisoformat(row[column])
        for code in filter(None, (row["iso2"], row["iso3"], row["wgi_code"], row["eurostat_code"])):
            codes.setdefault(code, row["iso3"])
        if any(";" in row[c] for c in ("name_en", "name_nl")):
            found.append(f"{row['iso3']}: ';' in a name")
    # resolve() tries codes before names, so a short alias equal to another row's code would be unreachable.
    for row in rows:
        for alias in _split(row["aliases"]):
            owner = codes.get(alias.upper())
            if len(alias) <= 3 and owner is not None and owner != row["iso3"]:
                found.append(f"{row['iso3']}: alias {alias!r} is a code of {owner}")
    return found


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the concordance CSV; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the CSV is up to date")
    args = parser.parse_args(argv)
    rows = build_rows()
    issues = problems(rows)
    text = render(rows)
    try:
        CountryRegistry(parse_countries_csv(text))  # the runtime's own duplicate-code and name checks
    except ValueError as error:
        issues.append(str(error))
    if issues:
        print("\n".join(issues), file=sys.stderr)
        return 1
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if current != text:
            print(f"{OUTPUT} is out of date; run python tools/make_countries.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
