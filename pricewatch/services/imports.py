"""Importing the listings, observations and orders files (INTERFACE.md), all or nothing.

Each import reads the file in chunks, validates every row (cells, then against the database)
and writes the chunks inside the caller's transaction; nothing is committed here. A file with
any problem raises `ImportRejected` listing them all, and stores nothing:

- listings and orders are written inside a SAVEPOINT that is rolled back before raising, so
  the session is left as it was;
- observations (files of millions of rows) are streamed straight into the open transaction
  for speed, so on `ImportRejected` the caller MUST roll back (the CLI and web do), which
  removes every quote of the file and its import batch.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.models import (
    LISTING_ACTIVE, Event, ImportBatch, Listing, ListingPrice, OrderLine, Product, Supplier,
)
from pricewatch.domain.progress import NullProgress, Progress
from pricewatch.importers import (
    ErrorLog, ListingRow, OrderRow, open_table, read_listings, read_observations, read_orders,
)
from pricewatch.importers.fields import shown
from pricewatch.importers.prefetch import prefetch
from pricewatch.services.events import record_event, to_json
from pricewatch.services.search import index_listings, index_suppliers

#: Values per `IN (...)` look-up (far below every backend's limit on bound parameters).
LOOKUP_BATCH = 1000
#: SQLite page cache during an import, in KiB (PRAGMA cache_size=-N): keeps the unique indexes
#: that every row probes in memory.
SQLITE_IMPORT_CACHE_KIB = 400_000


@dataclass(frozen=True)
class ImportSummary:
    """What one import did.

    rows: data rows read; added: listings, quotes or order lines stored new; updated: listings
    whose stored values changed; unchanged: listings already stored as in the file; skipped:
    quotes or order lines already stored (or repeated in the file), so not stored again.
    """

    kind: str
    filename: str
    rows: int
    added: int
    updated: int
    unchanged: int
    skipped: int
    batch_id: int


def _local_today(settings: Mapping, now: dt.datetime) -> dt.date:
    """The procurement centre's calendar date at `now`."""
    return now.astimezone(ZoneInfo(settings["timezone"])).date()


def _start_batch(session: Session, kind: str, path: Path, actor: str) -> ImportBatch:
    """The import batch row, flushed so that its id can be stamped on what the file adds."""
    batch = ImportBatch(kind=kind, filename=path.name[:300], imported_by=actor[:100])
    session.add(batch)
    session.flush()
    return batch


def _finish(session: Session, batch: ImportBatch, actor: str, counts: dict[str, int]) -> ImportSummary:
    """Store the counts on the batch, log the import, and summarise it."""
    batch.rows, batch.added, batch.updated = counts["rows"], counts["added"], counts["updated"]
    summary = ImportSummary(kind=batch.kind, filename=batch.filename, batch_id=batch.id, **counts)
    after = asdict(summary)
    record_event(session, actor=actor, entity="import", entity_id=batch.id,
                 action=f"import_{batch.kind}", after=after)
    session.flush()
    return summary


@contextmanager
def _import_cache(session: Session) -> Iterator[None]:
    """On SQLite, a big page cache on the import's connection for the import's duration."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(Exception):  # a broken connection keeps whatever it had
            connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _lookup(session: Session, columns: tuple, key, values: Iterable) -> Iterator[tuple]:
    """Rows of `columns` whose `key` is one of `values`, in batches of LOOKUP_BATCH."""
    values = list(values)
    for start in range(0, len(values), LOOKUP_BATCH):
        yield from session.execute(select(*columns).where(key.in_(values[start:start + LOOKUP_BATCH])))


def _converted(session: Session, table, columns: list[str], rows: list[dict]) -> list[tuple]:
    """Each row's values in `columns` order, converted as the column types convert them.

    Works column by column and converts each distinct value once (a file's rows share their
    dates and timestamps), then zips the columns back into rows.
    """
    dialect = session.connection().dialect
    converted = []
    for name in columns:
        values = [row[name] for row in rows]
        proc = table.c[name].type.bind_processor(dialect)
        if proc is not None:
            memo = {None: None}
            values = [memo[v] if v in memo else memo.setdefault(v, proc(v)) for v in values]
        converted.append(values)
    return list(zip(*converted))


def _marker(session: Session) -> str:
    return "?" if session.connection().dialect.paramstyle == "qmark" else "%s"


def _insert_rows(session: Session, table, rows: list[dict]) -> None:
    """INSERT rows (dicts with the same keys, every column given) in one executemany.

    Skips the ORM and SQLAlchemy's per-row statement work, which dominate a 500,000-row file;
    values still go through the column types' own conversions.
    """
    if not rows:
        return
    columns = list(rows[0])
    marks = ", ".join([_marker(session)] * len(columns))
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", _converted(session, table, columns, rows))


def _update_rows(session: Session, table, rows: list[dict]) -> None:
    """UPDATE rows by id (dicts with the same keys, one of them "id") in one executemany."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    mark = _marker(session)
    assignments = ", ".join(f"{name} = {mark}" for name in columns)
    session.connection().exec_driver_sql(f"UPDATE {table.name} SET {assignments} WHERE id = {mark}",
                                         _converted(session, table, columns + ["id"], rows))


class _Progress:
    """Advances a progress bar by how far the reader has got in the file."""

    def __init__(self, progress: Progress, label: str, table):
        self.progress, self.table, self.done = progress, table, 0
        progress.stage(label, table.size)

    def update(self, position: int | None = None) -> None:
        position = self.table.position() if position is None else position
        if position > self.done:
            self.progress.advance(position - self.done)
            self.done = position


# -- listings ----------------------------------------------------------------------------------

def import_listings(session: Session, path, *, actor: str, today: dt.date | None = None,
                    progress: Progress | None = None, settings: Mapping,
                    now: dt.datetime | None = None) -> ImportSummary:
    """Import a listings file: create suppliers, products and listings, update re-imported ones.

    A re-imported listing whose mall price changed gets a price-history row and is compared at
    once with its latest check (`pricing.on_price_changed`, METHOD.md "Price changes between
    checks"); an unchanged price keeps its stored effective date. `today` (default: today in
    the configured time zone) is the effective date of rows that give none; `now` (default: the
    clock) stamps the history and any case opened.
    """
    path = Path(path)
    now = now or utcnow()
    today = today or _local_today(settings, now)
    errors = ErrorLog(path)
    session.flush()
    with open_table(path, errors) as table:
        chunks = read_listings(table, errors, today=today)
        with _import_cache(session), session.begin_nested():
            batch = _start_batch(session, "listings", path, actor)
            writer = _ListingWriter(session, batch.id, actor, now)
            bar = _Progress(progress or NullProgress(), f"listings {path.name}", table)
            for chunk in chunks:
                writer.rows += len(chunk)
                if not errors:
                    writer.write(chunk)
                bar.update()
            errors.raise_if_any()
            writer.index_for_search()
            session.expire_all()  # bulk statements bypassed the identity map
            writer.apply_price_rule(settings)
            return _finish(session, batch, actor, writer.counts())


class _ListingWriter:
    """Writes validated listing rows chunk by chunk, remembering what it has resolved."""

    def __init__(self, session: Session, batch_id: int, actor: str, now: dt.datetime):
        self.session, self.batch_id, self.actor, self.now = session, batch_id, actor, now
        self.suppliers: dict[str, list] = {}  # code -> [id, name]
        self.named: set[str] = set()          # suppliers whose name the file has set
        self.products: dict[str, int] = {}    # code -> id, once the file's first row described it
        self.price_changes: list[tuple[int, Decimal, Decimal]] = []
        self.to_index: set[int] = set()       # listings added, renamed or moved to another product
        self.suppliers_to_index: set[int] = set()  # suppliers added or renamed
        self.described: set[int] = set()      # products whose brand or model changed
        self.rows = self.added = self.updated = self.unchanged = 0

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": 0}

    def write(self, rows: list[ListingRow]) -> None:
        """Store one chunk."""
        self._suppliers(rows)
        self._products(rows)
        c = Listing.__table__.c
        stored = {r.code: r for r in _lookup(
            self.session, (c.id, c.code, c.product_id, c.supplier_id, c.category, c.name, c.mall_price,
                           c.committed_discount, c.price_effective_on), c.code, {row.listing_id for row in rows})}
        new, changed, history, events = [], [], [], []
        for row in rows:
            values = {"product_id": self.products[row.product_id],
                      "supplier_id": self.suppliers[row.supplier_id][0], "category": row.category,
                      "name": row.name, "committed_discount": row.committed_discount}
            old = stored.get(row.listing_id)
            if old is None:
                values["committed_discount"] = row.committed_discount or Decimal(0)
                new.append({"code": row.listing_id, **values, "mall_price": row.mall_price,
                            "price_effective_on": row.price_effective_on, "status": LISTING_ACTIVE,
                            "created_at": self.now, "updated_at": self.now})
                continue
            values["name"] = row.name or old.name
            if values["name"] != old.name or values["product_id"] != old.product_id:
                self.to_index.add(old.id)
            if row.committed_discount is None:
                values["committed_discount"] = old.committed_discount
            differs = any(getattr(old, key) != value for key, value in values.items())
            values.update(mall_price=old.mall_price, price_effective_on=old.price_effective_on)
            if old.mall_price != row.mall_price:
                differs = True
                values.update(mall_price=row.mall_price, price_effective_on=row.price_effective_on)
                history.append(self._history(old.id, row.mall_price, old.mall_price, row.price_effective_on))
                events.append(self._price_event(old, row))
                self.price_changes.append((old.id, old.mall_price, row.mall_price))
            if differs:
                changed.append({"id": old.id, **values, "updated_at": self.now})
                self.updated += 1
            else:
                self.unchanged += 1
        if new:
            _insert_rows(self.session, Listing.__table__, new)
            ids = dict(_lookup(self.session, (c.code, c.id), c.code, [item["code"] for item in new]))
            self.to_index.update(ids.values())
            history += [self._history(ids[item["code"]], item["mall_price"], None, item["price_effective_on"])
                        for item in new]
            self.added += len(new)
        _update_rows(self.session, Listing.__table__, changed)
        _insert_rows(self.session, ListingPrice.__table__, history)
        _insert_rows(self.session, Event.__table__, events)

    def _history(self, listing_id: int, price: Decimal, previous: Decimal | None, on: dt.date) -> dict:
        return {"listing_id": listing_id, "price": price, "previous_price": previous, "effective_on": on,
                "changed_at": self.now, "origin": "import", "changed_by": self.actor}

    def _price_event(self, old, row: ListingRow) -> dict:
        """The event-log row of a price changed by the file (as record_event writes it)."""
        return {"at": self.now, "actor": self.actor, "entity": "listing", "entity_id": old.id,
                "action": "price_change", "from_state": None, "to_state": None,
                "before_json": to_json({"mall_price": old.mall_price}),
                "after_json": to_json({"mall_price": row.mall_price, "effective_on": row.price_effective_on}),
                "reason": "import", "case_id": None, "listing_id": old.id, "supplier_id": old.supplier_id}

    def _suppliers(self, rows: list[ListingRow]) -> None:
        """Resolve every supplier of the chunk, creating or renaming as the file says."""
        names: dict[str, str] = {}
        for row in rows:
            if row.supplier_name and row.supplier_id not in self.named:
                names.setdefault(row.supplier_id, row.supplier_name)
        missing = {row.supplier_id for row in rows} - self.suppliers.keys()
        c = Supplier.__table__.c
        for r in _lookup(self.session, (c.id, c.code, c.name), c.code, missing):
            self.suppliers[r.code] = [r.id, r.name]
        missing -= self.suppliers.keys()
        if missing:
            _insert_rows(self.session, Supplier.__table__,
                         [{"code": code, "name": names.get(code, "")} for code in sorted(missing)])
            for r in _lookup(self.session, (c.id, c.code, c.name), c.code, missing):
                self.suppliers[r.code] = [r.id, r.name]
                self.suppliers_to_index.add(r.id)
        renamed = []
        for code, name in names.items():
            entry = self.suppliers[code]
            if entry[1] != name:
                entry[1] = name
                renamed.append({"id": entry[0], "name": name})
                self.suppliers_to_index.add(entry[0])
        _update_rows(self.session, Supplier.__table__, renamed)
        self.named.update(names)

    def _products(self, rows: list[ListingRow]) -> None:
        """Resolve every product of the chunk; its first row in the file describes it.

        A new product takes that row's category, brand, model and name; a stored one takes the
        non-empty ones that differ.
        """
        firsts: dict[str, ListingRow] = {}
        for row in rows:
            if row.product_id not in self.products:
                firsts.setdefault(row.product_id, row)
        if not firsts:
            return
        c = Product.__table__.c
        columns = (c.id, c.code, c.category, c.brand, c.model, c.name)
        described = []
        for r in _lookup(self.session, columns, c.code, firsts):
            row = firsts.pop(r.code)
            self.products[r.code] = r.id
            stored = (r.category, r.brand, r.model, r.name)
            given = tuple(new or old for new, old in zip((row.category, row.brand, row.model, row.name), stored))
            if given[1:3] != stored[1:3]:
                self.described.add(r.id)
            if given != stored:
                described.append({"id": r.id, "category": given[0], "brand": given[1], "model": given[2],
                                  "name": given[3]})
        _update_rows(self.session, Product.__table__, described)
        if firsts:  # not stored yet
            _insert_rows(self.session, Product.__table__, [
                {"code": code, "category": row.category, "brand": row.brand, "model": row.model, "name": row.name}
                for code, row in sorted(firsts.items())])
            self.products.update((r.code, r.id) for r in _lookup(self.session, (c.code, c.id), c.code, firsts))

    def index_for_search(self) -> None:
        """Store the search tokens of the listings the file added or renamed, or whose product it
        renamed, and of the suppliers it added or renamed."""
        c = Listing.__table__.c
        self.to_index.update(r.id for r in _lookup(self.session, (c.id,), c.product_id, self.described))
        index_listings(self.session, self.to_index)
        index_suppliers(self.session, self.suppliers_to_index)

    def apply_price_rule(self, settings: Mapping) -> None:
        """Compare each changed price with the listing's latest check (METHOD.md)."""
        if not self.price_changes:
            return
        from pricewatch.services.pricing import latest_references, on_price_changed

        changes = {listing_id: (old, new) for listing_id, old, new in self.price_changes}
        ids = sorted(changes)
        for start in range(0, len(ids), LOOKUP_BATCH):
            batch = ids[start:start + LOOKUP_BATCH]
            references = latest_references(self.session, batch)
            listings = self.session.scalars(select(Listing).where(Listing.id.in_(batch)).order_by(Listing.id))
            for listing in listings.all():
                old, new = changes[listing.id]
                on_price_changed(self.session, listing, old, new, actor=self.actor, settings=settings,
                                 now=self.now, reference=references.get(listing.id))


# -- observations ------------------------------------------------------------------------------

_QUOTE_COLUMNS = "product_id, source, observed_on, price, origin, url"
#: The unique constraint uq_observations_quote: a quote already stored is skipped.
_QUOTE_CONFLICT = "ON CONFLICT (product_id, source, observed_on, price, origin) DO NOTHING"
_by_product = itemgetter(0)


def import_observations(session: Session, path, *, actor: str, today: dt.date | None = None,
                        progress: Progress | None = None, settings: Mapping) -> ImportSummary:
    """Import a file of price quotes; quotes already stored (or repeated) are skipped.

    Streams into the open transaction: on ImportRejected the caller must roll back.
    """
    path = Path(path)
    errors = ErrorLog(path)
    session.flush()
    with open_table(path, errors) as table:
        product_ids: dict[str, int] = {}
        quotes = read_observations(table, errors, product_ids)  # checks the header first
        product_ids.update(_all_product_ids(session))
        batch = _start_batch(session, "observations", path, actor)
        writer = _quote_writer(session, batch.id)
        bar = _Progress(progress or NullProgress(), f"observations {path.name}", table)
        rows = added = 0

        def encoded() -> Iterator[tuple[Any, int, int]]:
            """In the reader thread: (payload for the writer, rows, file position).

            Each chunk is sorted by product, so that its inserts walk the unique quote index
            (product first) in order instead of jumping about it: a feed arrives by date with
            products mixed, and at 9 million rows that index no longer fits the page cache.
            """
            for chunk in quotes:
                chunk.sort(key=_by_product)
                yield writer.encode(chunk), len(chunk), table.position()

        with _import_cache(session):
            try:
                for payload, count, position in prefetch(encoded()):
                    rows += count
                    if not errors:
                        added += writer.write(payload)
                    bar.update(position)
            finally:
                writer.close()
    errors.raise_if_any()
    return _finish(session, batch, actor, {"rows": rows, "added": added, "updated": 0,
                                           "unchanged": 0, "skipped": rows - added})


def _all_product_ids(session: Session) -> Iterator[tuple[str, int]]:
    """(code, id) of every product, straight from the driver (4x faster than through the ORM)."""
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(f"SELECT code, id FROM {Product.__tablename__}")
        yield from cursor
    finally:
        cursor.close()


def _quote_writer(session: Session, batch_id: int):
    """The fastest way to store quotes on this backend."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _PostgresQuotes(connection, batch_id)
    return _SqliteQuotes(connection, batch_id)


class _SqliteQuotes:
    """SQLite: multi-row `INSERT ... VALUES (...), (...), ...` statements of thousands of rows.

    One statement per few thousand rows takes SQLite's per-statement work off the per-row path
    (3x cheaper than executemany or unpacking JSON), and SQLite releases the GIL while a
    statement runs, so the reader thread parses the next chunk meanwhile.
    """

    COLUMNS = 6

    def __init__(self, connection, batch_id: int):
        import sqlite3

        self.cursor = connection.connection.driver_connection.cursor()
        max_variables = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
        self.rows_per_statement = max_variables // self.COLUMNS
        self.batch_id = int(batch_id)
        self.full = self._sql(self.rows_per_statement)

    def _sql(self, rows: int) -> str:
        values = ",".join([f"(?,?,?,?,?,?,{self.batch_id})"] * rows)
        return f"INSERT INTO observations ({_QUOTE_COLUMNS}, batch_id) VALUES {values} {_QUOTE_CONFLICT}"

    def encode(self, chunk: list) -> list[list]:
        """Run in the reader thread: the chunk as one flat parameter list per statement."""
        step = self.rows_per_statement
        return [list(chain.from_iterable(chunk[start:start + step])) for start in range(0, len(chunk), step)]

    def write(self, payload: list[list]) -> int:
        """Store one chunk; how many quotes were new."""
        added = 0
        for params in payload:
            rows = len(params) // self.COLUMNS
            self.cursor.execute(self.full if rows == self.rows_per_statement else self._sql(rows), params)
            added += self.cursor.rowcount
        return added

    def close(self) -> None:
        self.cursor.close()


class _PostgresQuotes:
    """PostgreSQL: COPY each chunk into a temporary table, then INSERT ... SELECT it."""

    TEMP = "pricewatch_quotes_load"

    def __init__(self, connection, batch_id: int):
        self.batch_id = int(batch_id)
        self.cursor = connection.connection.driver_connection.cursor()
        self.cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.TEMP} (product_id integer, "
                            "source varchar(10), observed_on date, price bigint, origin varchar(200), "
                            "url varchar(1000)) ON COMMIT DROP")
        self.cursor.execute(f"TRUNCATE {self.TEMP}")
        self.failed = False

    def encode(self, chunk: list) -> Any:
        return chunk

    def write(self, payload) -> int:
        try:
            with self.cursor.copy(f"COPY {self.TEMP} ({_QUOTE_COLUMNS}) FROM STDIN") as copy:
                for quote in payload:
                    copy.write_row(quote)
            self.cursor.execute(f"INSERT INTO observations ({_QUOTE_COLUMNS}, batch_id) "
                                f"SELECT {_QUOTE_COLUMNS}, {self.batch_id} FROM {self.TEMP} {_QUOTE_CONFLICT}")
            added = self.cursor.rowcount
            self.cursor.execute(f"TRUNCATE {self.TEMP}")
            return added
        except Exception:
            self.failed = True
            raise

    def close(self) -> None:
        if not self.failed:
            self.cursor.execute(f"DROP TABLE IF EXISTS {self.TEMP}")
        self.cursor.close()


# -- orders ------------------------------------------------------------------------------------

#: (OrderLine column, file column) compared when a line is already stored.
_ORDER_FIELDS = (("listing_id", "listing_id"), ("buyer_code", "buyer_id"), ("ordered_on", "ordered_on"),
                 ("quantity", "quantity"), ("unit_price", "unit_price"))


def import_orders(session: Session, path, *, actor: str, today: dt.date | None = None,
                  progress: Progress | None = None, settings: Mapping) -> ImportSummary:
    """Import order lines; a line already stored with the same values is skipped, with others refused."""
    path = Path(path)
    errors = ErrorLog(path)
    session.flush()
    with open_table(path, errors) as table:
        chunks = read_orders(table, errors)
        with _import_cache(session), session.begin_nested():
            batch = _start_batch(session, "orders", path, actor)
            listing_ids: dict[str, int] = {}
            counts = {"rows": 0, "added": 0, "updated": 0, "unchanged": 0, "skipped": 0}
            bar = _Progress(progress or NullProgress(), f"orders {path.name}", table)
            for chunk in chunks:
                counts["rows"] += len(chunk)
                new = _check_orders(session, chunk, listing_ids, errors, counts)
                if new and not errors:
                    _insert_rows(session, OrderLine.__table__, [{**line, "batch_id": batch.id} for line in new])
                    counts["added"] += len(new)
                bar.update()
            errors.raise_if_any()
            return _finish(session, batch, actor, counts)


def _check_orders(session: Session, rows: list[OrderRow], listing_ids: dict[str, int],
                  errors: ErrorLog, counts: dict[str, int]) -> list[dict]:
    """The chunk's new order lines; unknown listings and conflicting stored lines go to `errors`."""
    c = Listing.__table__.c
    missing = {row.listing_id for row in rows} - listing_ids.keys()
    listing_ids.update((r.code, r.id) for r in _lookup(session, (c.code, c.id), c.code, missing))
    o = OrderLine.__table__.c
    stored = {(r.order_code, r.line_no): r for r in _lookup(
        session, (o.order_code, o.line_no, o.listing_id, o.buyer_code, o.ordered_on, o.quantity, o.unit_price),
        o.order_code, {row.order_id for row in rows})}
    codes: dict[int, str] = {}
    new = []
    for row in rows:
        listing_id = listing_ids.get(row.listing_id)
        if listing_id is None:
            errors.add(row.line, "listing_id", f"unknown listing {shown(row.listing_id)}")
            continue
        values = {"order_code": row.order_id, "line_no": row.line_no, "listing_id": listing_id,
                  "buyer_code": row.buyer_id, "ordered_on": row.ordered_on, "quantity": row.quantity,
                  "unit_price": row.unit_price}
        old = stored.get((row.order_id, row.line_no))
        if old is None:
            new.append(values)
            continue
        diffs = [(key, name) for key, name in _ORDER_FIELDS if getattr(old, key) != values[key]]
        if not diffs:
            counts["skipped"] += 1
            continue
        if diffs[0][0] == "listing_id":
            codes = codes or _listing_codes(session, {r.listing_id for r in stored.values()})
        described = ", ".join(_describe(key, name, old, row, codes) for key, name in diffs)
        errors.add(row.line, "order_id", f"order {shown(row.order_id)} line_no {row.line_no} is already "
                                         f"stored with other values: {described}")
    return new


def _listing_codes(session: Session, ids: set[int]) -> dict[int, str]:
    c = Listing.__table__.c
    return {r.id: r.code for r in _lookup(session, (c.id, c.code), c.id, ids)}


def _describe(key: str, name: str, old, row: OrderRow, codes: dict[int, str]) -> str:
    """`column stored X, file Y` for one differing value (listings by their code)."""
    stored = getattr(old, key)
    if key == "listing_id":
        stored = codes.get(stored, stored)
    return f"{name} stored {stored}, file {getattr(row, name)}"
