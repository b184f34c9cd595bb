"""The mall's orders: each month's order lines at the prices in force, grouped into orders."""
from __future__ import annotations

import datetime as dt

import numpy as np

from pricewatch.demo import market, story
from pricewatch.demo.catalog import SPECS
from pricewatch.demo.tables import CITIES
from pricewatch.demo.timeline import first_day as _first, last_day as _last

#: Relative order volume per category.
ORDER_WEIGHT = {"paper": 2.5, "toner": 2.0, "furniture": 1.0, "shredder": 0.6, "printer": 0.8, "monitor": 0.8,
                "desktop": 0.8, "laptop": 0.8, "projector": 0.4, "copier": 0.3}


class Orders:
    """Order steps for a `Timeline` (a mixin of the simulation in `pricewatch.demo.plan`)."""

    def orders(self, m: int) -> None:
        """The month's order lines, at the prices in force, grouped into orders per buyer and day."""
        first, last = _first(m), _last(m)
        ndays = (last - first).days + 1
        rng = np.random.default_rng([self.seed, 40 + m])
        weights = np.array([ORDER_WEIGHT[self.cat.products[lst.product].category] for lst in self.cat.listings])
        sup_w = np.array([0.6 + 0.8 * min(1.0, 3 * self.cat.suppliers[lst.supplier].weight)
                          for lst in self.cat.listings])
        lam = weights * sup_w
        lam *= 0.9 * len(lam) / lam.sum()
        lines = []
        for i, n in enumerate(rng.poisson(lam).tolist()):
            lst = self.cat.listings[i]
            if lst.is_story and m == story.FLAG_MONTH + 1:
                continue
            spec = SPECS[self.cat.products[lst.product].category]
            for _ in range(n):
                day = first + dt.timedelta(days=int(rng.integers(ndays)))
                if not (self.is_active(i, dt.datetime.combine(day, dt.time(8)))
                        and self.is_active(i, dt.datetime.combine(day, dt.time(18)))):
                    continue
                price = self.price_on(i, day)
                if rng.random() < 0.08:
                    price = int(round(price * (1 - rng.uniform(0.01, 0.04))))
                lines.append((day, i, self.buyer(rng), market.quantity(rng, *spec.quantity), price))
        if m == story.FLAG_MONTH + 1:
            for k, i in enumerate(self.story):
                for day, qty in story.ORDERS[k]:
                    d = dt.date(2026, 10, day)
                    lines.append((d, i, self.buyer(rng), qty, self.price_on(i, d)))
        self.step(dt.datetime.combine(last, dt.time(21)), "import_orders", rows=self.order_rows(lines))

    def buyer(self, rng: np.random.Generator) -> str:
        """A purchasing unit (most orders come from a few large ones)."""
        k = int(rng.zipf(1.4)) % 160 + 1
        city = CITIES[(k * 7) % len(CITIES)][1]
        return f"B{city}{k:03d}"

    def order_rows(self, lines: list) -> list[dict]:
        """Lines grouped into orders: one order per buyer, supplier and day."""
        lines.sort(key=lambda r: (r[0], r[2], self.cat.listings[r[1]].supplier, r[1]))
        rows, numbers = [], {}
        for day, i, buyer, qty, price in lines:
            key = (day, buyer, self.cat.listings[i].supplier)
            if key not in numbers:
                numbers[key] = [f"DD{day:%Y%m%d}{len(numbers) + 1:05d}", 0]
            numbers[key][1] += 1
            rows.append({"order_id": numbers[key][0], "line_no": numbers[key][1],
                         "listing_id": self.cat.listings[i].code, "buyer_id": buyer, "ordered_on": day.isoformat(),
                         "quantity": qty, "unit_price": f"{price // 100}.{price % 100:02d}"})
        return rows
