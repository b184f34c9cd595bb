"""The demo's six months, simulated ahead: every price, quote, check result, case step and order.

`make_plan(listings, seed, params_of)` returns a `Plan`: a list of timed `Step`s (imports, checks,
the daily deadline sweep, suppliers' and monitors' actions) that `pricewatch.services.demo` plays
through the real services, plus what the real check must find (`expected_bands`) and the state every
case must end in (`expected_states`). The simulation computes monitored prices from the very quotes
it writes, with `pricewatch.domain.method`, so it knows each band exactly and can give every
flagged listing a fate that the real services will accept.

How the months go: before May a share of the listings is priced high (about 6 %). Each check flags
them; most suppliers lower the price, some submit evidence (accepted or rejected), some let the
deadline lapse and are delisted, some delisted listings are relisted after a cut. In later months
new high prices come from products whose market price drops sharply (a model replaced; not every
supplier follows) and from new listings priced high, fewer each month, so the high-price share
falls to about 1 % in October. See `pricewatch.demo.story` for the shredder of the story.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pricewatch.demo import market, story
from pricewatch.demo.catalog import SPECS, Catalog, build_catalog, shop_price
from pricewatch.demo.fates import CaseFates
from pricewatch.demo.orders import Orders
from pricewatch.demo.timeline import (  # noqa: F401 - re-exported for the service and tests
    IMPORTER, LAST, MONITOR, PERIODS, TODAY, Step, Timeline, first_day as _first, last_day as _last,
)
from pricewatch.domain.params import BANDS, MethodParams

#: The share of high prices the demo aims at per period.
HIGH_SHARES = (0.062, 0.048, 0.036, 0.026, 0.017, 0.011)
#: At least this many high prices per period (small demos still show every band and state).
MIN_HIGH = (12, 10, 9, 8, 8, 7)
#: Chance that a listing follows a sharp drop of its product's market price, per period.
FOLLOW = (0.0, 0.45, 0.55, 0.65, 0.75, 0.8)
#: Days of the month on which the mall's listing table is imported.
IMPORT_DAYS = (5, 15, 25)


@dataclass
class Plan:
    """The demo, ready to be played."""

    catalog: Catalog
    steps: list[Step]
    expected_bands: dict[str, dict[str, int]]
    expected_states: Counter
    users: dict[str, int]  #: supplier user name -> supplier index
    story_listings: list[int]


class _Sim(Timeline, CaseFates, Orders):
    """The simulation: the months, their quotes, prices and checks."""

    def run(self) -> None:
        """Simulate May..October, then November up to today."""
        self.initial_listings()
        for m in range(len(PERIODS)):
            self.month(m)
        self.november_raises()
        day = _first(1)
        while day <= TODAY:
            self.step(dt.datetime.combine(day, dt.time(0, 30)), "sweep", day=day)
            day += dt.timedelta(days=1)

    def market_price(self, p: int, m: int) -> int:
        """The product's monitored price in month m, or its market level when it has none."""
        mon = int(self.mon[p, m])
        return mon if mon > 0 else int(self.levels[p, m])

    def initial_listings(self) -> None:
        """Every listing of month 0 is on the mall before May, at a normal-looking price."""
        at = dt.datetime(2026, 4, 28, 10, 0)
        start = dt.date(2025, 11, 1)
        for i, lst in enumerate(self.cat.listings):
            if lst.month:
                continue
            since = start + dt.timedelta(days=int(self.rng.integers(0, (at.date() - start).days)))
            self.created[i] = at
            if lst.is_story:
                cents = story.PRICES[self.story.index(i)]
            else:
                cents = shop_price(self.levels[lst.product, 0] * (1.0 + self.markup()))
            self.hist[i].append((dt.datetime.combine(since, dt.time(9)), cents))

    def compute_month(self, m: int) -> None:
        """Price the month's quotes from the current levels and compute the monitored prices."""
        q = market.price_quotes(self.drawn[m], self.levels, self.cat, m)
        self.quotes[m:] = [q]
        self.mon[:, m] = market.monitored_prices(q, self.cat, self.params_of)

    def checked(self, m: int) -> list[int]:
        """The listings the check of month m sees: created by month end, on sale when it runs."""
        run_at = dt.datetime.combine(_first(m + 1), dt.time(1, 59))
        last = _last(m)
        return [i for i in range(len(self.cat.listings))
                if self.created[i] is not None and self.created[i].date() <= last and self.is_active(i, run_at)
                and self.price_on(i, last) is not None]

    def bands(self, m: int) -> dict[int, tuple[str, int | None]]:
        """listing -> (band, deviation) at the check of month m."""
        last = _last(m)
        return {i: self.band(i, self.price_on(i, last), int(self.mon[self.cat.listings[i].product, m]))
                for i in self.checked(m)}

    def month(self, m: int) -> None:
        """Plan month m: quotes, new listings, price moves, then its check and the cases it opens."""
        year, month = 2026, 5 + m
        self.drawn.append(market.draw_quotes(np.random.default_rng([self.seed, 10 + m]), self.cat, year, month, m))
        self.compute_month(m)
        if m == 0:
            self.initial_highs()
        else:
            self.later_highs(m)
            self.raises_between_checks(m)
        bands = self.bands(m)
        counts = Counter(b for b, _ in bands.values())
        self.expected_bands[PERIODS[m]] = {b: counts.get(b, 0) for b in BANDS}
        for i, (b, _) in bands.items():
            mon = int(self.mon[self.cat.listings[i].product, m])
            if mon > 0:
                self.results[i][m] = mon
        last = _last(m)
        at = dt.datetime.combine(last, dt.time(20))
        known = {lst.product for i, lst in enumerate(self.cat.listings) if self.created[i] and self.created[i] <= at}
        self.step(at, "import_observations", period=PERIODS[m], rows=market.quote_rows(self.quotes[m], self.cat, known))
        self.orders(m)
        self.step(dt.datetime.combine(_first(m + 1), dt.time(2)), "check", period=PERIODS[m])
        flagged = [(i, b) for i, (b, _) in bands.items() if b in ("evidence", "delist")]
        self.assign_fates(m, flagged)

    def target(self, m: int) -> int:
        """How many high prices month m should show."""
        with_price = sum(1 for i in self.checked(m) if self.mon[self.cat.listings[i].product, m] > 0)
        return max(int(round(HIGH_SHARES[m] * with_price)), MIN_HIGH[m])

    def initial_highs(self) -> None:
        """Price a share of the May listings high (30 % of them in the delist band)."""
        want = self.target(0) - sum(1 for b, _ in self.bands(0).values() if b in ("evidence", "delist"))
        pool = [i for i in self.checked(0) if not self.cat.listings[i].is_story
                and self.mon[self.cat.listings[i].product, 0] > 0]
        for n, i in enumerate(self.rng.permutation(pool)[:max(0, want)].tolist()):
            band = "delist" if n % 10 < 3 else "evidence"
            at, _ = self.hist[i][0]
            self.hist[i][0] = (at, self.priced(i, int(self.mon[self.cat.listings[i].product, 0]), band))
        self.step(dt.datetime(2026, 4, 28, 10, 0), "import_listings", today=dt.date(2026, 4, 28),
                  rows=[self.listing_row(i, self.hist[i][0][1], self.hist[i][0][0].date())
                        for i in range(len(self.cat.listings)) if self.cat.listings[i].month == 0])

    def listing_row(self, i: int, cents: int, effective_on: dt.date) -> dict:
        """A row of the listings file."""
        lst = self.cat.listings[i]
        prod = self.cat.products[lst.product]
        sup = self.cat.suppliers[lst.supplier]
        return {"listing_id": lst.code, "product_id": prod.code, "supplier_id": sup.code, "supplier_name": sup.name,
                "category": prod.category, "brand": prod.brand, "model": prod.model, "name": prod.name,
                "mall_price": f"{cents // 100}.{cents % 100:02d}", "committed_discount": lst.discount,
                "price_effective_on": effective_on.isoformat()}

    def later_highs(self, m: int) -> None:
        """New listings, sharp market drops (some suppliers follow), routine re-pricing, new highs."""
        first, last = _first(m), _last(m)
        days = [dt.datetime.combine(first.replace(day=d), dt.time(10)) for d in IMPORT_DAYS]
        changes: dict[dt.datetime, list[tuple[int, int, dt.datetime]]] = {d: [] for d in days}
        new = [i for i, lst in enumerate(self.cat.listings) if lst.month == m]
        for i in new:
            self.created[i] = days[int(self.rng.integers(len(days)))]
        for i in new:  # provisional normal prices so that the carried-over count is right
            p = self.cat.listings[i].product
            self.hist[i] = [(self.created[i], shop_price(self.market_price(p, m) * (1 + self.markup())))]
        carried = sum(1 for b, _ in self.bands(m).values() if b in ("evidence", "delist"))
        need = max(0, self.target(m) - carried)
        new_high = min(int(round(0.4 * need)), len(new) // 2)
        dropped = self.drops(m, need - new_high)
        self.compute_month(m)
        for i in new:
            p = self.cat.listings[i].product
            self.hist[i] = [(self.created[i], self.priced(i, self.market_price(p, m), "normal")
                             if self.mon[p, m] > 0 else shop_price(self.levels[p, m] * 0.97))]
        self.follow_drops(m, dropped, changes)
        self.reprice(m, dropped, changes, days)
        bands = self.bands(m)
        high = sum(1 for b, _ in bands.values() if b in ("evidence", "delist"))
        target = self.target(m)
        for n, i in enumerate([i for i in self.rng.permutation(new).tolist()
                               if self.mon[self.cat.listings[i].product, m] > 0]):
            if high >= target:
                break
            band = "delist" if n % 5 < 2 else "evidence"
            self.hist[i] = [(self.created[i], self.priced(i, int(self.mon[self.cat.listings[i].product, m]), band))]
            high += 1
        for at in days:
            rows = [self.listing_row(i, self.hist[i][0][1], at.date()) for i in new if self.created[i] == at]
            if rows:
                self.step(at, "import_listings", today=at.date(), rows=rows)
            for i, cents, moment in changes[at]:  # suppliers re-price in the mall's back office
                self.step(moment, "price", i, price=cents, actor=self.actor(i), expect="nothing")

    def drops(self, m: int, need: int) -> dict[int, list[int]]:
        """Drop the market price of some products by 20-30 % until about `need` listings stay high."""
        start = dt.datetime.combine(_first(m), dt.time(0))
        end = dt.datetime.combine(_last(m), dt.time(23))
        dropped: dict[int, list[int]] = {}
        listings_of: dict[int, list[int]] = {}
        for i, lst in enumerate(self.cat.listings):
            listings_of.setdefault(lst.product, []).append(i)
        candidates = [p for p, prod in enumerate(self.cat.products)
                      if SPECS[prod.category].can_drop and not prod.is_thin and prod.code != story.PRODUCT_CODE
                      and self.mon[p, m] > 0]
        got = 0
        for p in self.rng.permutation(candidates).tolist():
            if got >= need:
                break
            members = [i for i in listings_of[p] if self.quiet(i, start, end)]
            if not members:
                continue
            r = float(self.rng.uniform(0.2, 0.3))
            self.levels[p, m:] *= 1.0 - r
            stay = []
            for i in members:
                if self.rng.random() >= FOLLOW[m]:
                    stay.append(i)
                    dev = self.price_on(i, _last(m)) / (self.levels[p, m]) - 1.0
                    got += dev > 0.22
            dropped[p] = [i for i in members if i not in stay]
        return dropped

    def follow_drops(self, m: int, dropped: dict[int, list[int]], changes) -> None:
        """The suppliers who follow a drop re-price on one of the import days."""
        days = sorted(changes)
        for p, followers in dropped.items():
            for i in followers:
                at = days[int(self.rng.integers(len(days)))]
                self.reprice_one(i, m, at, changes, low=-0.16, high=0.03)

    def reprice_one(self, i: int, m: int, at: dt.datetime, changes, low: float, high: float) -> bool:
        """Set a new normal price (against this month's and the reference's monitored price)."""
        p = self.cat.listings[i].product
        mon, ref = int(self.mon[p, m]), self.reference(i, m)
        if mon <= 0:
            return False
        for _ in range(20):
            cents = shop_price(mon * (1.0 + min(high, max(low, self.markup()))))
            ok = self.band(i, cents, mon)[0] == "normal" and (ref is None or self.band(i, cents, ref)[0] == "normal")
            if ok and cents != self.price_at(i, at):
                moment = at + dt.timedelta(minutes=int(self.rng.integers(30, 420)))
                self.set_price(i, moment, cents)
                changes[at].append((i, cents, moment))
                return True
        return False

    def reprice(self, m: int, dropped, changes, days) -> None:
        """About 3 % of the quiet listings re-price a little during the month."""
        start = dt.datetime.combine(_first(m), dt.time(0))
        end = dt.datetime.combine(_last(m), dt.time(23))
        touched = {i for f in dropped.values() for i in f} | {i for i, lst in enumerate(self.cat.listings)
                                                             if lst.product in dropped}
        pool = [i for i in range(len(self.cat.listings)) if i not in touched and not self.cat.listings[i].is_story]
        for i in self.rng.permutation(pool).tolist()[:int(0.03 * len(pool))]:
            if self.quiet(i, start, end) and self.band(i, self.price_on(i, _last(m)),
                                                       int(self.mon[self.cat.listings[i].product, m]))[0] == "normal":
                self.reprice_one(i, m, days[int(self.rng.integers(len(days)))], changes, low=-0.16, high=0.06)


def _bind_users(cat: Catalog) -> dict[str, int]:
    """Demo supplier users: `shredder` for the story's supplier, supplier1..5 for the largest others."""
    sizes = Counter(lst.supplier for lst in cat.listings)
    others = sorted((s for s in sizes if s != 0), key=lambda s: (-sizes[s], s))[:5]
    users = {story.USER: 0}
    for n, s in enumerate(others, start=1):
        cat.suppliers[s].user = f"supplier{n}"
        users[f"supplier{n}"] = s
    return users


def make_plan(listings: int, seed: int, params_of: Callable[[str], MethodParams]) -> Plan:
    """Simulate the demo for `listings` listings; deterministic for a given seed and parameters."""
    rng = np.random.default_rng([seed, 1])
    cat = build_catalog(rng, listings)
    users = _bind_users(cat)
    sim = _Sim(cat, seed, params_of)
    sim.run()
    sim.steps.sort()
    return Plan(cat, sim.steps, sim.expected_bands, sim.states, users, sim.story)
