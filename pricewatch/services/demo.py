"""`pricewatch demo`: fill an empty database with six realistic months of the mall.

The data is made by `pricewatch.demo` (a deterministic simulation, see `pricewatch.demo.plan`) and
goes in only through the real services, in time order, with past timestamps:

- the catalogue and the listings added each month are CSV files (INTERFACE.md formats) loaded by
  `services.imports.import_listings`; each month's quotes and orders by `import_observations` and
  `import_orders`. Suppliers' later price changes go through `services.pricing.change_price` (the
  listings importer stamps history rows with the real clock, which would misdate them);
- each period 2026-05..2026-10 is checked by `services.checks.run_check` at 02:00 on the 1st of the
  next month (Asia/Shanghai) and its report published with `services.reports.snapshot_report`;
- the scheduler's daily deadline sweep (`services.cases.sweep_deadlines`) runs for every day from
  1 June to today (2026-11-23), so unanswered cases lapse as they would have;
- suppliers and the `monitor` user act on cases with the case services (evidence with a small PDF
  through `services.evidence.store_files`, decisions, price cuts, relisting).

The demo's "today" is fixed at 2026-11-23: the October check's unanswered cases lapsed on 17 November
(their 15-day deadline), so the cases still waiting for evidence with a deadline ahead are the ones
opened by price raises in November (METHOD.md, "Price changes between checks").

The story's shredder (1,380.00 against a monitored 1,144.00, deviation 0.2063) and how its savings
come close to 100,000 are told in `pricewatch.demo.story`.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from pricewatch.config import method_params
from pricewatch.db.models import Case, CheckRun, Listing, Observation, OrderLine, Product, Supplier, User
from pricewatch.demo import files, story
from pricewatch.demo.plan import IMPORTER, MONITOR, PERIODS, Plan, Step, make_plan
from pricewatch.domain.progress import NullProgress, Progress
from pricewatch.domain.rounding import cents_to_decimal

#: The password of every demo user.
PASSWORD = "demo-pass-2026"
#: Staff users: name -> role.
STAFF = {"admin": "admin", "monitor": "monitor", "viewer": "viewer"}
_UTC = dt.timezone.utc


class DemoError(RuntimeError):
    """The demo cannot be loaded (the database is not empty, or too few listings were asked for)."""


@dataclass
class DemoResult:
    """What the demo loaded, and whether every step went as the plan foresaw."""

    plan: Plan
    seconds: float = 0.0
    bands: dict[str, dict[str, int]] = field(default_factory=dict)
    quotes: int = 0
    order_lines: int = 0
    files: int = 0
    #: how many cases are in each state at the end
    states: Counter = field(default_factory=Counter)
    #: steps the services refused or answered otherwise than planned (should stay empty)
    mismatches: list[str] = field(default_factory=list)


def _has_tables(runtime) -> bool:
    """Whether the schema exists."""
    return "listings" in inspect(runtime.engine).get_table_names()


def database_is_empty(runtime) -> bool:
    """True when there is no schema yet or no row of catalogue, quotes, orders, checks or users."""
    if not _has_tables(runtime):
        return True
    with runtime.session_factory() as session:
        for model in (Supplier, Product, Listing, Observation, OrderLine, CheckRun, Case, User):
            if session.scalar(select(model.id).limit(1)) is not None:
                return False
    return True


def _ensure_schema(runtime) -> None:
    """Migrate to head, unless the tables were made without Alembic (create_all in tests)."""
    from pricewatch.db.migrate import upgrade

    tables = set(inspect(runtime.engine).get_table_names())
    if "listings" in tables and "alembic_version" not in tables:
        return
    upgrade(runtime.engine)


def load_demo(runtime, listings: int = 3000, seed: int = 20261001, progress: Progress | None = None) -> str:
    """Load the demo into an empty database; a summary for people."""
    return summarize(run_demo(runtime, listings=listings, seed=seed, progress=progress))


def run_demo(runtime, listings: int = 3000, seed: int = 20261001, progress: Progress | None = None) -> DemoResult:
    """Load the demo into an empty database (DemoError otherwise) and report how it went."""
    started = time.perf_counter()
    if listings < story.MIN_LISTINGS:
        raise DemoError(f"the demo needs at least {story.MIN_LISTINGS} listings (asked for {listings})")
    _ensure_schema(runtime)
    if not database_is_empty(runtime):
        raise DemoError("the database is not empty; demo fills an empty database only")
    settings = runtime.settings
    plan = make_plan(listings, seed, lambda category: method_params(settings, category))
    result = DemoResult(plan)
    with tempfile.TemporaryDirectory(prefix="pricewatch-demo-") as tmp:
        _Player(runtime, plan, result, Path(tmp), progress or NullProgress()).play()
    with runtime.session_factory() as session:
        result.states = Counter(dict(session.execute(select(Case.state, func.count()).group_by(Case.state)).all()))
    result.seconds = time.perf_counter() - started
    return result


class _Player:
    """Plays a plan's steps, in order, through the services."""

    def __init__(self, runtime, plan: Plan, result: DemoResult, workdir: Path, progress: Progress):
        self.runtime, self.plan, self.result, self.workdir, self.progress = runtime, plan, result, workdir, progress
        self.settings = runtime.settings
        self.zone = ZoneInfo(self.settings["timezone"])
        self.ids: dict[str, int] = {}
        self.users_made = False

    def utc(self, local: dt.datetime) -> dt.datetime:
        """A local (Asia/Shanghai) time as an aware UTC datetime."""
        return local.replace(tzinfo=self.zone).astimezone(_UTC)

    def play(self) -> None:
        """Every step in time order, each committed on its own (as the real events were)."""
        self.progress.stage("demo", len(self.plan.steps))
        session = self.runtime.session_factory()
        try:
            for step in self.plan.steps:
                self.one(session, step)
                self.progress.advance(1)
        finally:
            session.close()
            self.progress.close()

    def one(self, session: Session, step: Step) -> None:
        """Run one step and commit it; a step the services refuse is rolled back and noted."""
        from pricewatch.domain.cases import CaseError

        handler = getattr(self, f"do_{step.kind}")
        try:
            handler(session, step)
            session.commit()
        except (CaseError, ValueError) as exc:
            session.rollback()
            self.mismatch(step, f"refused: {exc}")

    def mismatch(self, step: Step, what: str) -> None:
        """Note a step that did not go as planned."""
        code = self.plan.catalog.listings[step.listing].code if step.listing is not None else ""
        self.result.mismatches.append(f"{step.at:%Y-%m-%d %H:%M} {step.kind} {code}: {what}")

    # ------------------------------------------------------------------ imports and checks

    def _import(self, session: Session, step: Step, kind: str, name: str):
        """Write the step's rows as a CSV file and load it with the real importer."""
        from pricewatch.services import imports

        path = files.write_csv(self.workdir / name, kind, step.data["rows"])
        loader = getattr(imports, f"import_{kind}")
        return loader(session, path, actor=IMPORTER, today=step.at.date(), settings=self.settings)

    def do_import_listings(self, session: Session, step: Step) -> None:
        """A listings file (the catalogue before May, new listings later)."""
        self._import(session, step, "listings", f"listings-{step.at:%Y%m%d}.csv")
        self.ids = dict(session.execute(select(Listing.code, Listing.id)).tuples().all())
        if not self.users_made:
            session.flush()
            self.make_users(session)
            self.users_made = True

    def do_import_observations(self, session: Session, step: Step) -> None:
        """A month of quotes."""
        summary = self._import(session, step, "observations", f"observations-{step.data['period']}.csv")
        self.result.quotes += summary.added

    def do_import_orders(self, session: Session, step: Step) -> None:
        """A month of order lines."""
        summary = self._import(session, step, "orders", f"orders-{step.at:%Y%m}.csv")
        self.result.order_lines += summary.added

    def do_check(self, session: Session, step: Step) -> None:
        """The monthly check of the period, then its published report."""
        from pricewatch.services.checks import run_check

        period = step.data["period"]
        session.commit()
        outcome = run_check(self.runtime.session_factory, self.settings, period, actor=IMPORTER,
                            now=self.utc(step.at))
        self.result.bands[period] = dict(outcome.bands)
        if outcome.bands != self.plan.expected_bands[period]:
            self.mismatch(step, f"bands {outcome.bands}, planned {self.plan.expected_bands[period]}")
        try:
            from pricewatch.services.reports import snapshot_report
        except ImportError:  # pragma: no cover - the reports service is optional for the demo
            return
        snapshot_report(session, period, actor=IMPORTER, settings=self.settings)

    def do_sweep(self, session: Session, step: Step) -> None:
        """The scheduler's daily sweep: lapse overdue cases, send reminders."""
        from pricewatch.services.cases import sweep_deadlines

        sweep_deadlines(session, step.data["day"], actor="scheduler", now=self.utc(step.at), settings=self.settings)

    # ------------------------------------------------------------------ users

    def make_users(self, session: Session) -> None:
        """The staff users and one user per demo supplier user, all with the demo password."""
        from pricewatch.services.users import create_user

        for name, role in STAFF.items():
            create_user(session, name, PASSWORD, role, email=f"{name}@demo.invalid", actor=IMPORTER)
        for name, supplier in sorted(self.plan.users.items()):
            code = self.plan.catalog.suppliers[supplier].code
            create_user(session, name, PASSWORD, "supplier", supplier_code=code, email=f"{name}@demo.invalid",
                        actor=IMPORTER)

    # ------------------------------------------------------------------ cases

    def listing(self, session: Session, step: Step) -> Listing:
        """The step's listing."""
        return session.get(Listing, self.ids[self.plan.catalog.listings[step.listing].code])

    def case(self, session: Session, step: Step) -> Case:
        """The step's listing's open case (ValueError when it has none)."""
        from pricewatch.services.cases import open_case_for_listing

        case = open_case_for_listing(session, self.ids[self.plan.catalog.listings[step.listing].code])
        if case is None:
            raise ValueError("the listing has no open case")
        return case

    def do_price(self, session: Session, step: Step) -> None:
        """A supplier changes a listing's price."""
        from pricewatch.services import pricing

        outcome = pricing.change_price(session, self.listing(session, step), cents_to_decimal(step.data["price"]),
                                       actor=step.data["actor"], origin="supplier", now=self.utc(step.at),
                                       settings=self.settings)
        expect = step.data["expect"]
        allowed = {"nothing": {pricing.NOTHING, pricing.NO_REFERENCE}}.get(expect, {expect})
        if outcome.action not in allowed:
            self.mismatch(step, f"price change did {outcome.action}, planned {expect}")

    def do_submit(self, session: Session, step: Step) -> None:
        """A supplier submits evidence (a statement, the price it claims, often a PDF)."""
        from pricewatch.services.cases import submit_evidence

        case = self.case(session, step)
        now = self.utc(step.at)
        actor = step.data["actor"]
        submission = submit_evidence(session, case, step.data["statement"], cents_to_decimal(step.data["claimed"]),
                                     actor=actor, now=now, settings=self.settings)
        if not step.data["with_file"]:
            return
        try:
            from pricewatch.services.evidence import Upload, store_files
        except ImportError:  # pragma: no cover - files are optional: the statement stands alone
            return
        code = self.plan.catalog.listings[step.listing].code
        pdf = files.evidence_pdf([f"Price evidence for mall listing {code}", f"Submitted by {actor}",
                                  f"Date: {step.at:%Y-%m-%d}", f"Claimed price: {cents_to_decimal(step.data['claimed'])}"])
        store_files(session, case, submission, [Upload(f"价格证明-{code}.pdf", pdf)], actor=actor,
                    settings=self.settings, now=now)
        self.result.files += 1

    def do_accept(self, session: Session, step: Step) -> None:
        """The monitor accepts the evidence."""
        from pricewatch.services.cases import accept_evidence

        accept_evidence(session, self.case(session, step), actor=MONITOR, now=self.utc(step.at),
                        settings=self.settings, note=step.data["note"])

    def do_reject(self, session: Session, step: Step) -> None:
        """The monitor rejects the evidence."""
        from pricewatch.services.cases import reject_evidence

        reject_evidence(session, self.case(session, step), step.data["reason"], actor=MONITOR,
                        now=self.utc(step.at), settings=self.settings)

    def do_request_relist(self, session: Session, step: Step) -> None:
        """The supplier of a delisted listing, its price cut, asks to relist it."""
        from pricewatch.services.cases import request_relisting

        request_relisting(session, self.case(session, step), actor=step.data["actor"], now=self.utc(step.at),
                          settings=self.settings, note=step.data["note"])

    def do_approve_relist(self, session: Session, step: Step) -> None:
        """The monitor approves the relisting."""
        from pricewatch.services.cases import approve_relisting

        approve_relisting(session, self.case(session, step), actor=MONITOR, now=self.utc(step.at),
                          settings=self.settings, note=step.data["note"])


def _share(bands: dict[str, int]) -> float:
    """The high-price share of a period's band counts."""
    priced = bands.get("normal", 0) + bands.get("evidence", 0) + bands.get("delist", 0)
    return (bands.get("evidence", 0) + bands.get("delist", 0)) / priced if priced else 0.0


def summarize(result: DemoResult) -> str:
    """What the demo loaded, for the command line."""
    plan = result.plan
    cat = plan.catalog
    states = result.states
    first, last = PERIODS[0], PERIODS[-1]
    shares = " -> ".join(f"{_share(result.bands.get(p, {})):.1%}" for p in PERIODS)
    story_code = cat.listings[plan.story_listings[0]].code
    users = ", ".join(list(STAFF) + sorted(plan.users))
    lines = [
        f"demo loaded in {result.seconds:.1f} s: {len(cat.suppliers)} suppliers, {len(cat.products)} products, "
        f"{len(cat.listings)} listings",
        f"periods {first}..{last} checked; high-price share {shares}",
        f"{result.quotes} quotes, {result.order_lines} order lines, {sum(states.values())} cases "
        f"({', '.join(f'{k} {v}' for k, v in sorted(states.items()))}), {result.files} evidence files",
        f"the shredder of the story: listing {story_code} of {story.SUPPLIER_NAME} at 1380.00 against a "
        f"monitored 1144.00 in {PERIODS[story.FLAG_MONTH]}; cut to 1144.00 on 2026-10-04",
        f"users: {users} (password {PASSWORD})",
    ]
    if result.mismatches:
        lines.append(f"warning: {len(result.mismatches)} steps did not go as planned, e.g. {result.mismatches[0]}")
    return "\n".join(lines)
