"""BACI bilateral values of 32 refined-stage codes, 2002–2024, truncated to each side's top 6 partners.

Layout (``baci_refined_top_flows/``, GitHub ``Varcolacus/critical-materials-atlas`` ``out/flows_YYYY.json``
flattened to one CSV; see PROVENANCE §14):

* ``baci_refined_top6_flows_2002_2024.csv.gz``:
  ``year,nomenclature,material,hs6,exporter_iso2,importer_iso2,value_usd``. ``nomenclature`` is ``HS02`` for
  2002–2016 and ``HS17`` for 2017–2024; ``material`` is the extract's label (``nickel``, ``magnets``);
  ``hs6`` the label's refined code (hafnium: ``811231/811292``); ISO2 codes where ``NA`` is Namibia;
  ``value_usd`` whole US dollars, FOB, as BACI (thousand USD × 1000).
* ``code_provenance.json``: ``{"materials": [{"label", "name", "ore", "refined", "refined_all",
  "refined_stage", "flag", "flag_key"}]}`` — the extract's own description of each label.
* ``world_trade_volume_indicators.json``: ``{"years": [2002, …], "materials": {label: {"title", "val_hhi",
  "qty_hhi", "val_cn", "qty_cn", "uv", "china_uv", "row_uv", "price_gap", "china_gap"}}}`` — per label
  and year the exporter HHI of world trade by value and by tonnes (0–1), China's share by value and
  tonnes (percent), and unit values (USD per tonne: world, China, rest of world).

Canonical output:

* ``trade_top_flows``: one row per (year, code, exporter, importer) with ``coverage = "top6_union"``. The
  upstream kept, for each importer, its 6 largest suppliers and, for each exporter, its 6 largest customers
  (the union of both), after dropping self-flows and countries without an ISO2 code. So a sum over these
  rows is a **lower bound** of the true total, a share computed from them is a share **of the retained
  flows**, and an HHI computed from them is an **upper bound** of the true concentration (the missing small
  partners would lower it). Every row carries that coverage so no figure can lose it.
  The labels gallium, germanium and hafnium carry the same 811292 flows (one shared code); they are checked
  to be identical and stored once under the code.
* ``refined_codes``: label → registry material, code, registry stage and basket flag (from
  ``registry/refined_labels.csv``) beside the extract's own words (name, stage, ore code, flag).
* ``world_trade_indicators``: the volume indicators per label and year, shares converted to fractions.
  They are world totals computed by the repository (its method is not documented; they come close to, but
  do not equal, the figures the top-6 rows give — e.g. magnets 2024 exporter HHI 0.410 against 0.425 from
  the retained flows — so they appear to use every flow). ``price_gap``/``china_gap`` (one number per label,
  undocumented) are not stored. The titles of ``manganese`` ("Manganese ore") and ``bauxite`` ("Aluminium
  ores / bauxite") and their unit values (~150 USD/t) suggest those two series describe the ore codes, not
  811100/281820: the title is stored with each row so that is visible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from grondstof.errors import SourceFormatError
from grondstof.registry.countries import countries
from grondstof.registry.source_maps import RefinedLabel, refined_labels
from grondstof.schema import conform, empty
from grondstof.sources._base import (
    SourceInfo,
    check_unique,
    float_column,
    int_column,
    map_column,
    read_csv_text,
    text_column,
)

SOURCE_ID = "baci_refined_top6"
COVERAGE = "top6_union"
COVERAGE_TEXT = (
    "top-6 extract: for each importer its 6 largest suppliers and for each exporter its 6 largest customers; "
    "totals are lower bounds, shares are of the retained flows, HHI is an upper bound"
)
FLOWS_GLOB = "baci_refined_top_flows/baci_refined_top6_flows_*.csv*"
PROVENANCE_FILE = "baci_refined_top_flows/code_provenance.json"
VOLUME_FILE = "baci_refined_top_flows/world_trade_volume_indicators.json"

INFO = SourceInfo(
    id=SOURCE_ID,
    title="BACI bilateral trade values of 32 refined-stage codes, top 6 partners per importer and exporter, "
    "2002–2024",
    publisher="CEPII (extract by GitHub Varcolacus/critical-materials-atlas)",
    licence="Etalab Open Licence 2.0 (BACI); the extract's repository states no licence",
    version="BACI HS02 and HS17, release V202601; repository HEAD 17b328d2239864e993895582a29fdd3b5ceb479b "
    "(out/flows_2002.json … out/flows_2024.json, code_provenance.json, out/volume.json)",
    citation="Gaulier, G. & Zignago, S. (2010), BACI: International Trade Database at the Product-Level. "
    "The 1994-2007 Version, CEPII Working Paper 2010-23",
    url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    files=(FLOWS_GLOB, PROVENANCE_FILE, VOLUME_FILE),
    tables=("trade_top_flows", "refined_codes", "world_trade_indicators"),
    notes="TRUNCATED: only each importer's top 6 suppliers and each exporter's top 6 customers are kept "
    "(coverage 'top6_union' on every row), so totals from these rows are lower bounds, shares are shares of "
    "the retained flows and an HHI from them is an upper bound. Values only (no tonnes), whole USD FOB. "
    "HS02 codes 2002–2016, HS17 2017–2024 (one HS6 code per label; the codes are the same in both "
    "nomenclatures for these products). 811292 is one basket for Ga, Ge, Hf, In, Nb, Re, V: its flows are "
    "stored once and stand for each of them. Self-flows and countries without ISO2 were dropped upstream; "
    "BACI 490 is Taiwan. World trade indicators are as published by the repository (exporter HHI by value "
    "and tonnes, China's share, unit values in USD/t), world totals only.",
    units={"value": "USD (FOB, current)", "unit_value": "USD per tonne", "hhi_value": "0-1"},
)

FLOW_COLUMNS = ("year", "nomenclature", "material", "hs6", "exporter_iso2", "importer_iso2", "value_usd")
# The nomenclature BACI reports each year in, as the extract used it (HS02 files to 2016, HS17 after).
HS17_FROM = 2017
INDICATOR_KEYS = {
    "val_hhi": ("hhi_value", 1.0),
    "qty_hhi": ("hhi_tonnes", 1.0),
    "val_cn": ("china_share_value", 100.0),  # published in percent
    "qty_cn": ("china_share_tonnes", 100.0),
    "uv": ("unit_value", 1.0),
    "china_uv": ("china_unit_value", 1.0),
    "row_uv": ("rest_unit_value", 1.0),
}


def _labels() -> dict[str, RefinedLabel]:
    return refined_labels()


def parse_flows_file(path: Path) -> pa.Table:
    """Parse the flattened flows CSV (optionally gzipped) into ``trade_top_flows`` rows."""
    raw = read_csv_text(path, FLOW_COLUMNS)
    labels = _labels()
    year = int_column(raw, "year", path, lo=1988, hi=2100)
    nomenclature = text_column(
        raw, "nomenclature", path, pattern=r"^HS(02|17)$", expected="HS02 (2002–2016) or HS17 (from 2017)"
    )
    expected_nom = pc.if_else(pc.less(year, HS17_FROM), "HS02", "HS17")
    _refuse(
        path, raw, "nomenclature", pc.not_equal(nomenclature, expected_nom), "HS02 up to 2016, HS17 from 2017"
    )
    label = text_column(
        raw,
        "material",
        path,
        pattern="^(" + "|".join(sorted(labels)) + ")$",
        expected="a label of registry/refined_labels.csv (" + ", ".join(sorted(labels)) + ")",
    )
    code_of = {k: v.code for k, v in labels.items()}
    code = pc.take(
        pa.array(list(code_of.values()), pa.string()),
        pc.index_in(label, value_set=pa.array(list(code_of), pa.string())),
    )
    hs6 = text_column(
        raw, "hs6", path, pattern=r"^\d{6}(/\d{6})*$", expected="an HS6 code (or codes joined by /)"
    )
    # The printed code must name the label's code (hafnium prints 811231/811292 and trades as 811292).
    # Most rows print exactly the code; only the others (a few "811231/811292") are split in Python.
    printed_ok = pc.fill_null(pc.equal(code, hs6), False)
    others = pc.indices_nonzero(pc.invert(printed_ok)).to_pylist()
    if others:
        fixed = printed_ok.to_pylist()
        for i in others:
            fixed[i] = code[i].as_py() in hs6[i].as_py().split("/")
        printed_ok = pa.array(fixed, pa.bool_())
    _refuse(
        path, raw, "hs6", pc.invert(printed_ok), "the refined code of the label (registry/refined_labels.csv)"
    )
    registry = countries()
    exporter = map_column(
        text_column(raw, "exporter_iso2", path, pattern=r"^[A-Z]{2}$", expected="an ISO2 code"),
        lambda values: registry.map_codes(values, "iso2"),
        path,
        "exporter_iso2",
        "an ISO2 code known to the country registry (NA is Namibia)",
    )
    importer = map_column(
        text_column(raw, "importer_iso2", path, pattern=r"^[A-Z]{2}$", expected="an ISO2 code"),
        lambda values: registry.map_codes(values, "iso2"),
        path,
        "importer_iso2",
        "an ISO2 code known to the country registry (NA is Namibia)",
    )
    _refuse(path, raw, "importer_iso2", pc.equal(exporter, importer), "an importer other than the exporter")
    value = float_column(raw, "value_usd", path, lo=0, expected="a value in USD of at least 0")
    keyed = pa.table(
        {
            "year": year,
            "material": label,
            "exporter": exporter,
            "importer": importer,
            "code": code,
            "value": value,
        }
    )
    check_unique(keyed, ["year", "material", "exporter", "importer"], path, column="importer_iso2")
    # A shared code appears once per label: the copies must agree, then one is kept.
    per_code = keyed.group_by(["year", "code", "exporter", "importer"]).aggregate(
        [("value", "min"), ("value", "max"), ("material", "count")]
    )
    differs = pc.not_equal(per_code["value_min"], per_code["value_max"])
    if pc.any(differs).as_py():
        at = pc.index(differs, True).as_py()
        bad = {k: per_code[k][at].as_py() for k in ("year", "code", "exporter", "importer")}
        mask = pc.and_(
            pc.and_(pc.equal(year, bad["year"]), pc.equal(code, bad["code"])),
            pc.and_(pc.equal(exporter, bad["exporter"]), pc.equal(importer, bad["importer"])),
        )
        # Report the first copy that disagrees with the first one, and how many groups disagree.
        lines = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
        first_value = value[lines[0]].as_py()
        odd = next(i for i in lines if value[i].as_py() != first_value)
        raise SourceFormatError(
            path,
            f"the same value for every label sharing code {bad['code']} "
            f"(line {lines[0] + 2}: {first_value:g})",
            line=odd + 2,
            column="value_usd",
            value=raw.column("value_usd")[odd].as_py(),
            more=(pc.sum(differs).as_py() or 1) - 1,
        )
    n = per_code.num_rows
    first = per_code.sort_by(
        [("year", "ascending"), ("code", "ascending"), ("importer", "ascending"), ("exporter", "ascending")]
    )
    nomen = pc.if_else(pc.less(first["year"], HS17_FROM), "HS02", "HS17")
    return conform(
        "trade_top_flows",
        pa.table(
            {
                "source": pa.array([SOURCE_ID] * n, pa.string()),
                "classification": nomen,
                "code": first["code"],
                "year": first["year"],
                "exporter": first["exporter"],
                "importer": first["importer"],
                "value": first["value_min"],
                "currency": pa.array(["USD"] * n, pa.string()),
                "coverage": pa.array([COVERAGE] * n, pa.string()),
            }
        ),
    )


def _refuse(path: Path, raw: pa.Table, column: str, bad: pa.Array, expected: str) -> None:
    bad = pc.fill_null(bad, False)
    count = pc.sum(bad).as_py() or 0
    if count:
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(
            path,
            expected,
            line=index + 2,
            column=column,
            value=raw.column(column)[index].as_py(),
            more=count - 1,
        )


def _load_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            path, f"valid JSON ({exc.msg})", line=exc.lineno, value=f"column {exc.colno}"
        ) from None


def parse_provenance_file(path: Path) -> pa.Table:
    """Parse ``code_provenance.json`` into ``refined_codes`` (one row per label, joined to our mapping)."""
    data = _load_json(path)
    items = data.get("materials") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceFormatError(path, 'an object {"materials": [...]}', column="materials")
    labels = _labels()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"materials[{i}]"
        if not isinstance(item, dict):
            raise SourceFormatError(path, "an object per label", column=where, value=item)
        label = _text(path, item, "label", where)
        if label not in labels:
            raise SourceFormatError(
                path, "a label of registry/refined_labels.csv", column=f"{where}.label", value=label
            )
        if label in seen:
            raise SourceFormatError(path, "each label once", column=f"{where}.label", value=label)
        seen.add(label)
        refined_all = item.get("refined_all")
        if not (
            isinstance(refined_all, list)
            and all(isinstance(c, str) and c.isdigit() and len(c) == 6 for c in refined_all)
        ):
            raise SourceFormatError(
                path, "a list of HS6 codes", column=f"{where}.refined_all", value=refined_all
            )
        ore = item.get("ore")
        if ore is not None and not (isinstance(ore, str) and ore.isdigit() and len(ore) == 6):
            raise SourceFormatError(path, "an HS6 code or null", column=f"{where}.ore", value=ore)
        mapped = labels[label]
        rows.append(
            {
                "source": SOURCE_ID,
                "label": label,
                "name": _text(path, item, "name", where),
                "material": mapped.material,
                "stage": mapped.stage,
                "refined_stage": _text(path, item, "refined_stage", where),
                "code": mapped.code,
                "codes_all": refined_all,
                "ore_code": ore,
                "basket": mapped.basket,
                "flag_key": _text(path, item, "flag_key", where),
                "flag": _text(path, item, "flag", where),
            }
        )
    return conform("refined_codes", pa.Table.from_pylist(rows, schema=_schema("refined_codes")))


def _schema(name: str) -> pa.Schema:
    from grondstof.schema import TABLES

    return TABLES[name]


def _text(path: Path, item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SourceFormatError(path, "a non-empty text", column=f"{where}.{key}", value=value)
    return value.strip()


def parse_volume_file(path: Path) -> pa.Table:
    """Parse ``world_trade_volume_indicators.json`` into ``world_trade_indicators`` (label × year)."""
    data = _load_json(path)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("years"), list)
        or not isinstance(data.get("materials"), dict)
    ):
        raise SourceFormatError(path, 'an object {"years": [...], "materials": {...}}', column="years")
    years = data["years"]
    if (
        not years
        or not all(isinstance(y, int) and 1988 <= y <= 2100 for y in years)
        or years != sorted(set(years))
    ):
        raise SourceFormatError(path, "increasing years between 1988 and 2100", column="years", value=years)
    labels = _labels()
    rows: list[dict[str, Any]] = []
    for label, series in data["materials"].items():
        where = f"materials.{label}"
        if label not in labels:
            raise SourceFormatError(path, "a label of registry/refined_labels.csv", column=where, value=label)
        if not isinstance(series, dict):
            raise SourceFormatError(path, "an object of series", column=where, value=series)
        title = _text(path, series, "title", where)
        values: dict[str, list[float | None]] = {}
        for key, (name, divisor) in INDICATOR_KEYS.items():
            got = series.get(key)
            if not isinstance(got, list) or len(got) != len(years):
                raise SourceFormatError(
                    path, f"a list of {len(years)} numbers (one per year)", column=f"{where}.{key}", value=got
                )
            out: list[float | None] = []
            for j, v in enumerate(got):
                if v is None:
                    out.append(None)
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    raise SourceFormatError(
                        path, "a number of at least 0 or null", column=f"{where}.{key}[{j}]", value=v
                    )
                if key.endswith("hhi") and v > 1:
                    raise SourceFormatError(
                        path, "an HHI between 0 and 1", column=f"{where}.{key}[{j}]", value=v
                    )
                if key.endswith("_cn") and v > 100:
                    raise SourceFormatError(
                        path, "a percentage between 0 and 100", column=f"{where}.{key}[{j}]", value=v
                    )
                out.append(round(float(v) / divisor, 10))
            values[name] = out
        for j, year in enumerate(years):
            rows.append(
                {
                    "source": SOURCE_ID,
                    "label": label,
                    "title": title,
                    "material": labels[label].material,
                    "code": labels[label].code,
                    "year": year,
                    **{name: vals[j] for name, vals in values.items()},
                }
            )
    return conform(
        "world_trade_indicators", pa.Table.from_pylist(rows, schema=_schema("world_trade_indicators"))
    )


def parse(data_dir: Path) -> dict[str, pa.Table]:
    """Parse the refined top-6 extract found in ``data_dir`` (the flows, the code provenance, the volumes)."""
    flows = [parse_flows_file(p) for p in sorted(data_dir.glob(FLOWS_GLOB))]
    out = {
        "trade_top_flows": pa.concat_tables(flows) if flows else empty("trade_top_flows"),
        "refined_codes": empty("refined_codes"),
        "world_trade_indicators": empty("world_trade_indicators"),
    }
    if (data_dir / PROVENANCE_FILE).is_file():
        out["refined_codes"] = parse_provenance_file(data_dir / PROVENANCE_FILE)
    if (data_dir / VOLUME_FILE).is_file():
        out["world_trade_indicators"] = parse_volume_file(data_dir / VOLUME_FILE)
    return out
