"""The search indexes: each listing's and each supplier's tokens (pricewatch.domain.search), and the
engine's index on them.

`listing_search` and `supplier_search` are ordinary tables, one row per listing or supplier, kept
by `services.search` (`index_listings`, `index_suppliers`). What makes them searchable depends on
the backend, and is created with the table (create_all) and by migrations 0003 and 0004:

- SQLite: an FTS5 table `<table>_fts`, external content (it stores only its index, and reads
  `terms` from the table), kept in step by three triggers on the table;
- PostgreSQL: a GIN index `ix_<table>_terms` on to_tsvector('simple', terms).

Neither is in the metadata that Alembic compares: `include_name` hides them from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, ForeignKey, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from pricewatch.db.base import Base
from pricewatch.db.catalog import Supplier
from pricewatch.domain.search import supplier_terms


@dataclass(frozen=True)
class SearchTable:
    """One search table: its name, the column holding the listing's or supplier's id, its engine objects."""

    table: str
    key: str

    @property
    def fts_table(self) -> str:
        """The FTS5 table of SQLite (FTS5 adds shadow tables named after it: `_data`, `_idx`, ...)."""
        return f"{self.table}_fts"

    @property
    def gin_index(self) -> str:
        """The GIN index of PostgreSQL."""
        return f"ix_{self.table}_terms"

    @property
    def sqlite_fts_ddl(self) -> str:
        """The FTS5 table over the table's terms."""
        return (f"CREATE VIRTUAL TABLE {self.fts_table} USING fts5(terms, content='{self.table}', "
                f"content_rowid='{self.key}', tokenize=\"unicode61 remove_diacritics 0\")")

    @property
    def sqlite_triggers(self) -> dict[str, str]:
        """The external-content triggers of the SQLite docs, by name."""
        t, f, k = self.table, self.fts_table, self.key
        return {
            f"{t}_ai": f"CREATE TRIGGER {t}_ai AFTER INSERT ON {t} BEGIN "
                       f"INSERT INTO {f}(rowid, terms) VALUES (new.{k}, new.terms); END",
            f"{t}_ad": f"CREATE TRIGGER {t}_ad AFTER DELETE ON {t} BEGIN "
                       f"INSERT INTO {f}({f}, rowid, terms) VALUES ('delete', old.{k}, old.terms); END",
            f"{t}_au": f"CREATE TRIGGER {t}_au AFTER UPDATE ON {t} BEGIN "
                       f"INSERT INTO {f}({f}, rowid, terms) VALUES ('delete', old.{k}, old.terms); "
                       f"INSERT INTO {f}(rowid, terms) VALUES (new.{k}, new.terms); END",
        }

    @property
    def sqlite_ddl(self) -> tuple[str, ...]:
        """Everything SQLite needs after the table: the FTS5 table and its triggers."""
        return (self.sqlite_fts_ddl, *self.sqlite_triggers.values())

    @property
    def postgresql_ddl(self) -> tuple[str, ...]:
        """Everything PostgreSQL needs after the table: the GIN index."""
        return (f"CREATE INDEX {self.gin_index} ON {self.table} USING gin (to_tsvector('simple', terms))",)


LISTINGS = SearchTable("listing_search", "listing_id")
SUPPLIERS = SearchTable("supplier_search", "supplier_id")
SEARCH_TABLES = (LISTINGS, SUPPLIERS)


class ListingSearch(Base):
    """The search tokens of one listing (its code, name, product code, brand and model)."""

    __tablename__ = LISTINGS.table
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True, autoincrement=False)
    #: space-separated tokens, pricewatch.domain.search.listing_terms
    terms: Mapped[str] = mapped_column(Text)


class SupplierSearch(Base):
    """The search tokens of one supplier (its code and name)."""

    __tablename__ = SUPPLIERS.table
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True, autoincrement=False)
    #: space-separated tokens, pricewatch.domain.search.supplier_terms
    terms: Mapped[str] = mapped_column(Text)


for _model, _spec in ((ListingSearch, LISTINGS), (SupplierSearch, SUPPLIERS)):
    for _statement in _spec.sqlite_ddl:
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
    for _statement in _spec.postgresql_ddl:
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
    event.listen(_model.__table__, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {_spec.fts_table}").execute_if(dialect="sqlite"))


def store_terms(connection, spec: SearchTable, rows) -> None:
    """Insert or replace (id, terms) rows of a search table; an unchanged row is not rewritten (nor re-indexed)."""
    if not rows:
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO {spec.table} ({spec.key}, terms) VALUES ({mark}, {mark}) "
        f"ON CONFLICT ({spec.key}) DO UPDATE SET terms = excluded.terms WHERE {spec.table}.terms <> excluded.terms",
        list(rows))


@event.listens_for(Supplier, "after_insert")
@event.listens_for(Supplier, "after_update")
def _index_supplier(_mapper, connection, supplier) -> None:
    """A supplier added or renamed through the ORM is searchable at once (bulk writes index themselves)."""
    store_terms(connection, SUPPLIERS, [(supplier.id, supplier_terms(supplier.code, supplier.name))])


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's filter of reflected names: leave out the engine-specific search objects."""
    if type_ == "table":
        return not any(name == s.fts_table or (name or "").startswith(s.fts_table + "_") for s in SEARCH_TABLES)
    if type_ == "index":
        return name not in {s.gin_index for s in SEARCH_TABLES}
    return True
