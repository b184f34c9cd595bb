"""Searching suppliers by code or name through the search index, on SQLite (FTS5) and PostgreSQL (GIN)."""
from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pricewatch.cli import cli
from pricewatch.db.migrate import upgrade
from pricewatch.db.models import Supplier, SupplierSearch
from pricewatch.domain.search import supplier_terms
from pricewatch.services.imports import import_listings
from pricewatch.services.search import index_suppliers, matching_supplier_ids, supplier_match
from tests.integration.factories import make_supplier

HEADER = "listing_id,product_id,supplier_id,supplier_name,category,mall_price\n"


def codes(session, ids) -> list[str]:
    """The codes of suppliers, sorted."""
    return sorted(session.scalars(select(Supplier.code).where(Supplier.id.in_(ids)))) if ids else []


def found(session, term: str) -> list[str]:
    """The codes of the suppliers a term finds, checked against the subquery form too."""
    by_list = codes(session, matching_supplier_ids(session, term))
    by_subquery = sorted(session.scalars(select(Supplier.code).where(Supplier.id.in_(supplier_match(session, term)))))
    assert by_list == by_subquery
    return by_list


def test_a_supplier_added_or_renamed_through_the_orm_is_found_at_once(session):
    make_supplier(session, code="S1", name="杭州博远办公设备有限公司")
    make_supplier(session, code="S10", name="深圳博远科技有限公司")
    make_supplier(session, code="S2", name="北方数码")
    assert found(session, "博远") == ["S1", "S10"]
    assert found(session, "S1") == ["S1"]                   # an exact code finds that supplier alone
    assert found(session, "s1") == ["S1", "S10"]            # otherwise codes match as words do
    assert found(session, "深圳 科技") == ["S10"]           # every word, anywhere in the name
    assert found(session, "有限公司") == ["S1", "S10"]
    assert found(session, "南方") == [] and found(session, "  ") == []
    supplier = session.scalars(select(Supplier).where(Supplier.code == "S2")).one()
    supplier.name = "南方数码科技"
    session.flush()
    assert found(session, "南方") == ["S2"] and found(session, "北方") == []
    assert found(session, "科技") == ["S10", "S2"]


def test_suppliers_the_importer_adds_or_renames_are_found(session, settings, tmp_path):
    path = tmp_path / "listings.csv"
    path.write_text(HEADER + "L1,P1,S7,宁波星辰商贸,shredder,100.00\nL2,P2,S8,温州卓越,shredder,100.00\n",
                    encoding="utf-8")
    import_listings(session, path, actor="mona", today=dt.date(2026, 11, 3), settings=settings)
    assert found(session, "星辰") == ["S7"] and found(session, "卓越") == ["S8"]
    path.write_text(HEADER + "L1,P1,S7,宁波天和商贸,shredder,100.00\n", encoding="utf-8")
    import_listings(session, path, actor="mona", today=dt.date(2026, 11, 4), settings=settings)
    assert found(session, "星辰") == [] and found(session, "天和") == ["S7"]
    stored = dict(session.execute(select(SupplierSearch.supplier_id, SupplierSearch.terms)).all())
    assert stored == {s.id: supplier_terms(s.code, s.name) for s in session.scalars(select(Supplier))}


def test_index_suppliers_rebuilds_what_was_written_around_the_orm(session):
    make_supplier(session, code="S1", name="华东办公")
    session.execute(text("DELETE FROM supplier_search"))
    session.execute(text("INSERT INTO suppliers (code, name) VALUES ('S9', '华西办公')"))
    assert found(session, "办公") == []
    assert index_suppliers(session) == 2
    assert found(session, "办公") == ["S1", "S9"]
    assert index_suppliers(session, []) == 0


def test_db_upgrade_indexes_the_suppliers_already_stored(empty_engine, backend):
    upgrade(empty_engine, "0003")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO suppliers (code, name) VALUES (:code, :name)"),
                     [{"code": f"S{n}", "name": f"苏州第{n}贸易公司"} for n in range(1, 13)])
    url = empty_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"PRICEWATCH_DATABASE_URL": url,
                                                             "PRICEWATCH_ENV": "testing"})
    assert result.exit_code == 0, result.output
    with Session(empty_engine) as session:
        assert session.scalar(select(func.count()).select_from(SupplierSearch)) == 12
        assert found(session, "第1") == ["S1", "S10", "S11", "S12"]
        assert found(session, "贸易") == [f"S{n}" for n in sorted(range(1, 13), key=lambda n: f"S{n}")]
