"""The orders file (INTERFACE.md): one row per order line."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Iterator, NamedTuple

from pricewatch.importers import fields
from pricewatch.importers.columns import CHUNK_ROWS, Column, chunked, typed_records
from pricewatch.importers.errors import ErrorLog
from pricewatch.importers.table import Table


class OrderRow(NamedTuple):
    """One valid row of an orders file."""

    line: int
    order_id: str
    line_no: int
    listing_id: str
    buyer_id: str
    ordered_on: dt.date
    quantity: int
    unit_price: Decimal


ORDER_COLUMNS = [
    Column("order_id", max_length=64, required=True),
    Column("line_no", fields.positive_int, default=1),
    Column("listing_id", max_length=64, required=True),
    Column("buyer_id", max_length=64, default=""),
    Column("ordered_on", fields.date, required=True),
    Column("quantity", fields.positive_int, required=True),
    Column("unit_price", partial(fields.positive_decimal, places=2), required=True),
]


def read_orders(table: Table, errors: ErrorLog, *, chunk_size: int = CHUNK_ROWS
                ) -> Iterator[list[OrderRow]]:
    """Chunks of valid rows; bad cells and repeated (order_id, line_no) go to `errors`."""
    seen: dict[tuple[str, int], int] = {}

    records = typed_records(table, ORDER_COLUMNS, errors)

    def rows() -> Iterator[OrderRow]:
        for line, values in records:
            row = OrderRow(line, *values)
            first = seen.setdefault((row.order_id, row.line_no), line)
            if first != line:
                errors.add(line, "order_id", f"order {fields.shown(row.order_id)} line_no {row.line_no} "
                                             f"already appears on line {first}")
                continue
            yield row

    return chunked(rows(), chunk_size)
