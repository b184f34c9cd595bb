"""Importing listings, observations and orders into the database, all or nothing (INTERFACE.md)."""
from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from pricewatch.db.models import (
    Event, ImportBatch, Listing, ListingPrice, Observation, OrderLine, Product, Supplier,
)
from pricewatch.importers import ImportRejected
from pricewatch.services.imports import import_listings, import_observations, import_orders
from tests.integration.factories import RUN_AT, make_listing, make_result, make_run, make_supplier

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
TODAY = dt.date(2026, 11, 3)
LATER = RUN_AT + dt.timedelta(days=2)
TABLES = (Supplier, Product, Listing, ListingPrice, Observation, OrderLine, ImportBatch, Event)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def counts(session) -> dict[str, int]:
    """Rows in every table an import writes to."""
    return {model.__tablename__: count(session, model) for model in TABLES}


def write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_listings(session, settings, path=FIXTURES / "listings.csv", **kw):
    return import_listings(session, path, actor="mona", today=TODAY, settings=settings, now=LATER, **kw)


def load_observations(session, settings, path=FIXTURES / "observations.csv"):
    return import_observations(session, path, actor="mona", settings=settings)


def load_orders(session, settings, path=FIXTURES / "orders.csv"):
    return import_orders(session, path, actor="mona", settings=settings)


def listing(session, code: str) -> Listing:
    return session.scalars(select(Listing).where(Listing.code == code)).one()


# ----------------------------------------------------------------------------- listings

def test_a_listings_file_creates_suppliers_products_listings_and_first_prices(session, settings):
    summary = load_listings(session, settings)

    assert (summary.kind, summary.rows, summary.added, summary.updated, summary.unchanged) == (
        "listings", 3, 3, 0, 0)
    l1, l3 = listing(session, "L001"), listing(session, "L003")
    assert (l1.product.code, l1.supplier.code, l1.supplier.name, l1.category, l1.mall_price,
            l1.committed_discount, l1.price_effective_on, l1.status) == (
        "P001", "S01", "华东办公设备有限公司", "shredder", Decimal("899.00"), Decimal("0.0300"),
        dt.date(2026, 9, 1), "active")
    assert (l3.price_effective_on, l3.product.brand, l3.product.model, l3.name) == (
        TODAY, "惠普", "M126a", "惠普M126a激光打印机")
    assert count(session, Supplier) == 2 and count(session, Product) == 2
    first = session.scalars(select(ListingPrice).where(ListingPrice.listing_id == l1.id)).one()
    assert (first.price, first.previous_price, first.effective_on, first.origin, first.changed_by) == (
        Decimal("899.00"), None, dt.date(2026, 9, 1), "import", "mona")


def test_an_import_is_recorded_as_a_batch_and_an_event(session, settings):
    summary = load_listings(session, settings)

    batch = session.get(ImportBatch, summary.batch_id)
    assert (batch.kind, batch.filename, batch.rows, batch.added, batch.updated, batch.imported_by) == (
        "listings", "listings.csv", 3, 3, 0, "mona")
    event = session.scalars(select(Event).where(Event.entity == "import")).one()
    assert (event.entity_id, event.action, event.actor) == (batch.id, "import_listings", "mona")
    assert json.loads(event.after_json)["added"] == 3


def test_re_importing_the_same_listings_changes_nothing(session, settings):
    load_listings(session, settings)
    before = counts(session)

    summary = load_listings(session, settings)

    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 3)
    assert counts(session)["listing_prices"] == before["listing_prices"]
    assert listing(session, "L003").price_effective_on == TODAY


def test_a_re_imported_price_is_kept_in_the_history(session, settings, tmp_path):
    load_listings(session, settings)
    path = write(tmp_path, "listing_id,product_id,supplier_id,category,mall_price,price_effective_on\n"
                           "L001,P001,S01,shredder,949.00,2026-11-02\n"
                           "L002,P001,S02,shredder,920.50,2026-11-02\n")

    summary = load_listings(session, settings, path)

    assert (summary.rows, summary.added, summary.updated, summary.unchanged) == (2, 0, 1, 1)
    l1 = listing(session, "L001")
    assert (l1.mall_price, l1.price_effective_on) == (Decimal("949.00"), dt.date(2026, 11, 2))
    history = session.scalars(select(ListingPrice).where(ListingPrice.listing_id == l1.id)
                              .order_by(ListingPrice.id)).all()
    assert [(h.price, h.previous_price, h.effective_on, h.origin, h.changed_by) for h in history] == [
        (Decimal("899.00"), None, dt.date(2026, 9, 1), "import", "mona"),
        (Decimal("949.00"), Decimal("899.00"), dt.date(2026, 11, 2), "import", "mona"),
    ]
    assert listing(session, "L002").price_effective_on == dt.date(2026, 9, 1)  # price unchanged
    event = session.scalars(select(Event).where(Event.entity == "listing")).one()
    assert (event.action, event.listing_id, json.loads(event.before_json), json.loads(event.after_json)) == (
        "price_change", l1.id, {"mall_price": "899.00"}, {"mall_price": "949.00", "effective_on": "2026-11-02"})


def test_a_re_import_without_name_or_discount_keeps_the_stored_ones(session, settings, tmp_path):
    load_listings(session, settings)
    path = write(tmp_path, "listing_id,product_id,supplier_id,category,mall_price,name,committed_discount\n"
                           "L001,P001,S01,shredder,899.00,,\n")

    summary = load_listings(session, settings, path)

    l1 = listing(session, "L001")
    assert summary.unchanged == 1
    assert (l1.name, l1.committed_discount, l1.supplier.name, l1.product.brand) == (
        "得力9911碎纸机", Decimal("0.0300"), "华东办公设备有限公司", "得力")


def test_a_product_takes_the_non_empty_description_of_its_first_row(session, settings, tmp_path):
    load_listings(session, settings)
    path = write(tmp_path, "listing_id,product_id,supplier_id,category,brand,model,mall_price\n"
                           "L001,P001,S01,shredder,得力deli,,899.00\nL002,P001,S02,shredder,别的,9911X,920.50\n")

    load_listings(session, settings, path)

    product = listing(session, "L001").product
    assert (product.brand, product.model, product.name) == ("得力deli", "9911", "得力9911碎纸机")


def test_other_changed_values_update_the_listing_without_a_price_row(session, settings, tmp_path):
    load_listings(session, settings)
    path = write(tmp_path, "listing_id,product_id,supplier_id,supplier_name,category,name,mall_price,"
                           "committed_discount\nL001,P002,S02,京南商贸（新）,printer,新名字,899.00,0.05\n")

    summary = load_listings(session, settings, path)

    l1 = listing(session, "L001")
    assert summary.updated == 1
    assert (l1.product.code, l1.supplier.code, l1.supplier.name, l1.category, l1.name, l1.committed_discount) == (
        "P002", "S02", "京南商贸（新）", "printer", "新名字", Decimal("0.0500"))
    assert count(session, ListingPrice) == 3


def test_a_re_imported_price_above_the_last_check_opens_a_case(session, settings, tmp_path):
    pytest.importorskip("pricewatch.services.pricing")
    from pricewatch.db.models import Case

    supplier = make_supplier(session, "S9")
    checked = make_listing(session, "110.00", code="L9", supplier=supplier)
    make_result(session, make_run(session, "2026-10"), checked, "100.00")
    path = write(tmp_path, "listing_id,product_id,supplier_id,category,mall_price\n"
                           f"L9,{checked.product.code},S9,shredder,125.00\n")

    load_listings(session, settings, path)

    case = session.scalars(select(Case).where(Case.listing_id == checked.id)).one()
    assert (case.state, case.opened_by, case.mall_price, case.monitored_price) == (
        "evidence_requested", "price_change", Decimal("125.00"), Decimal("100.00"))


def test_a_bad_listings_file_stores_nothing_even_before_rollback(session, settings, tmp_path):
    load_listings(session, settings)
    before = counts(session)
    path = write(tmp_path, "listing_id,product_id,supplier_id,category,mall_price\n"
                           "L001,P001,S01,shredder,1.00\nL777,P777,S777,printer,5\nL778,P1,S1,printer,x\n")

    with pytest.raises(ImportRejected) as info:
        load_listings(session, settings, path)

    assert info.value.errors == ["line 4, column mall_price: not a decimal number: 'x'"]
    assert counts(session) == before
    assert listing(session, "L001").mall_price == Decimal("899.00")


def test_a_workbook_of_listings_imports_like_a_csv(session, settings, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["listing_id", "product_id", "supplier_id", "category", "mall_price"])
    book.active.append(["X1", "PX", "SX", "shredder", 88.8])
    book.save(tmp_path / "listings.xlsx")

    summary = load_listings(session, settings, tmp_path / "listings.xlsx")

    assert summary.added == 1 and listing(session, "X1").mall_price == Decimal("88.80")


# ----------------------------------------------------------------------------- observations

def test_quotes_are_stored_exactly_and_repeats_in_the_file_once(session, settings):
    load_listings(session, settings)

    summary = load_observations(session, settings)

    assert (summary.kind, summary.rows, summary.added, summary.skipped) == ("observations", 6, 5, 1)
    rows = session.execute(select(Product.code, Observation.source, Observation.price, Observation.observed_on,
                                  Observation.origin, Observation.url, Observation.batch_id)
                           .join(Product, Product.id == Observation.product_id).order_by(Observation.observed_on)).all()
    assert rows[0] == ("P002", "ecommerce", Decimal("1399.0000"), dt.date(2026, 10, 3), "天猫", "", summary.batch_id)
    assert [r.price for r in rows] == [Decimal(p) for p in ("1399", "850", "870", "829.9", "880")]


def test_re_importing_quotes_adds_no_duplicate(session, settings):
    load_listings(session, settings)
    load_observations(session, settings)

    summary = load_observations(session, settings)

    assert (summary.added, summary.skipped) == (0, 6)
    assert count(session, Observation) == 5


def test_a_quote_differing_only_in_origin_is_another_quote(session, settings, tmp_path):
    load_listings(session, settings)
    path = write(tmp_path, "product_id,source,price,observed_on,origin\n"
                           "P001,retail,880,2026-10-12,门店A\nP001,retail,880,2026-10-12,门店B\n"
                           "P001,retail,880,2026-10-12,\nP001,retail,880.0000,2026-10-12,\n")

    summary = load_observations(session, settings, path)

    assert (summary.added, summary.skipped) == (3, 1)


def test_quotes_of_an_unknown_product_reject_the_file(session, settings, tmp_path):
    load_listings(session, settings)
    session.commit()
    before = counts(session)
    good = "".join(f"P001,gov,{800 + i},2026-10-05,,\n" for i in range(30))
    path = write(tmp_path, f"product_id,source,price,observed_on,origin,url\n{good}P404,gov,800,2026-10-05,,\n")

    with pytest.raises(ImportRejected) as info:
        load_observations(session, settings, path)
    session.rollback()

    assert info.value.errors == ["line 32, column product_id: unknown product 'P404'"]
    assert counts(session) == before


def test_a_quotes_file_without_a_required_column_writes_nothing(session, settings, tmp_path):
    load_listings(session, settings)
    before = counts(session)
    path = write(tmp_path, "product_id,source,price\nP001,gov,1\n")

    with pytest.raises(ImportRejected) as info:
        load_observations(session, settings, path)

    assert info.value.errors == ["line 1, column observed_on: required column is missing"]
    assert counts(session) == before


# ----------------------------------------------------------------------------- orders

def test_order_lines_are_stored_with_their_listing(session, settings):
    load_listings(session, settings)

    summary = load_orders(session, settings)

    assert (summary.kind, summary.rows, summary.added, summary.skipped) == ("orders", 3, 3, 0)
    line = session.scalars(select(OrderLine).where(OrderLine.order_code == "O1002")).one()
    assert (line.line_no, line.listing_id, line.buyer_code, line.ordered_on, line.quantity, line.unit_price,
            line.batch_id) == (1, listing(session, "L002").id, "B02", dt.date(2026, 10, 20), 5, Decimal("900.00"),
                               summary.batch_id)


def test_re_importing_order_lines_skips_those_already_stored(session, settings):
    load_listings(session, settings)
    load_orders(session, settings)

    summary = load_orders(session, settings)

    assert (summary.added, summary.skipped) == (0, 3)
    assert count(session, OrderLine) == 3


def test_an_order_line_stored_with_other_values_is_a_conflict(session, settings, tmp_path):
    load_listings(session, settings)
    load_orders(session, settings)
    before = counts(session)
    path = write(tmp_path, "order_id,line_no,listing_id,buyer_id,ordered_on,quantity,unit_price\n"
                           "O1001,1,L001,B01,2026-10-15,3,880.00\n"
                           "O1001,2,L001,B01,2026-10-15,1,1450.00\n"
                           "O1003,1,L001,B01,2026-10-25,1,870.00\n")

    with pytest.raises(ImportRejected) as info:
        load_orders(session, settings, path)

    assert info.value.errors == [
        "line 2, column order_id: order 'O1001' line_no 1 is already stored with other values: "
        "quantity stored 2, file 3",
        "line 3, column order_id: order 'O1001' line_no 2 is already stored with other values: "
        "listing_id stored L003, file L001",
    ]
    assert counts(session) == before


def test_order_lines_of_an_unknown_listing_reject_the_file_and_store_nothing(session, settings, tmp_path):
    load_listings(session, settings)
    before = counts(session)
    path = write(tmp_path, "order_id,listing_id,ordered_on,quantity,unit_price\n"
                           "O9,L001,2026-10-15,1,880\nO10,L404,2026-10-15,1,880\n")

    with pytest.raises(ImportRejected) as info:
        load_orders(session, settings, path)

    assert info.value.errors == ["line 3, column listing_id: unknown listing 'L404'"]
    assert counts(session) == before


def test_problems_of_every_chunk_are_reported(session, settings, tmp_path, monkeypatch):
    from pricewatch.importers import read_orders
    from pricewatch.services import imports

    monkeypatch.setattr(imports, "read_orders", functools.partial(read_orders, chunk_size=2))
    load_listings(session, settings)
    rows = "".join(f"O{i},L{'001' if i % 2 else '404'},2026-10-15,1,880\n" for i in range(5))
    path = write(tmp_path, f"order_id,listing_id,ordered_on,quantity,unit_price\n{rows}")

    with pytest.raises(ImportRejected) as info:
        load_orders(session, settings, path)

    assert info.value.errors == [f"line {i + 2}, column listing_id: unknown listing 'L404'" for i in (0, 2, 4)]


class RecordingProgress:
    """A progress bar that remembers what it was told."""

    def __init__(self):
        self.stages: list[tuple[str, int | None]] = []
        self.done = 0

    def stage(self, label, total=None):
        self.stages.append((label, total))

    def advance(self, n=1):
        self.done += n

    def close(self):
        pass


def test_an_import_reports_its_progress_through_the_whole_file(session, settings):
    load_listings(session, settings)
    progress = RecordingProgress()

    import_observations(session, FIXTURES / "observations.csv", actor="mona", settings=settings, progress=progress)

    size = (FIXTURES / "observations.csv").stat().st_size
    assert progress.stages == [("observations observations.csv", size)]
    assert progress.done == size


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_connections_never_keep_server_side_prepared_plans(engine):
    # A plan prepared while an import was filling an empty table kept scanning it whole for every
    # look-up of the same import (quadratic time); psycopg must not prepare statements at all.
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver.prepare_threshold is None
        for _ in range(8):
            conn.exec_driver_sql("SELECT 1").scalar()
        assert conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar() == 0
