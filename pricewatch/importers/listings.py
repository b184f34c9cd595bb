"""The listings file (INTERFACE.md): one row per listing of the mall."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Iterator, NamedTuple

from pricewatch.importers import fields
from pricewatch.importers.columns import CHUNK_ROWS, Column, chunked, typed_records
from pricewatch.importers.errors import ErrorLog
from pricewatch.importers.table import Table


class ListingRow(NamedTuple):
    """One valid row of a listings file."""

    line: int
    listing_id: str
    product_id: str
    supplier_id: str
    supplier_name: str
    category: str
    brand: str
    model: str
    name: str
    mall_price: Decimal
    #: None when the file gives none: 0 for a new listing, the stored value for a known one
    committed_discount: Decimal | None
    price_effective_on: dt.date


def listing_columns(today: dt.date) -> list[Column]:
    """The columns, in ListingRow order; a missing effective date means `today`.

    Empty optional text is "" and an empty discount None: on a re-imported listing the writer keeps
    the stored name and discount rather than blanking them.
    """
    return [
        Column("listing_id", max_length=64, required=True),
        Column("product_id", max_length=64, required=True),
        Column("supplier_id", max_length=64, required=True),
        Column("supplier_name", max_length=200, default=""),
        Column("category", max_length=64, required=True),
        Column("brand", max_length=100, default=""),
        Column("model", max_length=100, default=""),
        Column("name", max_length=300, default=""),
        Column("mall_price", partial(fields.positive_decimal, places=2), required=True),
        Column("committed_discount", fields.rate, default=None),
        Column("price_effective_on", fields.date, default=today),
    ]


def read_listings(table: Table, errors: ErrorLog, *, today: dt.date,
                  chunk_size: int = CHUNK_ROWS) -> Iterator[list[ListingRow]]:
    """Chunks of valid rows; bad cells and repeated listing ids go to `errors`."""
    seen: dict[str, int] = {}

    records = typed_records(table, listing_columns(today), errors)

    def rows() -> Iterator[ListingRow]:
        for line, values in records:
            row = ListingRow(line, *values)
            first = seen.setdefault(row.listing_id, line)
            if first != line:
                errors.add(line, "listing_id", f"listing {fields.shown(row.listing_id)} "
                                               f"already appears on line {first}")
                continue
            yield row

    return chunked(rows(), chunk_size)
