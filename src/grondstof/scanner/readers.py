"""Reading a company's file: CSV or XLSX bytes in memory → checked rows, or a clear refusal.

Nothing here writes to disk or logs: a file is read from bytes and forgotten when the scan returns. The three
input kinds (:data:`KINDS`) are told apart by their header; every column, its unit and an example are
declared once in :class:`Column` and give the downloadable input templates (:func:`input_template`) and the
documentation (docs/scanner.md).

What is refused, and how:

* **the whole file** (:class:`~grondstof.errors.InputError`, or :class:`~grondstof.scanner.limits.LimitError`
  for a limit): not CSV or XLSX (old ``.xls``, PDF, images, binary), a macro-enabled workbook, a formula cell,
  a zip bomb, too many bytes, rows, sheets or parts, a header that matches no input kind;
* **a row** (:class:`BadRowsError` lists every bad row with its line, column, value and what was expected):
  unknown material or country (with suggestions), text in a number, a negative or zero mass, a unit typo.
  With ``skip_bad_rows`` the valid rows are scanned and the bad ones are listed in the result instead.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grondstof.errors import InputError
from grondstof.registry._text import normalise
from grondstof.scanner import limits
from grondstof.scanner.kernel import MASS_UNITS

__all__ = [
    "KINDS",
    "BadRowsError",
    "Column",
    "Problem",
    "RawTable",
    "detect_kind",
    "input_template",
    "read_table",
]


@dataclass(frozen=True)
class Column:
    """One column of an input kind: its name, other accepted headings, whether required, meaning and unit."""

    name: str
    required: bool
    meaning: str
    meaning_nl: str
    unit: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()


BOM_COLUMNS = (
    Column(
        "product",
        True,
        "Product name (your own label).",
        "Productnaam (eigen omschrijving).",
        "",
        "heat pump HP-9",
        ("produkt", "artikel"),
    ),
    Column(
        "component",
        False,
        "Component or part of the product.",
        "Onderdeel van het product.",
        "",
        "compressor motor",
        ("part", "onderdeel", "component_name"),
    ),
    Column(
        "material",
        True,
        "Raw material: English or Dutch name, chemical symbol or alias the registry "
        "knows (grondstof materials).",
        "Grondstof: Engelse of Nederlandse naam, chemisch symbool of alias "
        "uit het register (grondstof materials).",
        "",
        "neodymium",
        ("grondstof", "materiaal"),
    ),
    Column(
        "mass",
        True,
        "Mass of the material in one unit of the product (> 0).",
        "Massa van de grondstof in één stuk product (> 0).",
        "in `unit`",
        "0.35",
        ("massa", "weight"),
    ),
    Column(
        "unit",
        True,
        "Unit of `mass`: g, kg, t (metric tonne) or lb.",
        "Eenheid van `mass`: g, kg, t (ton) of lb.",
        "",
        "kg",
        ("eenheid", "mass_unit"),
    ),
    Column(
        "units_per_year",
        True,
        "Units of the product made or bought per year (≥ 0).",
        "Aantal stuks product per jaar (≥ 0).",
        "units/year",
        "12000",
        ("stuks_per_jaar", "quantity", "units"),
    ),
    Column(
        "supplier_country",
        False,
        "Country the material (or the part holding it) comes from; empty: "
        "the importing country's import pattern is used.",
        "Land van herkomst van de grondstof (of het "
        "onderdeel); leeg: het importpatroon van het land wordt gebruikt.",
        "",
        "China",
        ("country", "land", "herkomst", "origin"),
    ),
    Column(
        "content",
        False,
        "Share of `mass` that is the material, 0–1 (default 1: the mass is the "
        "material itself, e.g. 0.29 for neodymium given as NdFeB magnet mass).",
        "Aandeel van `mass` dat de grondstof is, 0–1 (standaard 1).",
        "fraction",
        "1",
        ("content_share", "gehalte"),
    ),
)
IMPORT_COLUMNS = (
    Column(
        "code",
        True,
        "HS6 or CN8 commodity code of the goods (dots and spaces allowed).",
        "HS6- of GN8-goederencode (punten en spaties mogen).",
        "",
        "81129289",
        ("hs_code", "cn_code", "cn8", "hs6", "goederencode"),
    ),
    Column(
        "origin",
        True,
        "Country of origin of the goods.",
        "Land van oorsprong.",
        "",
        "China",
        ("country_of_origin", "oorsprong", "land"),
    ),
    Column(
        "quantity",
        True,
        "Net mass of the goods (≥ 0).",
        "Nettomassa van de goederen (≥ 0).",
        "in `quantity_unit`",
        "1250",
        ("mass", "hoeveelheid", "massa"),
    ),
    Column(
        "quantity_unit",
        True,
        "Unit of `quantity`: kg or t.",
        "Eenheid van `quantity`: kg of t.",
        "",
        "kg",
        ("unit", "eenheid"),
    ),
    Column(
        "value",
        False,
        "Invoice or customs value (≥ 0).",
        "Factuur- of douanewaarde (≥ 0).",
        "in `currency`",
        "845000",
        ("waarde",),
    ),
    Column(
        "currency",
        False,
        "Currency of `value`: EUR or USD (required when `value` is given).",
        "Valuta van `value`: EUR of USD (verplicht bij `value`).",
        "",
        "EUR",
        ("valuta",),
    ),
    Column("year", True, "Year of the import.", "Jaar van invoer.", "", "2024", ("jaar",)),
)
GROUP_COLUMNS = (
    Column(
        "product_group",
        True,
        "One of the 25 CBS product groups (CE25) in Dutch as TNO names them, or its number 1–25.",
        "Een van de 25 CBS-productgroepen (CE25) zoals TNO ze noemt, of het nummer 1–25.",
        "",
        "Transportmiddelen",
        ("productgroep", "ce25", "group"),
    ),
    Column(
        "amount",
        True,
        "Yearly amount of products of the group (≥ 0).",
        "Jaarlijkse hoeveelheid producten van de groep (≥ 0).",
        "in `unit`",
        "250",
        ("hoeveelheid", "quantity"),
    ),
    Column(
        "unit",
        True,
        "Unit of `amount`: t, kg or EUR.",
        "Eenheid van `amount`: t, kg of EUR.",
        "",
        "t",
        ("eenheid",),
    ),
    Column(
        "eur_per_kg",
        False,
        "Value per kg of product, needed when `unit` is EUR (the TNO coefficients are per kg).",
        "Waarde per kg product, nodig als `unit` EUR is.",
        "EUR/kg",
        "",
        ("eur_kg",),
    ),
)
KINDS: dict[str, tuple[Column, ...]] = {
    "bom": BOM_COLUMNS,
    "imports": IMPORT_COLUMNS,
    "product_groups": GROUP_COLUMNS,
}
KIND_TITLES = {
    "bom": "bill of materials",
    "imports": "import records",
    "product_groups": "product groups (CBS CE25)",
}


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: 1-based line (header = line 1), column name, value and what was expected."""

    line: int
    column: str | None
    value: Any
    expected: str
    suggestions: tuple[str, ...] = ()

    def text(self) -> str:
        """The problem as one line of text."""
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        text = f"{where}: {self.value!r} is not valid; expected {self.expected}"
        if self.suggestions:
            text += ". Did you mean: " + ", ".join(self.suggestions[:5]) + "?"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (API ``errors`` and ``meta.skipped_rows``)."""
        return {
            "line": self.line,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected,
            "suggestions": list(self.suggestions),
        }


class BadRowsError(InputError):
    """Rows of the file are malformed; every one is listed (fix them, or scan with ``skip_bad_rows``)."""

    def __init__(self, label: str, problems: Sequence[Problem], valid_rows: int) -> None:
        super().__init__("file", label, f"valid rows ({len(problems)} bad)")
        self.label = label
        self.problems = list(problems)
        self.valid_rows = valid_rows

    def __str__(self) -> str:
        lines = len({p.line for p in self.problems})
        head = (
            f"{self.label}: {lines} bad row(s) ({len(self.problems)} problem(s)), {self.valid_rows} valid; "
            "fix the file or scan without the bad rows (--skip-bad-rows):"
        )
        return "\n".join([head, *("  " + text for text in grouped(self.problems))])


def grouped(problems: Sequence[Problem], lines_shown: int = 12) -> list[str]:
    """One line per distinct problem (column, value, expectation) with the lines it occurs on.

    A 10,000-line file with one misspelt country on 400 lines gives one line naming the first lines and the
    count, not 400; every bad line is still listed in JSON (``errors``, ``meta.skipped_rows``).
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    first: dict[tuple[Any, ...], Problem] = {}
    for problem in problems:
        key = (problem.column, str(problem.value), problem.expected)
        groups.setdefault(key, []).append(problem.line)
        first.setdefault(key, problem)
    out = []
    for key, lines in groups.items():
        problem = first[key]
        if len(lines) == 1:
            out.append(problem.text())
            continue
        shown = ", ".join(str(n) for n in lines[:lines_shown]) + (", …" if len(lines) > lines_shown else "")
        text = problem.text().split(": ", 1)[1]
        where = f"column {problem.column!r}, " if problem.column else ""
        out.append(f"{where}lines {shown} ({len(lines)} rows): {text}")
    return out


@dataclass
class RawTable:
    """The cells of a file: header and rows with their line numbers (header = line 1), nothing checked yet."""

    label: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    decimal_comma: bool = False
    notes: list[str] = field(default_factory=list)


# ---- bytes → cells ---------------------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # old binary Office (.xls, .doc)
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a program",
}
_EXPECTED_TYPE = "a CSV file (UTF-8 text) or an Excel workbook (.xlsx)"


def read_table(data: bytes, label: str = "file") -> RawTable:
    """Read CSV or XLSX ``data`` into cells; refuse anything else, or anything over a limit.

    ``label`` names the file in messages (the web uses ``upload``: a file name is never echoed or logged).
    """
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise limits.LimitError("MAX_UPLOAD_BYTES", f"{len(data):,} bytes", "file size in bytes")
    if not data.strip():
        raise InputError("file", label, _EXPECTED_TYPE + " with a header row and data; this file is empty")
    if data.startswith(_ZIP):
        return _read_xlsx(data, label)
    if data.startswith(_OLE):
        raise InputError(
            "file",
            label,
            "an .xlsx workbook or CSV; old binary Excel (.xls) is not read: save as .xlsx or CSV",
        )
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError("file", label, f"{_EXPECTED_TYPE}; this is {what}")
    return _read_csv(data, label)


def _read_csv(data: bytes, label: str) -> RawTable:
    if b"\x00" in data[:65536]:
        raise InputError("file", label, f"{_EXPECTED_TYPE}; this file holds binary data")
    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notes.append("The file is not UTF-8; it was read as Windows-1252.")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [c.strip() for c in cells[: limits.MAX_COLUMNS]]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= limits.MAX_ROWS:
                raise limits.LimitError("MAX_ROWS", f"more than {limits.MAX_ROWS:,} rows", "data rows")
            rows.append((line, cells[: limits.MAX_COLUMNS]))
    except csv.Error as exc:
        raise InputError("file", label, f"readable CSV ({exc}, near line {reader.line_num})") from None
    if header is None:
        raise InputError("file", label, "a header row naming the columns")
    return RawTable(label, header, rows, decimal_comma=delimiter == ";", notes=notes)


def _check_archive(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError("file", label, f"{_EXPECTED_TYPE}; this zip archive is damaged") from None
    if len(parts) > limits.MAX_ARCHIVE_PARTS:
        raise limits.LimitError("MAX_ARCHIVE_PARTS", f"{len(parts):,} parts", "parts inside the workbook")
    total = sum(p.file_size for p in parts)
    if total > limits.MAX_UNPACKED_BYTES:
        raise limits.LimitError("MAX_UNPACKED_BYTES", f"{total:,} bytes unpacked", "unpacked workbook size")
    for part in parts:
        if part.compress_size and part.file_size / part.compress_size > limits.MAX_COMPRESSION_RATIO:
            ratio = part.file_size / part.compress_size
            raise limits.LimitError(
                "MAX_COMPRESSION_RATIO", f"{ratio:,.0f}× in {part.filename}", "compression ratio of a part"
            )
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InputError("file", label, f"{_EXPECTED_TYPE}; this zip archive is not an Excel workbook")
    types = archive.read("[Content_Types].xml")
    if any("vbaProject" in n for n in names) or b"macroEnabled" in types:
        raise InputError(
            "file", label, "a workbook without macros (.xlsx); macro-enabled workbooks (.xlsm) are refused"
        )
    sheets = [n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    if len(sheets) > limits.MAX_SHEETS:
        raise limits.LimitError("MAX_SHEETS", f"{len(sheets)} sheets", "worksheets")
    return archive


def _read_xlsx(data: bytes, label: str) -> RawTable:
    _check_archive(data, label)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a malformed part; all mean "not readable"
        raise InputError("file", label, f"a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        notes = []
        if len(book.worksheets) > 1:
            notes.append(f"Only the first worksheet ({sheet.title!r}) was read.")
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(sheet.iter_rows(max_col=limits.MAX_COLUMNS), start=1):
            values = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    where = getattr(cell, "coordinate", f"row {number}")
                    raise InputError(
                        "file",
                        label,
                        f"values only; cell {where} holds a formula (paste as values, then save)",
                    )
                values.append(cell.value)
            if not any(v not in (None, "") for v in values):
                continue
            if header is None:
                header = ["" if v is None else str(v).strip() for v in values]
                while header and not header[-1]:
                    header.pop()  # read-only sheets pad rows to max_col with empty cells
                continue
            if len(rows) >= limits.MAX_ROWS:
                raise limits.LimitError("MAX_ROWS", f"more than {limits.MAX_ROWS:,} rows", "data rows")
            rows.append((number, values[: len(header)]))
    finally:
        book.close()
    if header is None:
        raise InputError("file", label, "a worksheet with a header row naming the columns")
    return RawTable(label, header, rows, notes=notes)


# ---- header → kind ---------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return normalise(str(text)).replace(" ", "_")


def column_index(header: Sequence[str], columns: Sequence[Column]) -> dict[str, int]:
    """Map each known column name to its position in ``header`` (headings matched by name or alias)."""
    keys = [_key(h) for h in header]
    out: dict[str, int] = {}
    for column in columns:
        for candidate in (column.name, *column.aliases):
            if _key(candidate) in keys and column.name not in out:
                position = keys.index(_key(candidate))
                if position not in out.values():
                    out[column.name] = position
    return out


def detect_kind(table: RawTable) -> str:
    """Which input kind the header describes: the kind whose required columns are all present."""
    best: tuple[int, str] | None = None
    for kind, columns in KINDS.items():
        found = column_index(table.header, columns)
        missing = [c.name for c in columns if c.required and c.name not in found]
        if not missing:
            return kind
        score = sum(c.required for c in columns) - len(missing)
        if best is None or score > best[0]:
            best = (score, kind)
    expected = "; ".join(
        f"{KIND_TITLES[k]}: " + ", ".join(c.name for c in cols if c.required) for k, cols in KINDS.items()
    )
    raise InputError(
        "header",
        ", ".join(table.header[:12]),
        f"the required columns of one input kind — {expected} (see docs/scanner.md or the input templates)",
    )


# ---- cells → values --------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: Any, decimal_comma: bool = False) -> float | None:
    """A cell as a finite number, or None when it is not one (empty cells are handled by the caller)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if decimal_comma:
            text = text.replace(".", "").replace(",", ".")
        elif "," in text:
            if not _THOUSANDS.match(text):
                return None
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def cell_text(value: Any) -> str:
    """A cell as stripped text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(value: Any) -> bool:
    """True for an empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def check_cell(value: Any, line: int, column: str) -> Problem | None:
    """A cell that is too long, or looks like a formula in CSV text, is a problem of its row."""
    if isinstance(value, str):
        if len(value) > limits.MAX_CELL_CHARS:
            return Problem(line, column, value[:40] + "…", f"at most {limits.MAX_CELL_CHARS} characters")
        if value.lstrip().startswith(("=", "@")):
            return Problem(line, column, value, "a value, not a formula")
    return None


# ---- input templates -------------------------------------------------------------------------------------


def input_template(kind: str, fmt: str = "csv", lang: str = "en") -> bytes:
    """A blank input file of ``kind`` with its header and one example row (CSV or XLSX).

    The XLSX has a second sheet explaining every column (meaning, unit, required); the CSV only the header
    and the example, so it can be filled in and scanned as it is.
    """
    if kind not in KINDS:
        raise InputError("kind", kind, "one of " + ", ".join(KINDS))
    columns = KINDS[kind]
    example = [c.example for c in columns]
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        writer.writerow(example)
        return text.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise InputError("format", fmt, "csv or xlsx")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append([c.name for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([_typed(v) for v in example])
    about = book.create_sheet("columns")
    about.append(["column", "required", "unit", "meaning"])
    for c in columns:
        about.append(
            [c.name, "yes" if c.required else "no", c.unit, c.meaning_nl if lang == "nl" else c.meaning]
        )
    for cell in about[1]:
        cell.font = Font(bold=True)
    about.column_dimensions["D"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _typed(text: str) -> Any:
    number = parse_number(text) if text else None
    return number if number is not None and text.replace(".", "", 1).isdigit() else text


def unit_factor(text: str) -> float | None:
    """Tonnes per one unit of mass (``g``, ``kg``, ``t``, ``lb``; case and a trailing dot ignored)."""
    return MASS_UNITS.get(text.strip().rstrip(".").lower())
