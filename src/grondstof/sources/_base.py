"""What every source parser shares: its description and strict, vectorised validation helpers.

A source module defines ``INFO`` (a :class:`SourceInfo`) and ``parse(data_dir) -> dict[str, pa.Table]``
returning canonical tables (see :mod:`grondstof.schema`). Parsers refuse a malformed file whole by raising
:class:`~grondstof.errors.SourceFormatError` naming the file, the physical line, the column, the value and
what was expected. Files are read as text first and converted column by column, so a bad cell is found by
a vectorised check rather than by a crash deep inside a CSV reader.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from grondstof.errors import SourceFormatError


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of one upstream dataset as it appears in the data directory.

    ``files`` are glob patterns relative to the data directory. ``required`` sources are part of the
    standard data directory and reported as missing when absent; the others are extensions a user may add
    (official bulk files) and reported as optional. Bump ``parser_version`` whenever the parser's output
    changes, so stores built by an older parser are rebuilt.
    """

    id: str
    title: str
    publisher: str
    licence: str
    version: str
    citation: str
    url: str
    files: tuple[str, ...]
    tables: tuple[str, ...]
    parser_version: int = 1
    notes: str = ""
    required: bool = True
    units: dict[str, str] = field(default_factory=dict)

    def find_files(self, data_dir: Path) -> list[Path]:
        """Return the files of this source present in ``data_dir`` (sorted)."""
        found: list[Path] = []
        for pattern in self.files:
            found.extend(sorted(data_dir.glob(pattern)))
        return found

    def missing_patterns(self, data_dir: Path) -> list[str]:
        """Return the file patterns that match nothing in ``data_dir``."""
        return [p for p in self.files if not any(data_dir.glob(p))]


NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
INT_RE = r"^[+-]?\d+$"


def open_text(path: Path) -> io.TextIOBase:
    """Open a text file, transparently decompressing ``.gz``; UTF-8 with an optional BOM."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_header(path: Path) -> list[str]:
    """Return the header row of a CSV file (empty list for an empty file).

    A file that cannot be read as text (a gzip stream cut short, bytes that are not UTF-8) is refused with
    the file, the line and the bytes at fault.
    """
    try:
        with open_text(path) as handle:
            return next(csv.reader(handle), [])
    except (UnicodeDecodeError, EOFError, OSError, zlib.error) as exc:
        raise diagnose_text_file(path) or SourceFormatError(path, f"a readable text file ({exc})") from exc


TEXT_SUFFIXES = (".csv", ".csv.gz", ".dat", ".dat.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")


def is_text_file(path: Path) -> bool:
    """Whether ``path`` is a delimited text file (optionally gzipped), judged by its name."""
    name = path.name.lower()
    return name.endswith(TEXT_SUFFIXES)


def diagnose_text_file(path: Path, *, encoding: str = "utf-8") -> SourceFormatError | None:
    """Find why a text file cannot be read: a truncated or corrupt gzip stream, or bytes that are not
    ``encoding``. Returns the error (file, line, value, expectation) or None when the file reads cleanly.

    The whole file is streamed line by line, so this is meant for the failure path, after a parser or
    DuckDB has already refused the file.
    """
    line = 0
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for line, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8-sig" if line == 1 and encoding == "utf-8" else encoding)
                except UnicodeDecodeError as exc:
                    bad = raw[max(exc.start - 10, 0) : exc.end + 10]
                    return SourceFormatError(
                        path,
                        f"{encoding.upper()} text (byte {exc.start + 1} of the line is not valid {encoding})",
                        line=line,
                        value=bad.decode(encoding, errors="backslashreplace"),
                    )
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return SourceFormatError(
            path,
            f"a complete gzip stream; it ends or breaks after line {line} ({exc})",
            line=line + 1,
        )
    except OSError as exc:
        return SourceFormatError(path, f"a readable file ({exc})")
    return None


def check_has_data_row(path: Path) -> None:
    """Refuse a delimited text file that holds a header and no data row (or nothing at all).

    Reads the first lines only. A source file without rows would otherwise build a store in which the
    tables it feeds are silently empty.
    """
    try:
        with open_text(path) as handle:
            lines = 0
            for text in handle:
                if text.strip():
                    lines += 1
                    if lines == 2:
                        return
    except (UnicodeDecodeError, EOFError, OSError, zlib.error) as exc:
        raise diagnose_text_file(path) or SourceFormatError(path, f"a readable text file ({exc})") from exc
    if lines == 0:
        raise SourceFormatError(path, "a CSV header and at least one data row; the file is empty", line=1)
    raise SourceFormatError(
        path, "at least one data row after the header; the file has only a header", line=2
    )


def check_header(path: Path, expected: Sequence[str], *, allow_extra: bool = False) -> list[str]:
    """Check that the CSV header holds the ``expected`` columns (in any order); return the header.

    Raises SourceFormatError on line 1 naming the first missing column, or an unexpected one.
    """
    header = [h.strip() for h in read_header(path)]
    if not header:
        raise SourceFormatError(path, f"a CSV header with columns {', '.join(expected)}", line=1)
    for name in expected:
        if name not in header:
            raise SourceFormatError(
                path,
                f"a header with columns {', '.join(expected)}",
                line=1,
                column=name,
                value=",".join(header),
            )
    if not allow_extra:
        for name in header:
            if name not in expected:
                raise SourceFormatError(
                    path, f"only the columns {', '.join(expected)}", line=1, column=name, value=name
                )
    return header


def read_csv_text(path: Path, expected: Sequence[str], *, allow_extra: bool = False) -> pa.Table:
    """Read a CSV (optionally gzipped) with every column as text, after checking its header.

    Row ``i`` of the returned table is physical line ``i + 2`` of the file; use this reader only for files
    without line breaks inside quoted fields (use :func:`iter_csv_rows` for those).
    """
    header = check_header(path, expected, allow_extra=allow_extra)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
        found = diagnose_text_file(path)
        if found is not None:
            raise found from exc
        # pyarrow reports "Row #N" for rows with the wrong number of fields; keep its words.
        raise SourceFormatError(path, f"a well-formed CSV with {len(header)} fields per row ({exc})") from exc
    return table.select([n for n in header if n in expected] if not allow_extra else header)


def iter_csv_rows(
    path: Path, expected: Sequence[str], *, allow_extra: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row of a small CSV, with exact physical line numbers.

    Quoted fields may contain line breaks; the reported line is where the row starts. Rows with the wrong
    number of fields raise SourceFormatError.
    """
    header = check_header(path, expected, allow_extra=allow_extra)
    try:
        yield from _csv_rows(path, header)
    except (UnicodeDecodeError, EOFError, zlib.error) as exc:
        raise diagnose_text_file(path) or SourceFormatError(path, f"a readable text file ({exc})") from exc


def _csv_rows(path: Path, header: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        start = reader.line_num + 1
        for values in reader:
            if not values or all(not v.strip() for v in values):
                start = reader.line_num + 1
                continue
            if len(values) != len(header):
                raise SourceFormatError(
                    path, f"{len(header)} fields per row", line=start, value=f"{len(values)} fields"
                )
            yield start, {name.strip(): value for name, value in zip(header, values, strict=True)}
            start = reader.line_num + 1


def _fail(path: Path, column: str, values: pa.Array, bad: pa.Array, expected: str, line_offset: int) -> None:
    """Raise for the first true entry of the boolean array ``bad``."""
    bad = pc.fill_null(bad, False)  # a null comparison (missing value) is not a failure
    count = pc.sum(bad).as_py() or 0
    if count:
        index = pc.index(bad, True).as_py()
        raise SourceFormatError(
            path,
            expected,
            line=index + line_offset,
            column=column,
            value=values[index].as_py(),
            more=count - 1,
        )


def text_column(
    table: pa.Table,
    column: str,
    path: Path,
    *,
    pattern: str | None = None,
    expected: str = "a non-empty value",
    allow_empty: bool = False,
    line_offset: int = 2,
) -> pa.Array:
    """Return a stripped text column, checking it against a regular expression."""
    values = pc.utf8_trim_whitespace(table.column(column).combine_chunks())
    if not allow_empty:
        _fail(path, column, values, pc.equal(values, ""), expected, line_offset)
    if pattern is not None:
        nonempty = pc.not_equal(values, "")
        ok = pc.match_substring_regex(values, pattern)
        _fail(path, column, values, pc.and_(nonempty, pc.invert(ok)), expected, line_offset)
    return values


def int_column(
    table: pa.Table,
    column: str,
    path: Path,
    *,
    lo: int | None = None,
    hi: int | None = None,
    type_: pa.DataType = pa.int16(),  # noqa: B008 - an immutable type object
    expected: str | None = None,
    line_offset: int = 2,
) -> pa.Array:
    """Convert a text column to integers, checking format and range; every cell must be present."""
    what = expected or _range_text("an integer", lo, hi)
    values = pc.utf8_trim_whitespace(table.column(column).combine_chunks())
    _fail(path, column, values, pc.invert(pc.match_substring_regex(values, INT_RE)), what, line_offset)
    numbers = pc.cast(values, pa.int64())
    if lo is not None:
        _fail(path, column, values, pc.less(numbers, lo), what, line_offset)
    if hi is not None:
        _fail(path, column, values, pc.greater(numbers, hi), what, line_offset)
    return pc.cast(numbers, type_)


def float_column(
    table: pa.Table,
    column: str,
    path: Path,
    *,
    missing: Iterable[str] | None = None,
    lo: float | None = None,
    hi: float | None = None,
    strictly_positive: bool = False,
    expected: str | None = None,
    line_offset: int = 2,
) -> pa.Array:
    """Convert a text column to float64, checking format and range.

    ``missing`` lists the tokens that mean "no value" (e.g. ``("", "NA")``); they become null. When it is
    None every cell must hold a number.
    """
    what = expected or _range_text("a number", lo, hi, strictly_positive)
    values = pc.utf8_trim_whitespace(table.column(column).combine_chunks())
    if missing is not None:
        is_missing = pc.is_in(values, value_set=pa.array(list(missing), pa.string()))
    else:
        is_missing = pc.equal(values, "\0never")
    is_number = pc.match_substring_regex(values, NUMBER_RE)
    _fail(path, column, values, pc.and_(pc.invert(is_missing), pc.invert(is_number)), what, line_offset)
    cleaned = pc.if_else(is_missing, pa.scalar(None, pa.string()), values)
    numbers = pc.cast(cleaned, pa.float64())
    # "1e309" matches the number pattern but is infinite in float64: an infinite value would swamp every
    # total and turn the other shares into 0, so it is refused like text.
    _fail(path, column, values, pc.invert(pc.is_finite(numbers)), f"{what} (finite in float64)", line_offset)
    if strictly_positive:
        _fail(path, column, values, pc.less_equal(numbers, 0), what, line_offset)
    if lo is not None:
        _fail(path, column, values, pc.less(numbers, lo), what, line_offset)
    if hi is not None:
        _fail(path, column, values, pc.greater(numbers, hi), what, line_offset)
    return numbers


def _range_text(base: str, lo: float | None, hi: float | None, strictly_positive: bool = False) -> str:
    if strictly_positive:
        return f"{base} greater than 0"
    if lo is not None and hi is not None:
        return f"{base} between {lo} and {hi}"
    if lo is not None:
        return f"{base} of at least {lo}"
    if hi is not None:
        return f"{base} of at most {hi}"
    return base


def check_unique(
    table: pa.Table, columns: Sequence[str], path: Path, *, line_offset: int = 2, column: str | None = None
) -> None:
    """Refuse duplicate keys: the second occurrence of a key is reported with its line.

    ``column`` names the column to report (the file's own name for the key's last column, by default
    ``columns[-1]``).
    """
    indexed = table.select(list(columns)).append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    grouped = indexed.group_by(list(columns)).aggregate([("_row", "count"), ("_row", "max")])
    dupes = grouped.filter(pc.greater(grouped.column("_row_count"), 1))
    if dupes.num_rows:
        first = min(dupes.column("_row_max").to_pylist())
        key = ", ".join(f"{c}={table.column(c)[first].as_py()}" for c in columns)
        raise SourceFormatError(
            path,
            f"one row per ({', '.join(columns)})",
            line=first + line_offset,
            column=column or columns[-1],
            value=f"duplicate of an earlier row ({key})",
            more=dupes.num_rows - 1,
        )


def map_column(
    values: pa.Array,
    mapping: Callable[[Iterable[Any]], dict[Any, str | None]],
    path: Path,
    column: str,
    expected: str,
    *,
    line_offset: int = 2,
    allow_unmapped: bool = False,
) -> pa.Array:
    """Map each distinct value through ``mapping`` (e.g. BACI code -> ISO3) and refuse unknown ones.

    ``mapping`` receives the distinct values and returns a dict value -> mapped string or None.
    With ``allow_unmapped`` unknown values become null instead of an error.
    """
    distinct = pc.unique(values).to_pylist()
    table = mapping(distinct)
    keys = pa.array(distinct, type=values.type)
    mapped = pa.array([table.get(v) for v in distinct], pa.string())
    index = pc.index_in(values, value_set=keys)
    out = pc.take(mapped, index)
    if not allow_unmapped:
        _fail(path, column, values, pc.is_null(out), expected, line_offset)
    return out


def parse_date(text: str) -> tuple[object, bool]:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM`` (first of month) at the start of ``text``.

    Returns ``(date or None, ok)``: empty text gives ``(None, True)``; unparseable text ``(None, False)``.
    Trailing words ("2025-11-09 (clause 2 suspended)") are allowed.
    """
    import datetime as _dt

    text = text.strip()
    if not text:
        return None, True
    # The lookahead stops "2025-11-09x" from matching as 2025-11 with the day dropped.
    match = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?=$|[\s(,;])", text)
    if not match:
        return None, False
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    try:
        return _dt.date(year, month, day), True
    except ValueError:
        return None, False
