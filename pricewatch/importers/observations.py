"""The observations file (INTERFACE.md): one row per price quote. Built for files of millions of rows.

Each valid row becomes a tuple ready for the database:
`(product id, source, observed_on as 'YYYY-MM-DD', price in units of 0.0001, origin, url)`.
The common row takes a fast path (dictionary look-ups and one precompiled regex); any row the
fast path does not accept is re-read by the careful path, which records what is wrong.
Identical quotes are not an error here: the writer skips them (INTERFACE.md: re-imports add none).
"""
from __future__ import annotations

import re
from itertools import product as _cartesian
from typing import Iterator, Mapping

from pricewatch.domain.params import SOURCES
from pricewatch.importers import fields
from pricewatch.importers.columns import is_blank, report_no_rows
from pricewatch.importers.errors import ErrorLog
from pricewatch.importers.table import Table

REQUIRED = ("product_id", "source", "price", "observed_on")
OPTIONAL = ("origin", "url")
#: Quotes are stored with up to 4 decimal places (Price4); a price with more is an error.
PRICE_PLACES = 4
MAX_ORIGIN = 200
MAX_URL = 1000
#: Rows per chunk handed to the writer (about 40 MB of tuples; the writer sorts each chunk, and
#: bigger sorted chunks make the inserts into the quote index more local).
OBSERVATION_CHUNK_ROWS = 200_000
#: Distinct origins shared as one string object each (a feed names a few dozen platforms).
_MAX_SHARED_ORIGINS = 10_000

Quote = tuple[int, str, str, int, str, str]

_PRICE = re.compile(r"\s*(\d{1,%d})(?:\.(\d{1,4}))?\s*" % fields.MAX_INTEGER_DIGITS, re.ASCII).fullmatch
#: Fraction digits -> units of 0.0001 ("5" -> 5000, "05" -> 500, None -> 0).
_FRACTION = {None: 0}
for _n in range(1, PRICE_PLACES + 1):
    for _digits in _cartesian("0123456789", repeat=_n):
        _text = "".join(_digits)
        _FRACTION[_text] = int(_text.ljust(PRICE_PLACES, "0"))
del _n, _digits, _text
_SOURCES = {name: name for name in SOURCES}


class _Careful(Exception):
    """The fast path does not accept this row."""


def read_observations(table: Table, errors: ErrorLog, product_ids: Mapping[str, int], *,
                      chunk_size: int = OBSERVATION_CHUNK_ROWS) -> Iterator[list[Quote]]:
    """Chunks of valid quotes; every bad cell (and unknown product) goes to `errors`.

    The header is checked at once (a missing column rejects the file before any row is read).
    """
    table.require(REQUIRED, OPTIONAL)
    return _quotes(table, errors, product_ids, chunk_size)


def _quotes(table: Table, errors: ErrorLog, product_ids: Mapping[str, int], chunk_size: int
            ) -> Iterator[list[Quote]]:
    """The row loop of read_observations."""
    cols = table.columns
    i_product, i_source, i_price, i_day = (cols[name] for name in REQUIRED)
    i_origin, i_url = cols.get("origin"), cols.get("url")
    dates: dict[str, str] = {}  # raw text -> ISO date, for every date already found valid

    def careful(record: list[str], line: int) -> Quote | None:
        """Validate one row cell by cell, recording each problem; the quote if it is valid."""
        width = len(record)

        def cell(pos: int | None) -> str:
            return record[pos] if pos is not None and pos < width else ""

        ok = True

        def bad(column: str, message: str) -> None:
            nonlocal ok
            ok = False
            errors.add(line, column, message)

        code = cell(i_product).strip()
        product_id = product_ids.get(code)
        if not code:
            bad("product_id", "a value is required")
        elif product_id is None:
            bad("product_id", f"unknown product {fields.shown(code)}")
        raw_source = cell(i_source).strip()
        source = _SOURCES.get(raw_source.lower())
        if not raw_source:
            bad("source", "a value is required")
        elif source is None:
            bad("source", f"unknown source {fields.shown(raw_source)}: use one of {', '.join(SOURCES)}")
        price = 0
        try:
            price = fields.scaled_decimal(cell(i_price), PRICE_PLACES)
        except fields.FieldError as exc:
            bad("price", str(exc))
        raw_day = cell(i_day)
        day = ""
        try:
            day = fields.date(raw_day).isoformat()
            dates[raw_day] = day
        except fields.FieldError as exc:
            bad("observed_on", str(exc))
        texts = []
        for column, pos, limit in (("origin", i_origin, MAX_ORIGIN), ("url", i_url, MAX_URL)):
            try:
                texts.append(fields.text(cell(pos), max_length=limit))
            except fields.FieldError as exc:
                bad(column, str(exc))
        if not ok:
            return None
        return (product_id, source, day, price, texts[0], texts[1])

    origins: dict[str, str] = {}  # each distinct origin kept as one shared string
    get_origin = origins.get
    get_product = product_ids.get
    get_source = _SOURCES.get
    get_day = dates.get
    fraction = _FRACTION
    chunk: list[Quote] = []
    add = chunk.append
    line = 1
    blank = 0
    for record in table:
        line += 1
        try:
            product_id = get_product(record[i_product])
            source = get_source(record[i_source])
            match = _PRICE(record[i_price])
            day = get_day(record[i_day])
            origin = record[i_origin].strip() if i_origin is not None else ""
            url = record[i_url].strip() if i_url is not None else ""
            if (product_id is None or source is None or match is None or day is None
                    or len(origin) > MAX_ORIGIN or len(url) > MAX_URL):
                raise _Careful
            price = int(match[1]) * 10000 + fraction[match[2]]
            if not price:
                raise _Careful
        except (_Careful, IndexError):
            if is_blank(record):
                blank += 1
                continue
            quote = careful(record, line)
            if quote is not None:
                add(quote)
        else:
            shared = get_origin(origin)
            if shared is None and len(origins) < _MAX_SHARED_ORIGINS:
                shared = origins[origin] = origin
            add((product_id, source, day, price, origin if shared is None else shared, url))
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
            add = chunk.append
    if chunk:
        yield chunk
    if line - 1 - blank == 0 and not errors:
        report_no_rows(errors)
