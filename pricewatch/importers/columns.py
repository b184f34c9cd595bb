"""Turning a table's records into typed rows, column by column, with every problem recorded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from pricewatch.importers.errors import ErrorLog
from pricewatch.importers.fields import FieldError
from pricewatch.importers.table import Table

#: Rows per chunk handed to the writer: bounds memory whatever the file's size.
CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    """One column of a kind of file: its parser, and the value when it is absent or empty.

    A column without a parser holds text of at most `max_length` characters.
    """

    name: str
    parse: Callable[[str], Any] | None = None
    required: bool = False
    default: Any = None
    max_length: int = 0


def is_blank(record: Sequence[str]) -> bool:
    """Whether a record holds nothing (blank lines are skipped, not errors)."""
    if not record or record[0].strip():
        return not record
    return not any(cell.strip() for cell in record)


def report_no_rows(errors: ErrorLog) -> None:
    """A file with a header but not one data row."""
    errors.add(2, None, "the file has no data rows, only the header")


def typed_records(table: Table, columns: Sequence[Column], errors: ErrorLog
                  ) -> Iterator[tuple[int, tuple]]:
    """(line, values in `columns` order) for every non-blank record without a bad cell.

    The header is checked at once (a missing column rejects the file before any row is read).
    """
    table.require([c.name for c in columns if c.required], [c.name for c in columns if not c.required])
    plan = [(c, table.columns.get(c.name)) for c in columns]
    return _typed(table, plan, errors)


def _typed(table: Table, plan: list[tuple[Column, int | None]], errors: ErrorLog
           ) -> Iterator[tuple[int, tuple]]:
    """The row loop of typed_records."""
    line = 1
    data_rows = 0
    for record in table:
        line += 1
        if is_blank(record):
            continue
        data_rows += 1
        values = []
        ok = True
        width = len(record)
        for column, pos in plan:
            cell = record[pos].strip() if pos is not None and pos < width else ""
            if not cell:
                if column.required:
                    errors.add(line, column.name, "a value is required")
                    ok = False
                values.append(column.default)
                continue
            if column.parse is None:
                if len(cell) > column.max_length:
                    errors.add(line, column.name, f"longer than {column.max_length} characters")
                    ok = False
                values.append(cell)
                continue
            try:
                values.append(column.parse(cell))
            except FieldError as exc:
                errors.add(line, column.name, str(exc))
                ok = False
                values.append(None)
        if ok:
            yield line, tuple(values)
    if not data_rows and not errors:
        report_no_rows(errors)


def chunked(items: Iterator[Any], size: int = CHUNK_ROWS) -> Iterator[list[Any]]:
    """Lists of at most `size` consecutive items."""
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
