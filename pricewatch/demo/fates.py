"""What becomes of each flagged listing: the case steps suppliers and the monitor take, and when.

Each listing the simulated check flags gets a fate (lower the price, submit evidence that is
accepted or rejected, let the deadline lapse, be relisted...), drawn from the tables below, with
the fates each period must show at least once. `CaseFates` turns a fate into timed steps that the
case services will accept, and records the state the case ends in by "today".
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from pricewatch.demo import story
from pricewatch.demo.tables import ACCEPT_NOTES, EVIDENCE_STATEMENTS, REJECT_REASONS, RELIST_NOTES
from pricewatch.demo.timeline import LAST, PERIODS, TODAY, first_day as _first, last_day as _last

#: What becomes of a flagged listing, by band; the last period leaves cases open at "today".
EVIDENCE_FATES = {"lower": 0.42, "accept": 0.12, "reject_lower": 0.14, "reject_lapse": 0.06, "lapse": 0.26}
LAST_EVIDENCE_FATES = {"lower": 0.30, "accept": 0.10, "submitted": 0.20, "rejected": 0.12, "reject_lower": 0.06,
                       "lapse": 0.22}
DELIST_FATES = {"relist": 0.55, "stay": 0.45}
LAST_DELIST_FATES = {"relist": 0.3, "relist_requested": 0.3, "stay": 0.4}
AFTER_LAPSE = {"relist": 0.5, "stay": 0.5}
LAST_AFTER_LAPSE = {"relist": 0.2, "relist_requested": 0.3, "stay": 0.5}
#: Fates each period must show at least once: (band, fate).
REQUIRED = {
    0: (("evidence", "accept"), ("evidence", "reject_lower"), ("evidence", "lapse:relist"),
        ("evidence", "reject_lapse:stay"), ("delist", "relist"), ("delist", "stay")),
    LAST: (("evidence", "submitted"), ("evidence", "rejected"), ("evidence", "lapse:stay"),
           ("evidence", "lapse:relist_requested"), ("evidence", "lower"), ("evidence", "accept"),
           ("delist", "relist_requested"), ("delist", "stay")),
}


class CaseFates:
    """Case steps for a `Timeline` (a mixin of the simulation in `pricewatch.demo.plan`)."""

    def raises_between_checks(self, m: int) -> None:
        """A few suppliers raise a price mid-month, are caught at once, and take it back."""
        if m == LAST:
            return
        start = dt.datetime.combine(_first(m), dt.time(0))
        end = dt.datetime.combine(_last(m), dt.time(23))
        count = max(1, int(round(len(self.cat.listings) / 1500)))
        pool = [i for i in self.rng.permutation(len(self.cat.listings)).tolist()
                if not self.cat.listings[i].is_story and self.reference(i, m) is not None and self.quiet(i, start, end)]
        for i in pool[:count]:
            ref = self.reference(i, m)
            old = self.price_on(i, _last(m))
            if self.band(i, old, ref)[0] != "normal":
                continue
            raised = self.priced(i, ref, "evidence")
            up = self.work(_first(m) + dt.timedelta(days=int(self.rng.integers(2, 9))))
            down = self.work(up.date() + dt.timedelta(days=int(self.rng.integers(3, 9))))
            self.set_price(i, up, raised)
            self.set_price(i, down, old)
            self.cases[i].append([up, down])
            self.states["price_lowered"] += 1
            self.step(up, "price", i, price=raised, actor=self.actor(i), expect="case_opened")
            self.step(down, "price", i, price=old, actor=self.actor(i), expect="case_closed")

    def november_raises(self) -> None:
        """After the last check a few suppliers raise prices: open evidence cases and one delisting.

        The story's supplier is one of them, so its demo user `shredder` has a case to answer.
        """
        start = dt.datetime(2026, 11, 1, 3)
        end = dt.datetime.combine(TODAY, dt.time(23))
        count = max(2, int(round(len(self.cat.listings) / 1000)))
        users = {s.user for s in self.cat.suppliers if s.user}
        order = self.rng.permutation(len(self.cat.listings)).tolist()
        # the story's supplier first (on another of its shredders), then the other demo users
        order.sort(key=lambda i: (self.actor(i) not in users, self.actor(i) != story.USER,
                                  self.actor(i) == story.USER
                                  and self.cat.products[self.cat.listings[i].product].category != "shredder",
                                  self.actor(i)))
        picked = []
        seen_users = set()
        for i in order:
            if len(picked) > count:
                break
            ref = self.reference(i, LAST + 1)
            if (self.cat.listings[i].is_story or LAST not in self.results[i] or not self.quiet(i, start, end)
                    or self.band(i, self.price_on(i, TODAY), ref)[0] != "normal"):
                continue
            if self.actor(i) in seen_users and len(seen_users) < len(users):
                continue
            seen_users.add(self.actor(i))
            picked.append(i)
        for n, i in enumerate(picked):
            ref = self.reference(i, LAST + 1)
            band = "delist" if n == len(picked) - 1 else "evidence"
            at = self.work(dt.date(2026, 11, 10) + dt.timedelta(days=int(self.rng.integers(0, 12))))
            cents = self.priced(i, ref, band)
            self.set_price(i, at, cents)
            self.cases[i].append([at, None])
            if band == "delist":
                self.set_status(i, at, False)
            self.states["delisted" if band == "delist" else "evidence_requested"] += 1
            self.step(at, "price", i, price=cents, actor=self.actor(i),
                      expect="delisted" if band == "delist" else "case_opened")

    def assign_fates(self, m: int, flagged: list[tuple[int, str]]) -> None:
        """Give each listing flagged by the check of month m its fate, and plan its steps."""
        run_at = dt.datetime.combine(_first(m + 1), dt.time(2))
        fates: dict[int, str] = {}
        for i in self.story:
            if any(j == i for j, _ in flagged):
                assert m == story.FLAG_MONTH, f"the story's shredder is flagged in {PERIODS[m]}"
                fates[i] = "story"
        free = [(i, b) for i, b in self.rng.permutation(np.array(flagged, dtype=object)).tolist() if i not in fates]
        for band, fate in REQUIRED.get(m, ()):
            for i, b in free:
                if b == band and i not in fates and not (fate == "accept" and self.was_accepted[i]):
                    fates[i] = fate
                    break
        last = m == LAST
        for i, b in free:
            if i in fates:
                continue
            if b == "delist":
                table = LAST_DELIST_FATES if last else DELIST_FATES
            else:
                table = dict(LAST_EVIDENCE_FATES if last else EVIDENCE_FATES)
                if self.was_accepted[i]:
                    table.pop("accept")
            names = list(table)
            probs = np.array([table[n] for n in names])
            fate = names[int(self.rng.choice(len(names), p=probs / probs.sum()))]
            if fate in ("lapse", "reject_lapse"):
                after = LAST_AFTER_LAPSE if last else AFTER_LAPSE
                subs = list(after)
                sp = np.array([after[n] for n in subs])
                fate += ":" + subs[int(self.rng.choice(len(subs), p=sp / sp.sum()))]
            fates[i] = fate
        for i, b in flagged:
            self.play(i, b, fates[i], m, run_at)

    def play(self, i: int, band: str, fate: str, m: int, run_at: dt.datetime) -> None:
        """Plan the steps of one case opened by the check of month m at `run_at`."""
        p = self.cat.listings[i].product
        mon = int(self.mon[p, m])
        case = [run_at, None]
        self.cases[i].append(case)
        D = run_at.date()
        self.was_accepted[i] = False
        if fate == "story":
            at, cents = story.CUTS[self.story.index(i)]
            self.lower(i, at, cents, case, "case_closed")
            self.states["price_lowered"] += 1
            return
        if band == "delist":
            self.set_status(i, run_at, False)
            self.relist_flow(i, fate, mon, case, D + dt.timedelta(days=int(self.rng.integers(2, 12))))
            return
        deadline = D + dt.timedelta(days=self.params(i).evidence_days)
        main, _, after = fate.partition(":")
        if main == "lower":
            self.lower(i, self.work(D + dt.timedelta(days=int(self.rng.integers(1, 13)))),
                       self.cut_price(i, mon), case, "case_closed")
            self.states["price_lowered"] += 1
        elif main in ("accept", "reject_lower", "reject_lapse", "submitted", "rejected"):
            submit = self.work(D + dt.timedelta(days=int(self.rng.integers(6, 15) if main == "submitted"
                                                         else self.rng.integers(2, 9))))
            self.submit(i, submit)
            if main == "submitted":
                self.states["evidence_submitted"] += 1
                return
            if main == "rejected":
                decide = self.work(TODAY - dt.timedelta(days=int(self.rng.integers(1, 5))))
            else:
                decide = self.work(submit.date() + dt.timedelta(days=int(self.rng.integers(1, 4))))
            if main == "accept":
                self.step(decide, "accept", i, note=self.pick(ACCEPT_NOTES))
                case[1] = decide
                self.was_accepted[i] = True
                self.states["accepted"] += 1
                return
            self.step(decide, "reject", i, reason=self.pick(REJECT_REASONS))
            if main == "rejected":
                self.states["rejected"] += 1
                return
            if main == "reject_lower":
                self.lower(i, self.work(decide.date() + dt.timedelta(days=int(self.rng.integers(1, 5)))),
                           self.cut_price(i, mon), case, "case_closed")
                self.states["price_lowered"] += 1
                return
            lapse_day = decide.date() + dt.timedelta(days=self.params(i).rejection_days + 1)
            self.set_status(i, dt.datetime.combine(lapse_day, dt.time(0, 30)), False)
            self.relist_flow(i, after, mon, case, lapse_day + dt.timedelta(days=int(self.rng.integers(1, 5))))
        elif main == "lapse":
            lapse_day = deadline + dt.timedelta(days=1)
            self.set_status(i, dt.datetime.combine(lapse_day, dt.time(0, 30)), False)
            cut_day = lapse_day + dt.timedelta(days=int(self.rng.integers(1, 5)))
            self.relist_flow(i, after, mon, case, cut_day)
        else:
            raise ValueError(f"unknown fate {fate!r}")

    def submit(self, i: int, at: dt.datetime) -> None:
        """The supplier submits evidence, claiming its current price is fair."""
        self.step(at, "submit", i, statement=self.pick(EVIDENCE_STATEMENTS), claimed=self.price_at(i, at),
                  actor=self.actor(i), with_file=bool(self.rng.random() < 0.7))

    def lower(self, i: int, at: dt.datetime, cents: int, case: list, expect: str) -> None:
        """The supplier lowers the price (closing the case when it is on sale)."""
        self.set_price(i, at, cents)
        if expect == "case_closed":
            case[1] = at
        self.step(at, "price", i, price=cents, actor=self.actor(i), expect=expect)

    def relist_flow(self, i: int, fate: str, mon: int, case: list, cut_day: dt.date) -> None:
        """A delisted listing: stays off sale, or is cut and relisted (or waits for approval)."""
        last_day = TODAY - dt.timedelta(days=1)
        if fate == "stay":
            self.states["delisted"] += 1
            return
        cut_day = min(cut_day, last_day - dt.timedelta(days=2 if fate == "relist" else 0))
        cut = self.work(cut_day)
        self.lower(i, cut, self.cut_price(i, mon), case, "recorded")
        request = cut + dt.timedelta(hours=2)
        self.step(request, "request_relist", i, note=self.pick(RELIST_NOTES), actor=self.actor(i))
        if fate == "relist_requested":
            self.states["relist_requested"] += 1
            return
        approve = self.work(min(request.date() + dt.timedelta(days=int(self.rng.integers(1, 4))), last_day))
        self.step(approve, "approve_relist", i, note="价格已处于正常区间，同意重新上架。")
        self.set_status(i, approve, True)
        case[1] = approve
        self.states["relisted"] += 1
