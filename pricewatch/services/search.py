"""Finding listings by code, name, brand or model, and keeping their search tokens up to date.

`matching_listing_ids` answers a search box: an exact listing or product code first, else every
listing whose indexed words contain each query word (pricewatch.domain.search), through SQLite's
FTS5 table or PostgreSQL's GIN index (pricewatch.db.search): the cost grows with the matches, not
with the catalogue. `index_listings` stores the tokens; whatever creates or renames listings or
their products calls it (the listings importer does).
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Iterable, Iterator

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from pricewatch.db.models import Listing, ListingSearch, Product
from pricewatch.db.search import FTS_TABLE, SQLITE_TRIGGERS
from pricewatch.domain.search import fts5_query, listing_terms, tsquery

#: Listings read per statement.
BATCH = 1000
#: Rows of listing_search written per executemany.
WRITE_BATCH = 10_000
#: On SQLite, indexing at least this many listings, and at least a fifth of those already indexed,
#: rebuilds the FTS5 index in one pass instead of keeping it row by row through the triggers: each
#: trigger call makes FTS5 flush its pending index (~35 µs a row, against ~5 µs a row to rebuild).
BULK_MIN = 5000

_SQLITE_MATCH = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
_POSTGRESQL_MATCH = ("SELECT listing_id FROM listing_search "
                     "WHERE to_tsvector('simple', terms) @@ to_tsquery('simple', %s)")
#: Insert or replace a listing's tokens; an unchanged row is not rewritten (nor re-indexed).
_UPSERT = ("INSERT INTO listing_search (listing_id, terms) VALUES ({mark}, {mark}) "
           "ON CONFLICT (listing_id) DO UPDATE SET terms = excluded.terms "
           "WHERE listing_search.terms <> excluded.terms")


def matching_listing_ids(session: Session, term: str) -> list[int]:
    """Ids of the listings (any status) a search term finds, in ascending order; [] for a blank term.

    A listing code or product code equal to the whole term (case-sensitive) finds those listings
    alone; otherwise a listing is found when each word of the term is part of one of its words.
    """
    term = (term or "").strip()
    if not term:
        return []
    exact = session.scalars(union(
        select(Listing.id).where(Listing.code == term),
        select(Listing.id).join(Product, Product.id == Listing.product_id).where(Product.code == term),
    )).all()
    if exact:
        return sorted(exact)
    if _is_sqlite(session):
        statement, query = _SQLITE_MATCH, fts5_query(term)
    else:
        statement, query = _POSTGRESQL_MATCH, tsquery(term)
    if not query:
        return []
    # Straight from the DBAPI cursor: SQLAlchemy's row processing would double the time of a common term.
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(statement, (query,))
        return sorted(listing_id for listing_id, in cursor.fetchall())
    finally:
        cursor.close()


def index_listings(session: Session, listing_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the search tokens of these listings (every listing when None).

    Flushes first (so pending listings are seen), never commits; returns how many listings were read.
    """
    session.flush()
    ids = None if listing_ids is None else sorted(set(listing_ids))
    count, pending = 0, []
    with _fts_rebuilt(session) if _is_bulk(session, ids) else nullcontext():
        for row in _listing_words(session, ids):
            pending.append((row[0], listing_terms(*row[1:])))
            count += 1
            if len(pending) >= WRITE_BATCH:
                _store(session, pending)
                pending = []
        _store(session, pending)
    return count


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _is_bulk(session: Session, ids: list[int] | None) -> bool:
    """Whether SQLite's FTS5 index is better rebuilt than kept by its triggers for these listings."""
    if not _is_sqlite(session):
        return False
    if ids is None:
        return True
    return len(ids) >= BULK_MIN and 5 * len(ids) >= session.scalar(select(func.count()).select_from(ListingSearch))


@contextmanager
def _fts_rebuilt(session: Session) -> Iterator[None]:
    """Without the FTS5 triggers for the block, then the FTS5 index rebuilt from listing_search.

    All in a SAVEPOINT (DDL is transactional on SQLite): an error in the block, or a rollback of
    the caller, leaves the triggers as they were.
    """
    with session.begin_nested():
        connection = session.connection()
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        for statement in SQLITE_TRIGGERS.values():
            connection.exec_driver_sql(statement)


def _store(session: Session, rows: list[tuple[int, str]]) -> None:
    """Upsert (listing id, terms) rows."""
    if rows:
        connection = session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(_UPSERT.format(mark=mark), rows)


def _listing_words(session: Session, ids: list[int] | None) -> Iterator[tuple]:
    """(id, code, name, product code, brand, model) of the listings, BATCH at a time."""
    columns = select(Listing.id, Listing.code, Listing.name, Product.code, Product.brand, Product.model) \
        .join(Product, Product.id == Listing.product_id)
    if ids is not None:
        for start in range(0, len(ids), BATCH):
            yield from session.execute(columns.where(Listing.id.in_(ids[start:start + BATCH])))
        return
    after = 0
    while True:  # every listing, by pages of ids
        rows = session.execute(columns.where(Listing.id > after).order_by(Listing.id).limit(BATCH * 10)).all()
        if not rows:
            return
        yield from rows
        after = rows[-1][0]
