"""What an uploaded or scanned company file may be: the limits, in one place, and the error that names one.

A file over a limit is refused before anything is computed: on the command line with exit status 2, on the
web with ``413 Content Too Large`` and a problem+json body whose ``limit`` names the limit (for example
``MAX_UPLOAD_BYTES``) and whose ``detail`` gives its value. The limits are generous for a bill of materials
(10,000 lines is about 0.5 MB of CSV) and small enough that one request cannot exhaust the server's memory.
"""

from __future__ import annotations

from grondstof.errors import InputError

# Bytes of one uploaded or scanned file (CSV or XLSX, as sent).
MAX_UPLOAD_BYTES = 5_000_000
# Data rows of one file (the header row not counted).
MAX_ROWS = 50_000
# Columns read per row; cells further right are ignored (a sheet may be wider, only these are read).
MAX_COLUMNS = 40
# Worksheets in one XLSX workbook (only the first is read).
MAX_SHEETS = 10
# Total uncompressed size of the parts of an XLSX (a zip archive): a zip bomb is refused before unpacking.
MAX_UNPACKED_BYTES = 50_000_000
# Uncompressed ÷ compressed size of any part of an XLSX; real sheets compress 5–20×, bombs 1,000× and more.
MAX_COMPRESSION_RATIO = 200
# Parts (files) inside an XLSX archive.
MAX_ARCHIVE_PARTS = 500
# Characters in one cell.
MAX_CELL_CHARS = 500
# Uploads the server keeps in memory for open sessions at once (the oldest is dropped first).
MAX_SESSIONS = 32
# Seconds an uploaded file stays in the server's memory after its last use.
SESSION_SECONDS = 1800

LIMITS: dict[str, int] = {
    "MAX_UPLOAD_BYTES": MAX_UPLOAD_BYTES,
    "MAX_ROWS": MAX_ROWS,
    "MAX_COLUMNS": MAX_COLUMNS,
    "MAX_SHEETS": MAX_SHEETS,
    "MAX_UNPACKED_BYTES": MAX_UNPACKED_BYTES,
    "MAX_COMPRESSION_RATIO": MAX_COMPRESSION_RATIO,
    "MAX_ARCHIVE_PARTS": MAX_ARCHIVE_PARTS,
    "MAX_CELL_CHARS": MAX_CELL_CHARS,
    "MAX_SESSIONS": MAX_SESSIONS,
    "SESSION_SECONDS": SESSION_SECONDS,
}


class LimitError(InputError):
    """A file exceeds one of the limits above; ``limit`` is the constant's name."""

    def __init__(self, limit: str, value: object, what: str) -> None:
        # The module's current value (tests lower limits with monkeypatch), not the import-time table.
        self.maximum = int(globals()[limit])
        super().__init__(limit, value, f"{what} (at most {self.maximum:,}; limit {limit})")
        self.limit = limit

    def __str__(self) -> str:
        return f"file refused: {self.expected}; this file: {self.value}"
