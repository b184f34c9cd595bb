"""The Alembic migrations create exactly the schema the models describe, repeatably."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

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


def test_after_every_migration_a_listing_still_has_at_most_one_open_case(empty_engine):
    # Migration 0005 rebuilds the cases table on SQLite (batch mode): the partial unique index must survive it.
    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO suppliers (code, name) VALUES ('S1', '')"))
        conn.execute(text("INSERT INTO products (code, category, brand, model, name) VALUES ('P1', 'c', '', '', '')"))
        conn.execute(text(
            "INSERT INTO listings (code, product_id, supplier_id, category, name, mall_price, committed_discount, "
            "price_effective_on, status, created_at, updated_at) SELECT 'L1', p.id, s.id, 'c', '', 100, 0, "
            "'2026-10-01', 'active', '2026-10-01 00:00:00', '2026-10-01 00:00:00' FROM products p, suppliers s"))
    insert = text(
        "INSERT INTO cases (listing_id, supplier_id, period, category, opened_by, state, is_open, opened_at, "
        "mall_price, monitored_price, deviation, band) SELECT l.id, l.supplier_id, '2026-10', 'c', 'check', "
        ":state, :is_open, '2026-11-01 00:00:00', 100, 80, 2500, 'evidence' FROM listings l")
    with empty_engine.begin() as conn:
        conn.execute(insert, {"state": "price_lowered", "is_open": False})
        conn.execute(insert, {"state": "price_lowered", "is_open": False})  # closed ones: any number
        conn.execute(insert, {"state": "evidence_requested", "is_open": True})
    with pytest.raises(IntegrityError):
        with empty_engine.begin() as conn:
            conn.execute(insert, {"state": "evidence_requested", "is_open": True})
