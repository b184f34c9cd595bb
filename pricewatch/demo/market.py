"""The demo's open market: price levels per product and month, the quotes of each source, orders.

Quotes are drawn as factors around the product's market level (each source with its own bias and
noise, a few wild outliers), so a sharp drop of a product's level only rescales its quotes. The
monitored prices are computed from exactly those quotes with `pricewatch.domain.method`, so the demo
knows in advance every band the real check will find.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np

from pricewatch.demo import story
from pricewatch.demo.catalog import SPECS, Catalog
from pricewatch.demo.tables import ORIGINS, URLS
from pricewatch.domain import method
from pricewatch.domain.params import SOURCES, MethodParams

#: Bias of each source against the market level, and the spread of its quotes.
BIAS = np.array([1.0, 0.975, 0.97, 1.05])
SPREAD = np.array([0.01, 0.025, 0.02, 0.03])
#: How many quotes a source gives when it quotes a product: (low, high) inclusive.
COUNTS = ((1, 2), (1, 4), (2, 6), (1, 3))
#: Chance that one quote of a source with 3 or more quotes is wild (a typo, a second-hand offer).
OUTLIER_RATE = 0.03


def month_days(year: int, month: int) -> int:
    """Days in the month."""
    return calendar.monthrange(year, month)[1]


def market_levels(rng: np.random.Generator, cat: Catalog, months: int) -> np.ndarray:
    """(P, months) market price levels in cents: category drift times a small random walk."""
    n = len(cat.products)
    base = np.array([p.base for p in cat.products])
    drift = np.array([SPECS[p.category].drift for p in cat.products])
    steps = rng.normal(0.0, 0.006, size=(n, months))
    steps[:, 0] = 0.0
    walk = np.exp(np.cumsum(steps, axis=1))
    levels = base[:, None] * (1.0 + drift[:, None]) ** np.arange(months)[None, :] * walk
    for p, prod in enumerate(cat.products):
        if prod.code == story.PRODUCT_CODE:
            levels[p] = np.array(story.LEVELS[:months], dtype=float) * 100.0
    return levels


@dataclass
class MonthQuotes:
    """One month of quotes as parallel arrays; `price` (cents) is set from the levels."""

    year: int
    month: int
    product: np.ndarray
    source: np.ndarray
    factor: np.ndarray
    day: np.ndarray
    origin: list[str]
    url: list[str]
    price: np.ndarray | None = None


def draw_quotes(rng: np.random.Generator, cat: Catalog, year: int, month: int, index: int) -> MonthQuotes:
    """Which sources quote which product this month, how many times, with which factors."""
    n_products = len(cat.products)
    avail = np.array([SPECS[p.category].availability for p in cat.products])
    present = rng.random((n_products, 4)) < avail
    thin = np.array([p.is_thin for p in cat.products])
    only = np.where(avail[:, 2] >= avail[:, 1], 2, 1)
    present[thin] = False
    present[thin, only[thin]] = True
    present[[p.code == story.PRODUCT_CODE for p in cat.products]] = False
    low = np.array([c[0] for c in COUNTS])
    high = np.array([c[1] for c in COUNTS])
    counts = rng.integers(low, high + 1, size=(n_products, 4)) * present
    flat = counts.ravel()
    product = np.repeat(np.repeat(np.arange(n_products), 4), flat)
    source = np.repeat(np.tile(np.arange(4), n_products), flat).astype(np.int8)
    n = len(product)
    factor = BIAS[source] * (1.0 + rng.normal(0.0, 1.0, n) * SPREAD[source])
    wild = (np.repeat(flat, flat) >= 3) & (rng.random(n) < OUTLIER_RATE)
    swing = np.where(rng.random(n) < 0.5, rng.uniform(0.45, 0.65, n), rng.uniform(1.5, 2.1, n))
    factor = np.where(wild, factor * swing, factor)
    day = rng.integers(1, month_days(year, month) + 1, n)
    pick = rng.random(n)
    numbers = rng.integers(10**11, 10**12, n)
    origins, urls = [], []
    for s, u, num in zip(source.tolist(), pick.tolist(), numbers.tolist()):
        names = ORIGINS[SOURCES[s]]
        origin = names[int(u * len(names))]
        origins.append(origin)
        urls.append(URLS[origin].format(n=num) if origin in URLS else "")
    return MonthQuotes(year, month, product.astype(np.int64), source, factor, day.astype(np.int64), origins, urls)


def _round_quote(cents: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Quotes as sources write them: whole yuan; shops round to 10 yuan above 1,000."""
    yuan = np.maximum(1, np.rint(cents / 100.0))
    tens = np.maximum(1, np.rint(cents / 1000.0)) * 10
    return np.where((source == 3) & (cents >= 100_000), tens, yuan).astype(np.int64) * 100


def price_quotes(q: MonthQuotes, levels: np.ndarray, cat: Catalog, index: int) -> MonthQuotes:
    """The drawn quotes priced at the month's levels, with the story's quotes, without exact duplicates."""
    price = _round_quote(levels[q.product, index] * q.factor, q.source)
    products, sources, prices = q.product.tolist(), q.source.tolist(), price.tolist()
    days, origins, urls = q.day.tolist(), list(q.origin), list(q.url)
    story_p = next(i for i, p in enumerate(cat.products) if p.code == story.PRODUCT_CODE)
    for source, cents, day, origin in story.quotes(index):
        products.append(story_p)
        sources.append(SOURCES.index(source))
        prices.append(cents)
        days.append(day)
        origins.append(origin)
        urls.append(URLS[origin].format(n=100_000_000_000 + story_p * 100 + day) if origin in URLS else "")
    seen, keep = set(), []
    for i, key in enumerate(zip(products, sources, prices, days, origins)):
        if key not in seen:
            seen.add(key)
            keep.append(i)
    return MonthQuotes(q.year, q.month, np.array([products[i] for i in keep], dtype=np.int64),
                       np.array([sources[i] for i in keep], dtype=np.int8), np.zeros(len(keep)),
                       np.array([days[i] for i in keep], dtype=np.int64), [origins[i] for i in keep],
                       [urls[i] for i in keep], np.array([prices[i] for i in keep], dtype=np.int64))


def monitored_prices(q: MonthQuotes, cat: Catalog, params_of) -> np.ndarray:
    """(P,) monitored price in cents per product (-1: insufficient), exactly as the check computes it."""
    categories = sorted({p.category for p in cat.products})
    params: list[MethodParams] = [params_of(c) for c in categories]
    index = {c: i for i, c in enumerate(categories)}
    product_params = np.array([index[p.category] for p in cat.products], dtype=np.int64)
    quotes = method.Quotes(product=q.product, source=q.source, price_e4=q.price * 100)
    ind = method.compute_indicators(quotes, len(cat.products), params, product_params)
    return np.asarray(ind.monitored_cents, dtype=np.int64)


def quote_rows(q: MonthQuotes, cat: Catalog, known: set[int]) -> list[dict]:
    """The month's quotes of the `known` products (those on the mall) as rows of an observations file."""
    rows = []
    for p, s, cents, day, origin, url in zip(q.product.tolist(), q.source.tolist(), q.price.tolist(),
                                             q.day.tolist(), q.origin, q.url):
        if p not in known:
            continue
        rows.append({"product_id": cat.products[p].code, "source": SOURCES[s],
                     "price": f"{cents // 100}.{cents % 100:02d}",
                     "observed_on": dt.date(q.year, q.month, day).isoformat(), "origin": origin, "url": url})
    return rows


def quantity(rng: np.random.Generator, typical: int, large: int) -> int:
    """An order line's quantity: mostly near `typical`, now and then a bulk purchase."""
    if rng.random() < 0.06:
        return int(rng.integers(large, large * 3 + 1))
    return int(max(1, min(large * 2, round(rng.lognormal(np.log(typical), 0.6)))))
