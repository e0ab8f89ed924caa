"""Synthetic bilateral trade at a chosen multiple of the shared BACI HS92 subset, for scale tests.

The shared data holds 1,264,888 BACI HS92 rows (74 critical-raw-material codes, 233 countries, 1995–2024).
The full official BACI files are about ten times larger per year and CEPII's licence allows reuse, but they
are not part of the shared data; :func:`generate` writes trade of the same shape at ``scale`` times that row
count, seeded and reproducible, so builds and analyses can be tested at 10× and 100× without them.

What is generated (every draw comes from one ``numpy.random.Generator`` seeded with ``seed``):

* **Countries**: the registry's countries and territories with a BACI code (one code each). Each country
  has an economic size ``s`` drawn lognormal(0, 1.6), which gives a heavy-tailed size distribution (a few
  large traders, many small ones) as in world trade.
* **Products**: the registry's HS92 codes (the materials grondstof maps) plus ``74 × (scale − 1)`` filler
  codes from HS chapters the registry does not map (01–24, 29–70, 82–97), so that a build which keeps only
  mapped codes has rows to drop. Each product has a supply concentration: exporter affinity
  lognormal(0, 1.5) per country and product, so a few countries dominate each product's exports.
* **Rows per year** grow linearly from 55 % (1995) to 100 % (2024) of the yearly mean, as the shared subset
  grows from 26,496 to ~50,000 rows. Rows per product and year are lognormal(0, 0.8) shares of the year.
* **Partners per importer**: pairs are drawn with probability ∝ exporter size^0.8 × affinity × importer
  size, without repeats, so large importers have many partners and small ones a few (in the shared subset
  the median importer has 3 partners per product and year, the 99th percentile 35).
* **Values** (thousand USD, FOB): lognormal, log-value = product level + 0.7·log s_exporter + 0.7·log
  s_importer + normal(0, 2.2), with 4 % nominal growth a year; rounded to 0.001 and at least 0.001. This
  gives the heavy tail of the real data (median ~30, 99th percentile ~10^5.8 thousand USD).
* **Quantities** (tonnes) = value / unit price, unit price lognormal per product × lognormal(0, 0.5) per
  row; 5 % of rows have no quantity (``NA``), as in BACI (4.9 % in the shared subset).

Layouts: ``official`` writes CEPII's yearly files ``baci/BACI_HS92_Y{year}_V000000.csv.gz`` (``t,i,j,k,v,q``;
release ``V000000`` marks them as synthetic); ``extract`` writes the geopolrisk extract layout in place of
``geopolrisk/baci_hs92_crm_trade_*.csv.gz`` (two files, 1995–2014 and 2015–2024, as shared). With
``link_shared`` the other datasets of a data directory are symlinked beside them (never copied), so
``grondstof build --data OUT`` builds a complete store.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grondstof.errors import InputError

BASE_ROWS = 1_264_888  # BACI HS92 rows in the shared subset (PROVENANCE: 760,205 + 504,683)
FIRST_YEAR, LAST_YEAR = 1995, 2024
SYNTHETIC_RELEASE = "000000"
FILLER_CHAPTERS = (*range(1, 25), *range(29, 71), *range(82, 98))
EXTRACT_FILES = "geopolrisk/baci_hs92_crm_trade_*.csv.gz"
EXTRACT_SPLIT = {1995: (1995, 2014), 2015: (2015, 2024)}  # first year of each extract file -> its span


@dataclass(frozen=True)
class SynthReport:
    """What :func:`generate` wrote: files, rows per layout, seed and parameters."""

    out_dir: Path
    layout: str
    scale: float
    seed: int
    rows: int
    files: list[str]
    linked: list[str]
    seconds: float


def _countries() -> tuple[list[int], list[str]]:
    """One BACI code per country or territory in the registry (the lowest, i.e. the current one)."""
    from grondstof.registry.countries import countries

    codes, iso3 = [], []
    for country in countries().all():
        if country.baci_codes and country.kind in ("country", "territory"):
            codes.append(min(country.baci_codes))
            iso3.append(country.iso3)
    return codes, iso3


def _products(scale: float) -> tuple[list[str], int]:
    """Mapped HS92 codes first, then filler codes from unmapped chapters; returns (codes, mapped count)."""
    from grondstof.registry.materials import materials

    registry = materials()
    mapped = sorted({row.code for m in registry.all() for row in registry.codes(m.id, "HS92")})
    wanted = max(len(mapped), round(len(mapped) * scale))
    filler: list[str] = []
    taken = set(mapped)
    for chapter in FILLER_CHAPTERS:
        for heading in range(1, 100):
            for sub in (10, 90, 20, 30, 40, 50, 60, 70, 80, 0):
                code = f"{chapter:02d}{heading:02d}{sub:02d}"
                if code not in taken:
                    filler.append(code)
                if len(mapped) + len(filler) >= wanted:
                    return mapped + filler, len(mapped)
    return mapped + filler, len(mapped)


def _check(scale: float, seed: int, layout: str) -> None:
    if not (0 < scale <= 1000):
        raise InputError(
            "--scale", scale, "a multiple of the shared subset between 0 and 1000, e.g. 10 or 100"
        )
    if seed < 0:
        raise InputError("--seed", seed, "a seed of at least 0")
    if layout not in ("official", "extract"):
        raise InputError("--layout", layout, "official (CEPII yearly files) or extract (geopolrisk layout)")


def generate(
    out_dir: str | os.PathLike[str],
    *,
    scale: float = 10,
    seed: int = 42,
    layout: str = "official",
    data_dir: str | os.PathLike[str] | None = None,
    link_shared: bool = True,
    compresslevel: int = 1,
) -> SynthReport:
    """Write synthetic BACI trade at ``scale`` × the shared subset's row count into ``out_dir``.

    Parameters
    ----------
    out_dir:
        Directory to write (created; existing synthetic files of the same layout are replaced).
    scale:
        Multiple of the shared subset's 1,264,888 rows (10 and 100 are the scale tests).
    seed:
        Seed of the random generator: the same seed, scale and layout give byte-identical files.
    layout:
        ``official`` (CEPII yearly files ``t,i,j,k,v,q``) or ``extract`` (the geopolrisk extract layout).
    data_dir:
        Data directory whose other datasets are linked beside the synthetic files (default: grondstof's).
    link_shared:
        Symlink the other datasets so that ``out_dir`` is a complete data directory.

    The distributions are described in the module docstring.
    """
    import time

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    _check(scale, seed, layout)
    started = time.perf_counter()
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    codes, _ = _countries()
    country_code = np.array(codes, dtype=np.int32)
    n_countries = len(codes)
    products, _ = _products(scale)
    n_products = len(products)

    size = rng.lognormal(0.0, 1.6, n_countries)
    importer_weight = size * rng.lognormal(0.0, 0.7, n_countries)
    affinity = rng.lognormal(0.0, 1.5, (n_products, n_countries))
    exporter_weight = size**0.8 * affinity
    product_level = rng.normal(1.5, 1.2, n_products)  # log thousand USD per flow
    unit_price = rng.lognormal(0.7, 1.5, n_products)  # thousand USD per tonne
    product_share = rng.lognormal(0.0, 0.8, n_products)
    product_share /= product_share.sum()

    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    trend = np.linspace(0.55, 1.0, len(years))
    per_year = np.round(scale * BASE_ROWS * trend / trend.sum()).astype(np.int64)
    max_pairs = n_countries * (n_countries - 1)

    written: list[str] = []
    total = 0
    if layout == "official":
        target_dir = out / "baci"
        target_dir.mkdir(exist_ok=True)
        for old in target_dir.glob(f"BACI_HS92_Y*_V{SYNTHETIC_RELEASE}.csv*"):
            old.unlink()
    else:
        target_dir = out / "geopolrisk"
        target_dir.mkdir(exist_ok=True)
        for old in target_dir.glob("baci_hs92_crm_trade_*.csv.gz"):
            old.unlink()
        extract_handle: Any = None
        extract_writer: Any = None

    try:
        for y_index, year in enumerate(years):
            counts = np.minimum(
                np.maximum(rng.multinomial(per_year[y_index], product_share), 0), max_pairs // 4
            )
            parts_i, parts_j, parts_k = [], [], []
            for p in np.flatnonzero(counts):
                exp_p = exporter_weight[p] / exporter_weight[p].sum()
                imp_p = importer_weight / importer_weight.sum()
                chosen = _draw_pairs(rng, int(counts[p]), exp_p, imp_p, n_countries)
                parts_i.append(chosen // n_countries)
                parts_j.append(chosen % n_countries)
                parts_k.append(np.full(len(chosen), p, dtype=np.int32))
            exporter = np.concatenate(parts_i)
            importer = np.concatenate(parts_j)
            product = np.concatenate(parts_k)
            n = len(product)
            growth = 1.04 ** (year - FIRST_YEAR)
            log_value = (
                product_level[product]
                + 0.7 * np.log(size[exporter])
                + 0.7 * np.log(size[importer])
                + rng.normal(0.0, 2.2, n)
            )
            value = np.maximum(np.round(np.exp(log_value) * growth, 3), 0.001)
            tonnes = np.round(value / (unit_price[product] * rng.lognormal(0.0, 0.5, n)), 3)
            quantity = pa.array(tonnes).cast(pa.string())
            missing = rng.random(n) < 0.05
            quantity = pc.if_else(pa.array(missing), pa.scalar("NA"), quantity)
            code = pa.array(products, pa.string()).take(pa.array(product))
            columns = {
                "year": pa.array(np.full(n, year, dtype=np.int16)),
                "exporter": pa.array(country_code[exporter]),
                "importer": pa.array(country_code[importer]),
                "code": code,
                "value": pa.array(value).cast(pa.string()),
                "quantity": quantity,
            }
            total += n
            if layout == "official":
                table = pa.table(dict(zip(("t", "i", "j", "k", "v", "q"), columns.values(), strict=True)))
                path = target_dir / f"BACI_HS92_Y{year}_V{SYNTHETIC_RELEASE}.csv.gz"
                with gzip.open(path, "wb", compresslevel=compresslevel) as handle:
                    pacsv.write_csv(table, handle, pacsv.WriteOptions(quoting_style="none"))
                written.append(path.relative_to(out).as_posix())
            else:
                names = ("year", "exporter", "importer", "hs92", "value_kusd", "quantity_t")
                table = pa.table(dict(zip(names, columns.values(), strict=True)))
                if year in EXTRACT_SPLIT:  # two files, split where the shared extract splits
                    if extract_writer is not None:
                        extract_writer.close()
                        extract_handle.close()
                    first, last = EXTRACT_SPLIT[int(year)]
                    extract_path = target_dir / f"baci_hs92_crm_trade_{first}_{last}.csv.gz"
                    extract_handle = gzip.open(extract_path, "wb", compresslevel=compresslevel)
                    written.append(extract_path.relative_to(out).as_posix())
                    extract_writer = None
                if extract_writer is None:
                    extract_writer = pacsv.CSVWriter(
                        extract_handle, table.schema, write_options=pacsv.WriteOptions(quoting_style="none")
                    )
                extract_writer.write_table(table)
    finally:
        if layout == "extract" and extract_handle is not None:
            if extract_writer is not None:
                extract_writer.close()
            extract_handle.close()

    linked = _link_shared(out, data_dir, layout) if link_shared else []
    seconds = time.perf_counter() - started
    report = SynthReport(out, layout, scale, seed, total, written, linked, round(seconds, 1))
    _write_readme(report, n_products, n_countries)
    return report


def _draw_pairs(rng: Any, m: int, exp_p: Any, imp_p: Any, n: int) -> Any:
    """Draw ``m`` distinct (exporter, importer) pairs, exporter ≠ importer, with probability ∝ exp_p × imp_p.

    Pairs are drawn with replacement in rounds and repeats dropped (first occurrence kept), which is
    sampling without replacement; a product concentrated on few pairs can end with fewer than ``m``.
    """
    import numpy as np

    chosen = np.empty(0, dtype=np.int64)
    for _ in range(30):
        need = m - len(chosen)
        if need <= 0:
            break
        draw = max(need * 2, 64)
        e = rng.choice(n, draw, p=exp_p)
        i = rng.choice(n, draw, p=imp_p)
        pairs = (e * n + i)[e != i]
        merged = np.concatenate([chosen, pairs])
        _, first = np.unique(merged, return_index=True)
        chosen = merged[np.sort(first)][:m]
    return chosen


def _link_shared(out: Path, data_dir: str | os.PathLike[str] | None, layout: str) -> list[str]:
    """Symlink every file of the data directory into ``out`` (not the BACI extract it replaces)."""
    from fnmatch import fnmatch

    from grondstof.config import resolve_data_dir

    source = resolve_data_dir(data_dir)
    if source == out:
        return []
    linked = []
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(source).as_posix()
        if layout == "extract" and fnmatch(rel, EXTRACT_FILES):
            continue
        if rel.startswith("baci/") and f"_V{SYNTHETIC_RELEASE}." in rel:
            continue
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            if target.is_symlink() and Path(os.readlink(target)) == path:
                linked.append(rel)
                continue
            if target.is_symlink():
                target.unlink()
            else:
                continue  # a real file the user put there: never overwritten
        target.symlink_to(path)
        linked.append(rel)
    return linked


def _write_readme(report: SynthReport, n_products: int, n_countries: int) -> None:
    meta = {
        "generator": "grondstof synth",
        "layout": report.layout,
        "scale": report.scale,
        "seed": report.seed,
        "rows": report.rows,
        "products": n_products,
        "countries": n_countries,
        "files": report.files,
        "linked_from_data_dir": len(report.linked),
        "note": "Synthetic data for scale tests: not CEPII data, no figure in it is real.",
    }
    (report.out_dir / "SYNTHETIC.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
