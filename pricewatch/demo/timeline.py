"""The demo's clock and the state of each listing over time: prices, status, cases, steps.

`Timeline` is the base of the simulation in `pricewatch.demo.plan`: it records what happens to each
listing (price changes, going off and on sale, cases opened and closed) and the timed `Step`s that
`pricewatch.services.demo` plays. Times are local (the procurement centre's time zone), naive.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from pricewatch.demo import market
from pricewatch.demo.catalog import Catalog, shop_price
from pricewatch.domain.params import MethodParams
from pricewatch.domain.rounding import deviation_e4

#: The demo's periods and its "today" (the day after its last step).
PERIODS = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
LAST = len(PERIODS) - 1
TODAY = dt.date(2026, 11, 23)
#: The demo's monitor and the actor of imports and checks.
MONITOR = "monitor"
IMPORTER = "demo"


@dataclass(order=True)
class Step:
    """One thing that happens at a local time (Asia/Shanghai), in order."""

    at: dt.datetime
    seq: int
    kind: str = field(compare=False)
    listing: int | None = field(compare=False, default=None)
    data: dict = field(compare=False, default_factory=dict)


def first_day(m: int) -> dt.date:
    """First day of demo month m (0 = May 2026; 6 = November)."""
    return dt.date(2026, 5 + m, 1)


def last_day(m: int) -> dt.date:
    """Last day of demo month m."""
    return first_day(m + 1) - dt.timedelta(days=1)


class Timeline:
    """The state of every listing through the months, and the steps that make it so."""

    def __init__(self, cat: Catalog, seed: int, params_of: Callable[[str], MethodParams]):
        self.cat = cat
        self.seed = seed
        self.rng = np.random.default_rng([seed, 2])
        cache: dict[str, MethodParams] = {}
        self.params_of = lambda c: cache[c] if c in cache else cache.setdefault(c, params_of(c))
        n = len(cat.listings)
        self.hist: list[list[tuple[dt.datetime, int]]] = [[] for _ in range(n)]
        self.status: list[list[tuple[dt.datetime, bool]]] = [[] for _ in range(n)]
        self.cases: list[list[list]] = [[] for _ in range(n)]  # [opened_at, closed_at or None]
        self.created: list[dt.datetime | None] = [None] * n
        self.results: list[dict[int, int]] = [{} for _ in range(n)]  # month -> monitored cents
        self.was_accepted = [False] * n
        self.steps: list[Step] = []
        self.expected_bands: dict[str, dict[str, int]] = {}
        self.states: Counter = Counter()
        self.levels = market.market_levels(np.random.default_rng([seed, 3]), cat, len(PERIODS))
        self.mon = np.full((len(cat.products), len(PERIODS)), -1, dtype=np.int64)
        self.drawn: list[market.MonthQuotes] = []
        self.quotes: list[market.MonthQuotes] = []
        self.story = [i for i, lst in enumerate(cat.listings) if lst.is_story]

    def step(self, at: dt.datetime, kind: str, listing: int | None = None, **data) -> None:
        """Add a step."""
        self.steps.append(Step(at, len(self.steps), kind, listing, data))

    def work(self, day: dt.date) -> dt.datetime:
        """A random moment of office hours on `day`."""
        return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=int(self.rng.integers(0, 510)))

    def set_price(self, i: int, at: dt.datetime, cents: int) -> None:
        """Record a price taking effect on at.date()."""
        bisect.insort(self.hist[i], (at, cents))

    def price_on(self, i: int, day: dt.date) -> int | None:
        """The price in force on `day` (the last change dated on or before it)."""
        pos = bisect.bisect_right(self.hist[i], (dt.datetime.combine(day, dt.time.max), 1 << 62))
        return self.hist[i][pos - 1][1] if pos else None

    def price_at(self, i: int, at: dt.datetime) -> int | None:
        """The price at a moment."""
        pos = bisect.bisect_right(self.hist[i], (at, 1 << 62))
        return self.hist[i][pos - 1][1] if pos else None

    def set_status(self, i: int, at: dt.datetime, active: bool) -> None:
        """Put the listing on or off sale at `at`."""
        bisect.insort(self.status[i], (at, active))

    def is_active(self, i: int, at: dt.datetime) -> bool:
        """Whether the listing exists and is on sale at `at`."""
        if self.created[i] is None or self.created[i] > at:
            return False
        pos = bisect.bisect_right(self.status[i], (at, True))
        return self.status[i][pos - 1][1] if pos else True

    def quiet(self, i: int, start: dt.datetime, end: dt.datetime) -> bool:
        """No open case, no price change and no status change for the listing in [start, end]."""
        if any(o <= end and (c is None or c >= start) for o, c in self.cases[i]):
            return False
        if any(start <= at <= end for at, _ in self.hist[i]) or any(start <= at <= end for at, _ in self.status[i]):
            return False
        return self.created[i] is not None and self.created[i] < start and self.is_active(i, start)

    def reference(self, i: int, before_month: int) -> int | None:
        """The monitored price of the latest check before `before_month` with one for the listing."""
        months = [k for k in self.results[i] if k < before_month]
        return self.results[i][max(months)] if months else None

    def params(self, i: int) -> MethodParams:
        """The method parameters of the listing's category."""
        return self.params_of(self.cat.products[self.cat.listings[i].product].category)

    def band(self, i: int, cents: int, monitored: int) -> tuple[str, int | None]:
        """(band, deviation e4) of a price against a monitored price (-1: none)."""
        if monitored <= 0:
            return "insufficient", None
        dev = deviation_e4(int(cents), int(monitored))
        return self.params(i).band_of(dev), dev

    def actor(self, i: int) -> str:
        """Who acts for the listing's supplier."""
        s = self.cat.suppliers[self.cat.listings[i].supplier]
        return s.user or s.code

    def markup(self) -> float:
        """How far a normal price stands from the market: mostly a little below (committed discounts)."""
        return float(np.clip(self.rng.normal(-0.08, 0.035), -0.16, 0.06))

    def cut_price(self, i: int, monitored: int, low: float = 0.90, high: float = 1.05) -> int:
        """A lowered price, normal against `monitored` and below the current one."""
        for _ in range(20):
            cents = shop_price(monitored * float(self.rng.uniform(low, high)))
            if self.band(i, cents, monitored)[0] == "normal":
                return cents
        return int(monitored)

    def priced(self, i: int, monitored: int, band: str) -> int:
        """A price whose band against `monitored` is `band` (evidence, delist or normal)."""
        lo, hi = {"evidence": (0.24, 0.44), "delist": (0.58, 0.95), "normal": (0.0, 0.0)}[band]
        for _ in range(50):
            rate = self.markup() if band == "normal" else float(self.rng.uniform(lo, hi))
            cents = shop_price(monitored * (1.0 + rate))
            if self.band(i, cents, monitored)[0] == band:
                return cents
        raise RuntimeError(f"cannot price listing {i} in the {band} band")

    def pick(self, texts: tuple[str, ...]) -> str:
        """One of the texts."""
        return texts[int(self.rng.integers(len(texts)))]
