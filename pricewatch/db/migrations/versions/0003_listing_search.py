"""Listing search: the listing_search table, its FTS5 table (SQLite) or GIN index (PostgreSQL), filled

Revision ID: 0003
Revises: 0002

Fills listing_search for the listings already stored with pricewatch.domain.search.listing_terms,
then builds the engine's index over it in one go (faster than keeping it during the fill). The DDL
is the one of pricewatch/db/search.py, copied so that this revision stays as it was written.
"""
from alembic import op
import sqlalchemy as sa

from pricewatch.domain.search import listing_terms

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Listings read per statement while filling.
_PAGE = 10_000

_SQLITE_FTS = ("CREATE VIRTUAL TABLE listing_search_fts USING fts5(terms, content='listing_search', "
               "content_rowid='listing_id', tokenize=\"unicode61 remove_diacritics 0\")")
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER listing_search_ai AFTER INSERT ON listing_search BEGIN "
    "INSERT INTO listing_search_fts(rowid, terms) VALUES (new.listing_id, new.terms); END",
    "CREATE TRIGGER listing_search_ad AFTER DELETE ON listing_search BEGIN "
    "INSERT INTO listing_search_fts(listing_search_fts, rowid, terms) "
    "VALUES ('delete', old.listing_id, old.terms); END",
    "CREATE TRIGGER listing_search_au AFTER UPDATE ON listing_search BEGIN "
    "INSERT INTO listing_search_fts(listing_search_fts, rowid, terms) VALUES ('delete', old.listing_id, old.terms); "
    "INSERT INTO listing_search_fts(rowid, terms) VALUES (new.listing_id, new.terms); END",
)
_POSTGRESQL_GIN = "CREATE INDEX ix_listing_search_terms ON listing_search USING gin (to_tsvector('simple', terms))"


def upgrade():
    op.create_table(
        "listing_search",
        sa.Column("listing_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listings.id"], name=op.f("fk_listing_search_listing_id_listings")),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_listing_search")),
    )
    bind = op.get_bind()
    _fill(bind)
    if bind.dialect.name == "sqlite":
        op.execute(_SQLITE_FTS)
        op.execute("INSERT INTO listing_search_fts(listing_search_fts) VALUES ('rebuild')")
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(_POSTGRESQL_GIN)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS listing_search_fts")  # its triggers go with listing_search
    op.drop_table("listing_search")


def _fill(bind) -> None:
    """One listing_search row for every stored listing, by pages of listing ids."""
    mark = "?" if bind.dialect.paramstyle == "qmark" else "%s"
    insert = f"INSERT INTO listing_search (listing_id, terms) VALUES ({mark}, {mark})"
    page = sa.text("SELECT l.id, l.code, l.name, p.code, p.brand, p.model FROM listings l "
                   "JOIN products p ON p.id = l.product_id WHERE l.id > :after ORDER BY l.id LIMIT :n")
    after = 0
    while True:
        rows = bind.execute(page, {"after": after, "n": _PAGE}).all()
        if not rows:
            return
        bind.exec_driver_sql(insert, [(row[0], listing_terms(*row[1:])) for row in rows])
        after = rows[-1][0]
