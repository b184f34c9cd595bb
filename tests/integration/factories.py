"""Helpers that create suppliers, products, listings, users, check runs and results for tests.

Every helper adds to the session and flushes (so ids are set) but never commits. Unique codes are
generated when none is given. Money is given as text or Decimal, never float.
"""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy.orm import Session

from pricewatch.db.models import (
    LISTING_ACTIVE, CheckRun, Listing, ListingPrice, ListingResult, Product, Supplier, User,
)
from pricewatch.domain.cases import evaluate_price_decimal
from pricewatch.domain.params import MethodParams
from pricewatch.services.search import index_listings

UTC = dt.timezone.utc
#: 2026-11-01 10:00 in Asia/Shanghai: the morning after period 2026-10 was checked.
RUN_AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)

_seq = itertools.count(1)


def _next(prefix: str) -> str:
    """A fresh code such as 'L17'."""
    return f"{prefix}{next(_seq)}"


def make_supplier(session: Session, code: str | None = None, name: str | None = None) -> Supplier:
    """A supplier."""
    code = code or _next("S")
    supplier = Supplier(code=code, name=name if name is not None else f"供应商{code}")
    session.add(supplier)
    session.flush()
    return supplier


def make_product(session: Session, code: str | None = None, category: str = "shredder", **fields) -> Product:
    """A catalogue product."""
    product = Product(code=code or _next("P"), category=category, **fields)
    session.add(product)
    session.flush()
    return product


def make_listing(session: Session, mall_price="120.00", *, code: str | None = None,
                 supplier: Supplier | None = None, product: Product | None = None, category: str | None = None,
                 committed_discount="0", price_effective_on: dt.date = dt.date(2026, 10, 1),
                 status: str = LISTING_ACTIVE, name: str = "") -> Listing:
    """A listing with its first price-history row (creating its supplier and product if not given)."""
    supplier = supplier or make_supplier(session)
    product = product or make_product(session, category=category or "shredder")
    code = code or _next("L")
    listing = Listing(code=code, product_id=product.id, supplier_id=supplier.id,
                      category=category or product.category, name=name or f"商品{code}",
                      mall_price=Decimal(mall_price), committed_discount=Decimal(committed_discount),
                      price_effective_on=price_effective_on, status=status)
    session.add(listing)
    session.flush()
    session.add(ListingPrice(listing_id=listing.id, price=Decimal(mall_price), previous_price=None,
                             effective_on=price_effective_on, origin="import", changed_by="test"))
    session.flush()
    index_listings(session, [listing.id])  # searchable, as the importer leaves it
    return listing


def make_user(session: Session, username: str | None = None, role: str = "supplier", *,
              supplier: Supplier | None = None, is_active: bool = True, email: str = "") -> User:
    """A user (password hash is a placeholder: these users never sign in)."""
    user = User(username=username or _next("user"), password_hash="x", role=role,
                supplier_id=supplier.id if supplier else None, is_active=is_active, email=email,
                session_token=_next("tok"))
    session.add(user)
    session.flush()
    return user


def make_run(session: Session, period: str = "2026-10", *, started_at: dt.datetime = RUN_AT,
             triggered_by: str = "test") -> CheckRun:
    """A finished check run of `period` (its counts are left at zero)."""
    run = CheckRun(period=period, started_at=started_at, finished_at=started_at, triggered_by=triggered_by)
    session.add(run)
    session.flush()
    return run


def make_result(session: Session, run: CheckRun, listing: Listing, monitored_price, *, mall_price=None,
                params: MethodParams | None = None) -> ListingResult:
    """A listing's stored result in `run`; deviation and band computed exactly (None: insufficient)."""
    mall = Decimal(mall_price) if mall_price is not None else listing.mall_price
    monitored = None if monitored_price is None else Decimal(monitored_price)
    deviation, band = evaluate_price_decimal(mall, monitored, params or MethodParams())
    result = ListingResult(run_id=run.id, listing_id=listing.id, product_id=listing.product_id,
                           supplier_id=listing.supplier_id, category=listing.category, mall_price=mall,
                           monitored_price=monitored, deviation=deviation, band=band)
    session.add(result)
    session.flush()
    return result
