"""The one place where tests make their data: miniature upstream files and miniature stores.

* Miniatures of the upstream files whose names the shared data also uses are kept here as text and written
  out at test time (:func:`write_miniatures`): the parsers find files by their official names, and the shared
  datasets carry the same names, so no tracked file mirrors a shared one. Miniatures under names of their own
  live in ``tests/fixtures/<source>/``; the ``fixtures`` fixture (conftest.py) puts both in one directory.
* :func:`store_of_tables` makes a store straight from canonical tables (for calculation tests that need
  three flows, not a parser), and :func:`store_of_files` builds one from miniature files through the
  real parsers.

Every row is invented for a case the code must handle (noted beside it); none is read from
``../shared/data``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

# BACI extract layout: codes that are not ISO (251 = France, 699 = India, 842 = USA), a missing quantity.
BACI_EXTRACT = """\
year,exporter,importer,hs92,value_kusd,quantity_t
2022,156,528,260500,1200.5,300.25
2022,180,528,260500,8000.0,2500.0
2022,251,528,260500,10.125,
2023,180,528,260500,9000.0,2600.0
2023,156,528,282200,55.0,1.5
2024,842,699,282200,1.0,0.2
"""

# Comext extract: NA is Namibia, EL is Greece, XS/XK/QU partners, a decimal value, a zero, an export (FLOW 2).
COMEXT_EXTRACT = """\
DECLARANT_ISO,PARTNER_ISO,PRODUCT_NC,FLOW,PERIOD,VALUE_IN_EUROS
NL,CN,81129289,1,2022,8000000
NL,DE,81129289,1,2022,120000
NL,CN,81129289,1,2024,600000
NL,NA,28046900,1,2023,5000
EL,XS,28046900,1,2023,1500
PL,XK,25041000,1,2022,237.755
BE,US,28053090,1,2024,0
DE,QU,81129295,1,2024,4200
NL,CN,81129289,2,2022,1000
"""

# EU CRM 2023 global supply shares: '<0.1%', 'Other', the two Congos, and the study's slip 'Brasilia'.
EU_CRM_GLOBAL_SUPPLY = """\
Material,Stage,Country,Share,t
Gallium,P,China,92%,1.0
Gallium,P,Japan,1.5%,0.8
Gallium,P,Russia,<0.1%,1.0
Gallium,P,Other,6%,1.0
Cobalt,E,"Congo, D.R.",68%,1.0
Cobalt,E,Congo,0.4%,1.0
Cobalt,E,Indonesia,9.6%,1.0
Natural teak wood,E,Brasilia,12%,1.0
"""

# EU CRM 2023 EU sourcing shares: a share without '%' and the Portuguese 'Brasil'.
EU_CRM_EU_SOURCING = """\
Material,Stage,Country,Share,t
Cobalt,E,Finland,14%,0.8
Cobalt,P,Finland,58%,0.8
Silicon metal,P,Norway,41%,1
Silicon metal,P,Germany,6,0.8
Silicon metal,P,Brasil,9%,1.1
"""

# World Bank wgidataset: a BOM, legacy codes (ZAR, KSV, ROM), an estimate below -2.5, an all-'..' row.
WGI_DATASET = (
    "\ufeff"
    + """\
codeindyr,code,countryname,year,indicator,estimate,stddev,nsource,pctrank,pctranklower,pctrankupper
NLDpv2022,NLD,Netherlands,2022,pv,0.72,0.23,7,71.2,56.1,87.7
NLDcc2022,NLD,Netherlands,2022,cc,1.80,0.16,9,95.3,91.5,98.1
CHNpv2022,CHN,China,2022,pv,-0.44,0.22,8,28.3,17.9,42.9
ZARpv2022,ZAR,"Congo, Dem. Rep.",2022,pv,-1.98,0.22,7,5.7,2.4,8.5
KSVpv2022,KSV,Kosovo,2022,pv,-0.20,0.24,5,40.6,24.5,51.9
SOMpv2009,SOM,Somalia,2009,pv,-3.31,0.30,5,0.0,0.0,0.5
ANTpv2022,ANT,Netherlands Antilles (former),2022,pv,..,..,..,..,..,..
ROMva2022,ROM,Romania,2022,va,0.55,0.13,10,63.3,58.5,70.0
"""
)

MINIATURES: dict[str, str] = {
    "baci/baci_hs92_crm_trade_2015_2024.csv": BACI_EXTRACT,
    "comext/comext_eu27_crm_cn8/eu_comext_critical_inputs_cn8_2022_2024.csv": COMEXT_EXTRACT,
    "eu_crm/global_supply_shares_2023.csv": EU_CRM_GLOBAL_SUPPLY,
    "eu_crm/eu_sourcing_shares_2023.csv": EU_CRM_EU_SOURCING,
    "wgi/wgidataset.csv": WGI_DATASET,
}


def write_miniatures(root: Path) -> None:
    """Write every miniature under ``root`` at its official relative path (UTF-8, LF line ends)."""
    for relative, text in MINIATURES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def store_of_tables(
    root: Path,
    tables: Mapping[str, Mapping[str, Mapping[str, Sequence[Any]]]],
    years: Mapping[str, list[int] | None] | None = None,
) -> Any:
    """A store made directly from canonical tables: ``{table: {source: {column: values}}}``.

    Columns are cast to the canonical schema (:data:`grondstof.schema.TABLES`); every source gets a catalog
    entry (``years`` per source, default None) so analyses can cite it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from grondstof.schema import TABLES
    from grondstof.store import Store

    build = root / "builds" / "mini"
    sources: dict[str, list[int] | None] = dict(years or {})
    for table, by_source in tables.items():
        for source, columns in by_source.items():
            path = build / "tables" / table / f"{source}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(dict(columns)).cast(TABLES[table]), path)
            sources.setdefault(source, None)
    catalog = {"sources": [_catalog_entry(source, span) for source, span in sources.items()]}
    (build / "catalog.json").write_text(json.dumps(catalog))
    return Store(build)


def _catalog_entry(source: str, years: list[int] | None) -> dict[str, Any]:
    return {
        "id": source,
        "title": f"miniature {source}",
        "publisher": "tests",
        "licence": "test data",
        "version": "1",
        "status": "loaded",
        "files": [],
        "years": years,
    }


def store_of_files(root: Path, files: Mapping[str, str | bytes], sources: Iterable[str]) -> Any:
    """A store built through the real parsers from miniature files ``{relative path: content}`` (a ``.gz``
    path is gzip-compressed), with only the listed ``sources``."""
    import gzip

    from grondstof.sources import SOURCES
    from grondstof.store import build, open_store

    data = root / "data"
    for relative, content in files.items():
        path = data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(gzip.compress(raw) if relative.endswith(".gz") else raw)
    wanted = set(sources)
    build(data, root / "store", sources=tuple(s for s in SOURCES if s.info.id in wanted))
    return open_store(root / "store", build_if_missing=False)


def assert_rows_close(got: list[dict[str, Any]], want: list[dict[str, Any]], rel: float = 1e-12) -> None:
    """Rows equal, floats to ``rel`` relative: the engine adds in parallel, so a sum can differ in its last
    bit from run to run (DuckDB's hash aggregation); nothing else may differ."""
    import math

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=rel, abs_tol=1e-300) or (math.isnan(a) and math.isnan(b))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return bool(a == b)

    assert len(got) == len(want), (len(got), len(want))
    for index, (a, b) in enumerate(zip(got, want, strict=True)):
        assert same(a, b), f"row {index}: {a} != {b}"
