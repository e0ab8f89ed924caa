"""Downloads of any dashboard table as CSV or Excel: ``/download/<analysis>.<csv|xlsx>?<parameters>``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from grondstof.errors import InputError
from grondstof.exports import to_csv, to_xlsx
from grondstof.web.analyses import call_arguments

router = APIRouter(include_in_schema=False)


@router.get("/download/{name}.{fmt}")
def download(request: Request, name: str, fmt: str) -> Response:
    """Run the named analysis with the query's parameters and return its rows as a file."""
    if fmt not in ("csv", "xlsx"):
        raise InputError("format", fmt, "csv or xlsx")
    analysis, arguments = call_arguments(name, dict(request.query_params))
    result = request.app.state.runner.run(name, analysis.load(), **arguments)
    filename = f"grondstof-{name}"
    if fmt == "csv":
        return Response(
            to_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    return Response(
        to_xlsx([(name, result)], title=result.title),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
    )
