"""Supplier search: the supplier_search table, its FTS5 table (SQLite) or GIN index (PostgreSQL), filled

Revision ID: 0004
Revises: 0003

Fills supplier_search for the suppliers already stored with pricewatch.domain.search.supplier_terms,
then builds the engine's index over it. The DDL is the one of pricewatch/db/search.py at the time,
copied so that this revision stays as it was written.
"""
from alembic import op
import sqlalchemy as sa

from pricewatch.domain.search import supplier_terms

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PAGE = 10_000
_SQLITE_FTS = ("CREATE VIRTUAL TABLE supplier_search_fts USING fts5(terms, content='supplier_search', "
               "content_rowid='supplier_id', tokenize=\"unicode61 remove_diacritics 0\")")
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER supplier_search_ai AFTER INSERT ON supplier_search BEGIN "
    "INSERT INTO supplier_search_fts(rowid, terms) VALUES (new.supplier_id, new.terms); END",
    "CREATE TRIGGER supplier_search_ad AFTER DELETE ON supplier_search BEGIN "
    "INSERT INTO supplier_search_fts(supplier_search_fts, rowid, terms) "
    "VALUES ('delete', old.supplier_id, old.terms); END",
    "CREATE TRIGGER supplier_search_au AFTER UPDATE ON supplier_search BEGIN "
    "INSERT INTO supplier_search_fts(supplier_search_fts, rowid, terms) VALUES ('delete', old.supplier_id, old.terms); "
    "INSERT INTO supplier_search_fts(rowid, terms) VALUES (new.supplier_id, new.terms); END",
)
_POSTGRESQL_GIN = ("CREATE INDEX ix_supplier_search_terms ON supplier_search "
                   "USING gin (to_tsvector('simple', terms))")


def upgrade():
    op.create_table(
        "supplier_search",
        sa.Column("supplier_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"], name=op.f("fk_supplier_search_supplier_id_suppliers")),
        sa.PrimaryKeyConstraint("supplier_id", name=op.f("pk_supplier_search")),
    )
    bind = op.get_bind()
    _fill(bind)
    if bind.dialect.name == "sqlite":
        op.execute(_SQLITE_FTS)
        op.execute("INSERT INTO supplier_search_fts(supplier_search_fts) VALUES ('rebuild')")
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(_POSTGRESQL_GIN)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS supplier_search_fts")
    op.drop_table("supplier_search")


def _fill(bind) -> None:
    """One supplier_search row for every stored supplier, by pages of supplier ids."""
    mark = "?" if bind.dialect.paramstyle == "qmark" else "%s"
    insert = f"INSERT INTO supplier_search (supplier_id, terms) VALUES ({mark}, {mark})"
    page = sa.text("SELECT id, code, name FROM suppliers WHERE id > :after ORDER BY id LIMIT :n")
    after = 0
    while True:
        rows = bind.execute(page, {"after": after, "n": _PAGE}).all()
        if not rows:
            return
        bind.exec_driver_sql(insert, [(row[0], supplier_terms(row[1], row[2])) for row in rows])
        after = rows[-1][0]
