"""Run geopolrisk-py 2.0.1 (GPL-3.0, in its own virtualenv) on a list of importer × material × year cases.

Not part of grondstof: ``bench_geopolrisk.py`` runs this file with the interpreter of
``benchmarks/.cache/gpr-venv`` (Python 3.11, ``pip install geopolrisk-py==2.0.1``) and compares the output
with grondstof. It calls the package's own functions the way its ``gprs_calc`` does for each case —
``aggregateTrade`` over the importer's member list, ``HHI`` for every member (summing their production),
then ``GeoPolRisk`` — but catches errors per case instead of stopping the loop, and skips the Excel/SQLite
export.

Input (JSON on stdin): ``{"cases": [[importer, reference_id, year], ...], "timed": [...],
"partition": true}``; an importer is a BACI numeric code (int) or ``"EU"``. ``timed`` cases are computed
with the full trade frame exactly as ``gprs_calc`` passes it (for timing); ``cases`` with the frame split
by year and material first, which gives the same figures much faster. Output (JSON on stdout): load and
compute times and one record per case.
"""

from __future__ import annotations

import json
import math
import sys
import time

started = time.perf_counter()
from geopolrisk.assessment import core, utils  # noqa: E402  (import reads the bundled databases)
from geopolrisk.assessment.database import databases  # noqa: E402

imported = time.perf_counter()
data = utils.mapped_baci()
loaded = time.perf_counter()


def members(importer: int | str) -> list[str]:
    """The country names geopolrisk-py uses for an importer (a region is its member list)."""
    name = importer if isinstance(importer, str) else utils.cvtcountry(int(importer), type="Name")
    return databases.regionslist[name]


def one(importer: int | str, material: str, year: int, frame) -> dict:
    """GeoPolRisk of one case with geopolrisk-py's functions; errors are reported, not raised."""
    out: dict = {"importer": importer, "material": material, "year": year}
    try:
        country_list = members(importer)
        numerator, total, price = utils.aggregateTrade(year, country_list, material, data=frame)
        produced, hhi = 0.0, None
        for member in country_list:
            qty, hhi = core.HHI(material, int(year), utils.cvtcountry(member, type="Name"))
            produced += qty
        score, cf, risk = core.GeoPolRisk(numerator, total, price, produced, hhi)
        out.update(
            hhi=hhi,
            import_risk=risk,
            score=score,
            cf=cf,
            price=price,
            imports_t=total,
            domestic_t=produced,
            numerator=numerator,
        )
    except Exception as error:  # the package raises bare ValueErrors; keep going like a batch user would
        out["error"] = f"{type(error).__name__}: {error}"
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()} | {
        "nan": any(isinstance(v, float) and math.isnan(v) for v in out.values())
    }


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    t0 = time.perf_counter()
    for importer, material, year in request.get("timed", []):
        results.append(one(importer, material, int(year), data) | {"timed": True})
    t1 = time.perf_counter()
    parts = dict(list(data.groupby(["period", "rawMaterial"])))
    empty = data.iloc[0:0]
    for importer, material, year in request.get("cases", []):
        frame = parts.get((int(year), material), empty)
        results.append(one(importer, material, int(year), frame))
    t2 = time.perf_counter()
    json.dump(
        {
            "import_seconds": imported - started,
            "load_seconds": loaded - imported,
            "timed_cases": len(request.get("timed", [])),
            "timed_seconds": t1 - t0,
            "cases": len(request.get("cases", [])),
            "cases_seconds": t2 - t1,
            "materials": utils.default_rmlist(),
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
