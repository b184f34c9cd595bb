"""Reading an input table (CSV or XLSX): the header row, then one record per line.

Both formats give the same thing: `Table.columns` maps each known column name (lower-cased,
trimmed) to its position, and iterating the table yields each following line as a list of
strings (an empty list for a blank line or an XLSX row that held a formula, whose problem is
already recorded). Line numbers count the header as line 1, one per record.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Iterable, Iterator

from pricewatch.importers.errors import ErrorLog, ImportRejected

ENCODING_HINT = 'not valid UTF-8 text; save the file as UTF-8 (in Excel: "CSV UTF-8")'
FORMULA_MESSAGE = "formulas are not accepted, paste values"


class Table:
    """An open input file whose header has been read and checked."""

    def __init__(self, path: Path, errors: ErrorLog, header: list[str], records: Iterator[list[str]],
                 size: int | None, position, closer):
        self.path = path
        self.errors = errors
        self.header = header
        self.columns: dict[str, int] = {}
        self._records = records
        #: the total of `position()` at the end (bytes for CSV, rows for XLSX), None if unknown
        self.size = size
        self.position = position
        self._closer = closer

    def __iter__(self) -> Iterator[list[str]]:
        """The records after the header, one per line."""
        return self._records

    def close(self) -> None:
        """Release the file."""
        self._closer()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def require(self, required: Iterable[str], optional: Iterable[str]) -> None:
        """Map the known columns; reject the file when a required one is missing or doubled."""
        known = set(required) | set(optional)
        seen: dict[str, int] = {}
        for pos, raw in enumerate(self.header):
            name = raw.strip().lower()
            if name not in known:
                continue  # unknown columns are ignored
            if name in seen:
                self.errors.add(1, name, "the column appears more than once")
            seen.setdefault(name, pos)
        for name in required:
            if name not in seen:
                self.errors.add(1, name, "required column is missing")
        if self.errors:
            self.close()
            self.errors.raise_if_any()
        self.columns = seen


def open_table(path, errors: ErrorLog) -> Table:
    """Open a `.csv` or `.xlsx` file and read its header row."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path, errors)
    if suffix == ".xlsx":
        return _open_xlsx(path, errors)
    raise ImportRejected(path, [f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx"])


def _reject_empty(errors: ErrorLog, closer) -> None:
    """An empty file, or one whose first line names no column."""
    closer()
    errors.add(1, None, "the file is empty: the first line must name the columns")
    errors.raise_if_any()


# -- CSV ---------------------------------------------------------------------------------------

def _bad_utf8_lines(path: Path, errors: ErrorLog) -> None:
    """Record every line of `path` that is not valid UTF-8 (only run once decoding failed)."""
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.add(line_no, None, ENCODING_HINT)


def _open_csv(path: Path, errors: ErrorLog) -> Table:
    """A CSV table, UTF-8 with or without a byte order mark."""
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportRejected(path, [f"cannot open the file: {exc.strerror}"]) from exc
    reader = csv.reader(fh)

    def records() -> Iterator[list[str]]:
        try:
            yield from reader
        except UnicodeDecodeError:
            fh.close()
            _bad_utf8_lines(path, errors)
            errors.raise_if_any()
            raise
        except csv.Error as exc:
            fh.close()
            errors.add(reader.line_num, None, f"not readable as CSV ({exc})")
            errors.raise_if_any()

    rows = records()
    header = next(rows, None)
    if not header or not any(cell.strip() for cell in header):
        _reject_empty(errors, fh.close)
    raw = fh.buffer
    return Table(path, errors, header, rows, size=os.fstat(raw.fileno()).st_size,
                 position=raw.tell, closer=fh.close)


# -- XLSX --------------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A spreadsheet cell's value as the text a CSV would hold.

    Numbers keep at most 15 significant digits (Excel's own precision), so a cell showing
    19.99 reads as "19.99"; dates read as YYYY-MM-DD.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _column_letter(pos: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 -> A)."""
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _open_xlsx(path: Path, errors: ErrorLog) -> Table:
    """The first sheet of an XLSX workbook; formulas are refused (values only)."""
    import openpyxl  # only needed for spreadsheets

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike
        raise ImportRejected(path, [f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"]) from exc
    rows = sheet.iter_rows()
    state = {"line": 0}
    names: list[str] = []
    checked: set[int] = set()  # positions whose formulas matter: the header, then known columns

    def convert(cells) -> list[str]:
        state["line"] += 1
        line = state["line"]
        out = [cell_text(cell.value) for cell in cells]
        bad = False
        for pos, cell in enumerate(cells):
            if cell.data_type == "f" and (line == 1 or pos in checked):
                bad = True
                name = names[pos].strip().lower() if pos < len(names) else ""
                errors.add(line, name or _column_letter(pos), FORMULA_MESSAGE)
        return [] if bad else out

    first = next(rows, None)
    header = convert(first) if first is not None else None
    if errors:
        book.close()
        errors.raise_if_any()
    if not header or not any(cell.strip() for cell in header):
        _reject_empty(errors, book.close)
    names.extend(header)

    def records() -> Iterator[list[str]]:
        checked.update(table.columns.values())
        for cells in rows:
            yield convert(cells)

    table = Table(path, errors, header, records(), size=sheet.max_row,
                  position=lambda: state["line"], closer=book.close)
    return table
