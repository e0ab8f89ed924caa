"""Downloads of any dashboard table as CSV or Excel: ``/download/<analysis>.<csv|xlsx>?<parameters>``.

The parameters are those of the analysis' API route, validated by the same model (so a download accepts
exactly what the API accepts, with the same bounds), and the runner applies the same web limits.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from grondstof.analyses import Analysis, analysis
from grondstof.errors import InputError
from grondstof.exports import to_csv, to_xlsx
from grondstof.web.security import content_disposition

router = APIRouter(include_in_schema=False)


@router.get("/download/{name}.{fmt}")
async def download(request: Request, name: str, fmt: str) -> Response:
    """Run the named analysis with the query's parameters and return its rows as a file."""
    if fmt not in ("csv", "xlsx"):
        raise InputError("format", fmt, "csv or xlsx")
    entry = analysis(name)
    arguments = entry.validate(dict(request.query_params), web=True)
    data = await run_in_threadpool(_file, request.app.state.runner, entry, arguments, fmt)
    filename = f"grondstof-{entry.name}"
    if fmt == "csv":
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition("attachment", filename, "csv")},
        )
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition("attachment", filename, "xlsx")},
    )


def _file(runner: Any, entry: Analysis, arguments: dict[str, Any], fmt: str) -> bytes | str:
    """Run the analysis (limits, cache, heavy pool: the runner's) and write its rows (off the event loop)."""
    result = runner.run(entry.name, entry.load(), **arguments)
    if fmt == "csv":
        return to_csv(result)
    return to_xlsx([(entry.name, result)], title=result.title)
