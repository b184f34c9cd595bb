"""Finding listings by code, name, brand or model, and suppliers by code or name; keeping their
search tokens up to date.

`matching_listing_ids` answers a search box: an exact listing or product code first, else every
listing whose indexed words contain each query word (pricewatch.domain.search), through SQLite's
FTS5 table or PostgreSQL's GIN index (pricewatch.db.search): the cost grows with the matches, not
with the catalogue. `index_listings` stores the tokens; whatever creates or renames listings or
their products calls it (the listings importer does). Suppliers work the same way
(`matching_supplier_ids`, `supplier_match`, `index_suppliers`); a supplier added or renamed
through the ORM is indexed by itself (pricewatch.db.search), the importer's bulk writes call
`index_suppliers`.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from typing import Iterable, Iterator

from sqlalchemy import column, func, select, text, union
from sqlalchemy.orm import Session

from pricewatch.db.models import Listing, ListingSearch, Product, Supplier
from pricewatch.db.search import LISTINGS, SUPPLIERS, SearchTable, store_terms
from pricewatch.domain.search import fts5_query, listing_terms, supplier_terms, tsquery

#: Listings read per statement.
BATCH = 1000
#: Rows of listing_search written per executemany.
WRITE_BATCH = 10_000
#: On SQLite, indexing at least this many listings, and at least a fifth of those already indexed,
#: rebuilds the FTS5 index in one pass instead of keeping it row by row through the triggers: each
#: trigger call makes FTS5 flush its pending index (~35 µs a row, against ~5 µs a row to rebuild).
BULK_MIN = 5000


def _match_sql(spec: SearchTable, sqlite: bool, mark: str) -> str:
    """The statement selecting the ids whose tokens match the query bound at `mark`."""
    if sqlite:
        return f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH {mark}"
    return (f"SELECT {spec.key} FROM {spec.table} "
            f"WHERE to_tsvector('simple', terms) @@ to_tsquery('simple', {mark})")


def _engine_query(session: Session, term: str) -> str:
    """The engine's query text for a search term ('' when it has no word)."""
    return fts5_query(term) if _is_sqlite(session) else tsquery(term)


def _matching_ids(session: Session, spec: SearchTable, term: str) -> list[int]:
    """The ids whose indexed words contain each word of `term`, ascending."""
    query = _engine_query(session, term)
    if not query:
        return []
    sqlite = _is_sqlite(session)
    # Straight from the DBAPI cursor: SQLAlchemy's row processing would double the time of a common term.
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(_match_sql(spec, sqlite, "?" if sqlite else "%s"), (query,))
        return sorted(row_id for row_id, in cursor.fetchall())
    finally:
        cursor.close()


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
    return _matching_ids(session, LISTINGS, term)


def matching_supplier_ids(session: Session, term: str) -> list[int]:
    """Ids of the suppliers a search term finds, ascending; [] for a blank term.

    A supplier code equal to the whole term (case-sensitive) finds that supplier alone; otherwise
    a supplier is found when each word of the term is part of a word of its code or name.
    """
    return sorted(session.scalars(supplier_match(session, term)))


def supplier_match(session: Session, term: str):
    """A SELECT of the ids `matching_supplier_ids` finds (for a subquery: `x.in_(supplier_match(...))`)."""
    term = (term or "").strip()
    exact = session.scalar(select(Supplier.id).where(Supplier.code == term)) if term else None
    if exact is not None:
        return select(Supplier.id).where(Supplier.id == exact)
    query = _engine_query(session, term)
    if not query:
        return select(Supplier.id).where(Supplier.id.is_(None))
    key = "rowid" if _is_sqlite(session) else SUPPLIERS.key
    return text(_match_sql(SUPPLIERS, _is_sqlite(session), ":query")).bindparams(query=query) \
        .columns(column(key)).subquery().select()


def index_suppliers(session: Session, supplier_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the search tokens of these suppliers (every supplier when None).

    Flushes first, never commits; returns how many suppliers were read.
    """
    session.flush()
    stmt = select(Supplier.id, Supplier.code, Supplier.name)
    if supplier_ids is None:
        chunks = [stmt]
    else:
        ids = sorted(set(supplier_ids))
        chunks = [stmt.where(Supplier.id.in_(ids[i:i + BATCH])) for i in range(0, len(ids), BATCH)]
    rows = [(r.id, supplier_terms(r.code, r.name)) for chunk in chunks for r in session.execute(chunk)]
    for start in range(0, len(rows), WRITE_BATCH):
        store_terms(session.connection(), SUPPLIERS, rows[start:start + WRITE_BATCH])
    return len(rows)


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
        for name in LISTINGS.sqlite_triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield
        fts = LISTINGS.fts_table
        connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for statement in LISTINGS.sqlite_triggers.values():
            connection.exec_driver_sql(statement)


def _store(session: Session, rows: list[tuple[int, str]]) -> None:
    """Upsert (listing id, terms) rows."""
    store_terms(session.connection(), LISTINGS, rows)


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
