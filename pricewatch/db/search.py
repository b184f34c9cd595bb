"""The listing search index: each listing's tokens (pricewatch.domain.search) and the engine's index on them.

`listing_search` is an ordinary table, one row per listing, kept by `services.search.index_listings`.
What makes it searchable depends on the backend, and is created with the table (create_all) and by
migration 0003:

- SQLite: the FTS5 table `listing_search_fts`, external content (it stores only its index, and reads
  `terms` from listing_search), kept in step by three triggers on listing_search;
- PostgreSQL: the GIN index `ix_listing_search_terms` on to_tsvector('simple', terms).

Neither is in the metadata that Alembic compares: `include_name` hides them from it.
"""
from __future__ import annotations

from sqlalchemy import DDL, ForeignKey, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base

#: The FTS5 table of SQLite and the shadow tables FTS5 makes for it (`_data`, `_idx`, ...).
FTS_TABLE = "listing_search_fts"
#: The GIN index of PostgreSQL.
GIN_INDEX = "ix_listing_search_terms"

#: The FTS5 table over listing_search.terms.
SQLITE_FTS_DDL = (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(terms, content='listing_search', "
                  "content_rowid='listing_id', tokenize=\"unicode61 remove_diacritics 0\")")
#: The external-content triggers of the SQLite docs, by name.
SQLITE_TRIGGERS = {
    "listing_search_ai":
    f"CREATE TRIGGER listing_search_ai AFTER INSERT ON listing_search BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.listing_id, new.terms); END",
    "listing_search_ad":
    f"CREATE TRIGGER listing_search_ad AFTER DELETE ON listing_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.listing_id, old.terms); END",
    "listing_search_au":
    f"CREATE TRIGGER listing_search_au AFTER UPDATE ON listing_search BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, terms) VALUES ('delete', old.listing_id, old.terms); "
    f"INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.listing_id, new.terms); END",
}
SQLITE_DDL = (SQLITE_FTS_DDL, *SQLITE_TRIGGERS.values())
POSTGRESQL_DDL = (f"CREATE INDEX {GIN_INDEX} ON listing_search USING gin (to_tsvector('simple', terms))",)


class ListingSearch(Base):
    """The search tokens of one listing (its code, name, product code, brand and model)."""

    __tablename__ = "listing_search"
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True, autoincrement=False)
    #: space-separated tokens, pricewatch.domain.search.listing_terms
    terms: Mapped[str] = mapped_column(Text)


for _statement in SQLITE_DDL:
    event.listen(ListingSearch.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    event.listen(ListingSearch.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(ListingSearch.__table__, "before_drop",
             DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's filter of reflected names: leave out the engine-specific search objects."""
    if type_ == "table":
        return not (name == FTS_TABLE or (name or "").startswith(FTS_TABLE + "_"))
    if type_ == "index":
        return name != GIN_INDEX
    return True
