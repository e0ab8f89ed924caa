"""Write Excel workbooks without temporary files, for reports that hold a company's figures.

openpyxl writes each worksheet to a temporary file on disk before zipping it (``openpyxl.worksheet._writer.
create_temporary_file``). For a report built from an uploaded file that would put company data on disk, if
only for a moment. :func:`in_memory` makes openpyxl keep each worksheet in a ``BytesIO`` instead, for the
duration of a ``with`` block, and hands that buffer to the zip archive; a lock keeps one such block at a time.
It relies on two openpyxl internals (the worksheet writer's output and the Excel writer's archive); the
tests (``tests/test_scanner_web.py``) fail if a version of openpyxl goes back to the disk.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.Lock()


class _Archive:
    """A zip archive that also accepts an in-memory worksheet where openpyxl passes a file name."""

    def __init__(self, archive: Any) -> None:
        self._archive = archive

    def write(self, filename: Any, arcname: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(filename, io.BytesIO):
            return self._archive.writestr(arcname, filename.getvalue())
        return self._archive.write(filename, arcname, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)


@contextmanager
def in_memory() -> Iterator[None]:
    """Within the block, openpyxl writes worksheets to memory, never to temporary files."""
    from openpyxl.worksheet import _writer
    from openpyxl.writer import excel

    with _LOCK:
        create = _writer.create_temporary_file
        cleanup = _writer.WorksheetWriter.cleanup
        write_worksheet = excel.ExcelWriter.write_worksheet

        def worksheet_in_memory(self: Any, ws: Any) -> None:
            real = self._archive
            self._archive = _Archive(real)
            try:
                write_worksheet(self, ws)
            finally:
                self._archive = real

        _writer.create_temporary_file = lambda suffix="": _Buffer()
        _writer.WorksheetWriter.cleanup = lambda self: None
        excel.ExcelWriter.write_worksheet = worksheet_in_memory
        try:
            yield
        finally:
            _writer.create_temporary_file = create
            _writer.WorksheetWriter.cleanup = cleanup
            excel.ExcelWriter.write_worksheet = write_worksheet


class _Buffer(io.BytesIO):
    """A BytesIO that outlives the XML writer closing it (its bytes are read after the sheet is written)."""

    def close(
        self,
    ) -> None:  # the writer closes its output when the sheet is done; the archive reads it later
        self.seek(0)
