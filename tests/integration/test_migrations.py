"""The Alembic migrations create exactly the schema the models describe, repeatably."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from pricewatch.db.migrate import upgrade
from pricewatch.db.models import Base
from pricewatch.db.search import include_name


def test_upgrade_creates_the_models_schema_and_is_safe_to_repeat(empty_engine):
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
