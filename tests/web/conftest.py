"""Web fixtures: the app on a fresh database, a client, signed-in users of every role, a seeded month.

Web tests run on SQLite by default (each PostgreSQL schema costs about a second per test); a test
that should also run on PostgreSQL says ``@pytest.mark.parametrize("backend", BACKENDS)``.

Reuse: ``login(client, "monitor")``, ``post(client, url, {...})`` (adds the CSRF token),
``seeded.listing["L1001"].id``, ``seeded.case["open_evidence"]``, ``users["supplier"]``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from pricewatch.db.models import (
    Case, CheckRun, Listing, ListingPrice, ListingResult, Observation, Product, ProductResult, QuoteFlag,
    Supplier, User,
)
from pricewatch.domain.params import SOURCES
from pricewatch.domain.rounding import deviation_e4, e4_to_decimal, to_cents
from pricewatch.runtime import Runtime
from pricewatch.services.events import record_event
from pricewatch.services.search import index_listings
from pricewatch.web import create_app

#: The password of every fixture user.
PASSWORD = "correct-horse-1"
#: Fixture user names, by role (plus a second supplier user bound to another supplier).
USERNAMES = {"admin": "admin", "monitor": "monitor", "viewer": "viewer", "supplier": "supplier",
             "other_supplier": "supplier2"}
PERIOD, PREVIOUS_PERIOD = "2026-10", "2026-09"
#: Why the check dropped the 1600.00 government quote of P-SHRED-01 (as the domain writes it).
DROPPED_REASON = "|q − m| = 595.0000 > k·s = 3 × 50.2500 = 150.7500 (m = 1005.0000)"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@cache
def password_hash() -> str:
    """The scrypt hash of PASSWORD, made once per test session (hashing takes ~0.1 s)."""
    return generate_password_hash(PASSWORD, method="scrypt")


@pytest.fixture
def backend():
    """Web tests run on SQLite unless a test parametrizes `backend` itself."""
    return "sqlite"


@pytest.fixture
def app(engine, settings):
    """The application on a fresh database (config/testing.toml settings, CSRF on)."""
    runtime = Runtime(dict(settings))
    runtime.engine = engine  # the test's engine (a PostgreSQL schema needs its search_path)
    application = create_app({"TESTING": True}, runtime=runtime)
    yield application


@pytest.fixture
def db(app):
    """A session on the app's database, for arranging data and checking what views wrote."""
    session = app.extensions["pricewatch"].session_factory()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def client(app):
    """A test client (cookies kept between requests)."""
    return app.test_client()


def ensure_supplier(session, code: str, name: str) -> Supplier:
    """The supplier with this code, made when missing."""
    supplier = session.scalars(select(Supplier).where(Supplier.code == code)).first()
    if supplier is None:
        supplier = Supplier(code=code, name=name)
        session.add(supplier)
        session.flush()
    return supplier


def make_user(session, username: str, role: str, *, supplier: Supplier | None = None, **extra) -> User:
    """A user with PASSWORD (hash made once), flushed."""
    user = User(username=username, password_hash=password_hash(), role=role,
                supplier_id=supplier.id if supplier else None, email=f"{username}@example.org",
                is_active=True, session_token=f"token-{username}", failed_logins=0, **extra)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def users(db) -> dict[str, User]:
    """One user of every role; `supplier` acts for S001, `other_supplier` for S002."""
    s1 = ensure_supplier(db, "S001", "华东办公设备有限公司")
    s2 = ensure_supplier(db, "S002", "北方数码科技有限公司")
    out = {role: make_user(db, USERNAMES[role], role) for role in ("admin", "monitor", "viewer")}
    out["supplier"] = make_user(db, USERNAMES["supplier"], "supplier", supplier=s1)
    out["other_supplier"] = make_user(db, USERNAMES["other_supplier"], "supplier", supplier=s2)
    db.commit()
    return out


def csrf_token(client) -> str:
    """A CSRF token valid for the client's session (read from the meta tag every page carries)."""
    page = client.get("/auth/login", follow_redirects=True).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, "no csrf-token meta tag on the page"
    return match.group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the CSRF token added."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=payload, **kwargs)


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the form; returns the (unfollowed) response."""
    return post(client, "/auth/login", {"username": username, "password": password})


@pytest.fixture
def login_as(client, users):
    """Sign the client in as the fixture user of a role: `login_as("monitor")`."""
    def sign_in(role: str):
        """Sign in and check that it worked."""
        response = login(client, USERNAMES[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return sign_in


# ----------------------------------------------------------------------------- the seeded month

@dataclass
class SeededMonth:
    """What `seed_month` made, by business code."""

    run: CheckRun
    previous_run: CheckRun
    supplier: dict[str, Supplier] = field(default_factory=dict)
    product: dict[str, Product] = field(default_factory=dict)
    listing: dict[str, Listing] = field(default_factory=dict)
    result: dict[str, ListingResult] = field(default_factory=dict)
    case: dict[str, Case] = field(default_factory=dict)
    dropped_observation: Observation | None = None
    today: dt.date = field(default_factory=dt.date.today)


# product code -> category, name, quotes per source (price, day of October), source averages
_PRODUCTS = {
    "P-SHRED-01": ("shredder", "得力 9935 碎纸机", {
        "index": [("1000.00", 3), ("1010.00", 12)], "gov": [("990.00", 5), ("1005.00", 9), ("1600.00", 20)],
        "ecommerce": [("980.00", 7), ("1000.00", 21)], "retail": [("1020.00", 15)]},
        {"index": "1005.00", "gov": "997.50", "ecommerce": "990.00", "retail": "1020.00"}, "1003.13"),
    "P-PRN-01": ("printer", "惠普 LaserJet Pro M404dn 激光打印机", {
        "index": [("2150.00", 4)], "gov": [("2250.00", 8)], "ecommerce": [("2180.00", 6), ("2220.00", 18)]},
        {"index": "2150.00", "gov": "2250.00", "ecommerce": "2200.00"}, "2200.00"),
    "P-PRN-02": ("printer", "兄弟 HL-L2350DW 激光打印机", {
        "index": [("800.00", 2)], "gov": [("1200.00", 10)], "ecommerce": [("1000.00", 14)]},
        {"index": "800.00", "gov": "1200.00", "ecommerce": "1000.00"}, "1000.00"),
    "P-SHRED-02": ("shredder", "科密 C-838 碎纸机", {"ecommerce": [("700.00", 11)]},
                   {"ecommerce": "700.00"}, None),
}
# listing code -> product, supplier, mall price (October), mall price (September), September monitored
_LISTINGS = {
    "L1001": ("P-SHRED-01", "S001", "1300.00", "1300.00", "1150.00"),
    "L1002": ("P-SHRED-01", "S002", "1050.00", "1250.00", "1000.00"),
    "L1003": ("P-PRN-01", "S002", "3600.00", "3600.00", "2900.00"),
    "L1004": ("P-PRN-02", "S003", "1199.00", "1199.00", "1050.00"),
    "L1005": ("P-SHRED-02", "S003", "800.00", "800.00", None),
    "L1006": ("P-PRN-02", "S001", "1250.00", "1250.00", "1100.00"),
}
_SUPPLIERS = {"S001": "华东办公设备有限公司", "S002": "北方数码科技有限公司", "S003": "南方文具商贸有限公司"}


def _band(dev: Decimal | None) -> str:
    """The default band of a deviation."""
    if dev is None:
        return "insufficient"
    return "normal" if dev <= Decimal("0.20") else "evidence" if dev < Decimal("0.50") else "delist"


def _dev(mall: str, monitored: str | None) -> Decimal | None:
    """The deviation rate as the method rounds it."""
    if monitored is None:
        return None
    return e4_to_decimal(deviation_e4(to_cents(Decimal(mall)), to_cents(Decimal(monitored))))


def seed_month(session, today: dt.date | None = None) -> SeededMonth:
    """Two checked months (2026-09, 2026-10) of 6 listings, with quotes, a dropped quote, cases, events."""
    today = today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    utc = dt.timezone.utc
    sep_run = CheckRun(period=PREVIOUS_PERIOD, started_at=dt.datetime(2026, 10, 1, 2, tzinfo=utc),
                       finished_at=dt.datetime(2026, 10, 1, 2, 5, tzinfo=utc), triggered_by="scheduler")
    oct_run = CheckRun(period=PERIOD, started_at=dt.datetime(2026, 11, 1, 2, tzinfo=utc),
                       finished_at=dt.datetime(2026, 11, 1, 2, 6, tzinfo=utc), triggered_by="scheduler",
                       quotes_used=14, quotes_dropped=1)
    session.add_all([sep_run, oct_run])
    seeded = SeededMonth(run=oct_run, previous_run=sep_run, today=today)
    for code, name in _SUPPLIERS.items():
        seeded.supplier[code] = ensure_supplier(session, code, name)
    for code, (category, name, quotes, averages, monitored) in _PRODUCTS.items():
        product = Product(code=code, category=category, name=name, brand=name.split()[0], model=name.split()[1])
        session.add(product)
        seeded.product[code] = product
    session.flush()
    for code, (category, name, quotes, averages, monitored) in _PRODUCTS.items():
        product = seeded.product[code]
        values = dict(run_id=oct_run.id, product_id=product.id, n_sources=len(averages),
                      monitored_price=Decimal(monitored) if monitored else None)
        for source in SOURCES:
            values[f"{source}_n"] = len(quotes.get(source, []))
            values[f"{source}_kept"] = len(quotes.get(source, [])) - (1 if (code, source) == ("P-SHRED-01", "gov") else 0)
            values[f"{source}_avg"] = Decimal(averages[source]) if source in averages else None
        values["gov_median"], values["gov_scale"] = (Decimal("1005.0000"), Decimal("50.2500")) if code == "P-SHRED-01" else (None, None)
        if len(averages) < 2:
            values["n_sources"] = 1
        session.add(ProductResult(**values))
        for source, rows in quotes.items():
            for price, day in rows:
                obs = Observation(product_id=product.id, source=source, price=Decimal(price),
                                  observed_on=dt.date(2026, 10, day), origin=f"{source}-origin",
                                  url=f"https://example.org/{source}/{code}")
                session.add(obs)
                if (code, source, price) == ("P-SHRED-01", "gov", "1600.00"):
                    seeded.dropped_observation = obs
    session.flush()
    session.add(QuoteFlag(run_id=oct_run.id, observation_id=seeded.dropped_observation.id, reason=DROPPED_REASON))
    counts = {PERIOD: {}, PREVIOUS_PERIOD: {}}
    for code, (pcode, scode, mall, sep_mall, sep_monitored) in _LISTINGS.items():
        product = seeded.product[pcode]
        monitored = _PRODUCTS[pcode][4]
        listing = Listing(code=code, product_id=product.id, supplier_id=seeded.supplier[scode].id,
                          category=product.category, name=f"{product.name}（{scode}）", mall_price=Decimal(mall),
                          price_effective_on=dt.date(2026, 9, 1))
        session.add(listing)
        session.flush()
        seeded.listing[code] = listing
        for run, price, mon in ((sep_run, sep_mall, sep_monitored), (oct_run, mall, monitored)):
            dev = _dev(price, mon)
            result = ListingResult(run_id=run.id, listing_id=listing.id, product_id=product.id,
                                   supplier_id=listing.supplier_id, category=listing.category,
                                   mall_price=Decimal(price), monitored_price=Decimal(mon) if mon else None,
                                   deviation=dev, band=_band(dev))
            session.add(result)
            counts[run.period][result.band] = counts[run.period].get(result.band, 0) + 1
            if run is oct_run:
                seeded.result[code] = result
    for run in (sep_run, oct_run):
        run.listings_checked = sum(counts[run.period].values())
        for band in ("insufficient", "normal", "evidence", "delist"):
            setattr(run, f"n_{band}", counts[run.period].get(band, 0))
    session.add(ListingPrice(listing_id=seeded.listing["L1002"].id, price=Decimal("1050.00"),
                             previous_price=Decimal("1250.00"), effective_on=dt.date(2026, 10, 8),
                             origin="supplier", changed_by="supplier2"))
    seeded.listing["L1003"].status = "delisted"
    session.flush()
    index_listings(session, [listing.id for listing in seeded.listing.values()])
    _seed_cases(session, seeded, today)
    oct_run.cases_opened, oct_run.delisted = 3, 1
    sep_run.cases_opened = 1
    session.flush()
    return seeded


def _seed_cases(session, seeded: SeededMonth, today: dt.date) -> None:
    """Three open cases of October (one due within the week) and a closed one of September."""
    utc = dt.timezone.utc
    opened = dt.datetime(2026, 11, 1, 2, 6, tzinfo=utc)
    specs = {
        "open_evidence": ("L1001", PERIOD, "evidence_requested", True, today + dt.timedelta(days=3), None),
        "delisted": ("L1003", PERIOD, "delisted", True, None, None),
        "submitted": ("L1006", PERIOD, "evidence_submitted", True, today + dt.timedelta(days=12), None),
        "lowered": ("L1002", PREVIOUS_PERIOD, "price_lowered", False, dt.date(2026, 10, 16), Decimal("1050.00")),
    }
    for key, (lcode, period, state, is_open, deadline, lowered) in specs.items():
        listing = seeded.listing[lcode]
        run = seeded.run if period == PERIOD else seeded.previous_run
        result = session.scalars(select(ListingResult).where(
            ListingResult.run_id == run.id, ListingResult.listing_id == listing.id)).one()
        case = Case(listing_id=listing.id, supplier_id=listing.supplier_id, run_id=run.id, period=period,
                    category=listing.category,
                    state=state, is_open=is_open, opened_at=opened if period == PERIOD else run.finished_at,
                    deadline_on=deadline, mall_price=result.mall_price, monitored_price=result.monitored_price,
                    deviation=result.deviation, band=result.band, lowered_price=lowered,
                    closed_at=None if is_open else dt.datetime(2026, 10, 8, 9, tzinfo=utc))
        session.add(case)
        session.flush()
        seeded.case[key] = case
        first_state = "delisted" if state == "delisted" else "evidence_requested"
        record_event(session, actor="scheduler", entity="case", entity_id=case.id, action="open",
                     to_state=first_state, after={"deviation": case.deviation, "band": case.band},
                     case_id=case.id, listing_id=listing.id, supplier_id=listing.supplier_id, at=case.opened_at)
        if state == "delisted":
            record_event(session, actor="scheduler", entity="listing", entity_id=listing.id, action="delist",
                         from_state="active", to_state="delisted", case_id=case.id, listing_id=listing.id,
                         supplier_id=listing.supplier_id, at=case.opened_at)
        if state == "evidence_submitted":
            record_event(session, actor="supplier", entity="case", entity_id=case.id, action="submit_evidence",
                         from_state="evidence_requested", to_state=state, reason="附上三家电商平台的同型号报价截图",
                         case_id=case.id, listing_id=listing.id, supplier_id=listing.supplier_id,
                         at=opened + dt.timedelta(days=2))
        if state == "price_lowered":
            record_event(session, actor="supplier2", entity="case", entity_id=case.id, action="lower_price",
                         from_state="evidence_requested", to_state=state,
                         before={"mall_price": Decimal("1250.00")}, after={"mall_price": lowered},
                         case_id=case.id, listing_id=listing.id, supplier_id=listing.supplier_id,
                         at=case.closed_at)


@pytest.fixture
def seeded(db, users) -> SeededMonth:
    """The seeded month, committed (users of every role exist too)."""
    month = seed_month(db)
    db.commit()
    return month
