"""The demo mall's catalogue: suppliers, products and listings, made deterministically from a seed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pricewatch.demo import story
from pricewatch.demo.tables import BUSINESSES, CATEGORIES, CITIES, TRADE_NAMES, CategorySpec

_CATEGORY_PREFIX = {"shredder": "SHR", "printer": "PRT", "copier": "CPY", "paper": "PAP", "toner": "TON",
                    "desktop": "DSK", "laptop": "LAP", "monitor": "MON", "projector": "PRJ", "furniture": "FUR"}
#: Committed discounts offered by suppliers, and how often.
_DISCOUNTS = (("0", 0.30), ("0.01", 0.25), ("0.02", 0.22), ("0.03", 0.18), ("0.05", 0.05))


@dataclass
class DemoSupplier:
    """A supplier of the demo."""

    code: str
    name: str
    categories: tuple[str, ...]
    weight: float
    user: str | None = None  #: the demo user bound to it, if any


@dataclass
class DemoProduct:
    """A catalogue product and its market price level in May, in cents (a float)."""

    code: str
    category: str
    brand: str
    model: str
    name: str
    base: float
    is_thin: bool = False  #: quoted by one source only (always `insufficient`)


@dataclass
class DemoListing:
    """A listing: which product, which supplier, since when, its committed discount."""

    code: str
    product: int
    supplier: int
    discount: str
    month: int  #: 0: listed before May; 1..5: added during that month of the demo
    is_story: bool = False


@dataclass
class Catalog:
    """Everything static about the demo mall."""

    suppliers: list[DemoSupplier] = field(default_factory=list)
    products: list[DemoProduct] = field(default_factory=list)
    listings: list[DemoListing] = field(default_factory=list)

    def spec(self, product: int) -> CategorySpec:
        """The category spec of a product."""
        return SPECS[self.products[product].category]


SPECS: dict[str, CategorySpec] = {c.code: c for c in CATEGORIES}


def shop_price(cents: float) -> int:
    """A price as shops write it: whole yuan above 100 (ending 9 or 0 above 1000), else .x0 cents."""
    if cents >= 100_000:
        yuan = int(round(cents / 1000.0)) * 10
        return (yuan - 1) * 100 if yuan % 20 == 0 else yuan * 100
    if cents >= 10_000:
        return int(round(cents / 100.0)) * 100
    return max(10, int(round(cents / 10.0)) * 10)


def _model(rng: np.random.Generator, pattern: str) -> str:
    """A model number from a pattern (`#`: a random digit, never a leading zero)."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.integers(1 if not out or not out[-1].isdigit() else 0, 10)))
        else:
            out.append(ch)
    return "".join(out)


def _suppliers(rng: np.random.Generator, count: int) -> list[DemoSupplier]:
    """`count` suppliers with Chinese company names; the story's supplier first."""
    out = [DemoSupplier(story.SUPPLIER_CODE, story.SUPPLIER_NAME, story.SUPPLIER_CATEGORIES, 1.0, "shredder")]
    names = {story.SUPPLIER_NAME}
    trades = [t for t in TRADE_NAMES if t not in story.RESERVED_TRADE_NAMES]
    seq = 1
    while len(out) < count:
        city, city_code = CITIES[int(rng.choice(len(CITIES), p=_city_weights()))]
        trade = trades[int(rng.integers(len(trades)))]
        business, categories = BUSINESSES[int(rng.integers(len(BUSINESSES)))]
        name = f"{city}{trade}{business}有限公司"
        if name in names:
            continue
        names.add(name)
        seq += 1
        out.append(DemoSupplier(f"S{city_code[:4]}{seq:04d}", name, categories, 1.0 / (len(out) ** 0.7)))
    return out


def _city_weights() -> np.ndarray:
    """The provincial capital and Ningbo host more suppliers."""
    w = np.array([6, 3, 2, 1.5, 1, 1.5, 1.5, 0.7, 0.5, 1.2, 0.6])
    return w / w.sum()


def _product(rng: np.random.Generator, spec: CategorySpec, n: int, seen: set) -> DemoProduct:
    """One new product of the category, with a unique brand + model."""
    line = spec.lines[int(rng.integers(len(spec.lines)))]
    brands = list(line.brands)
    while True:
        brand = brands[int(rng.integers(len(brands)))]
        patterns = line.brands[brand]
        model = _model(rng, patterns[int(rng.integers(len(patterns)))])
        if (brand, model) not in seen:
            seen.add((brand, model))
            break
    detail = line.specs[int(rng.integers(len(line.specs)))]
    low, high = line.price
    base = float(np.exp(rng.uniform(np.log(low), np.log(high)))) * 100.0
    return DemoProduct(f"{_CATEGORY_PREFIX[spec.code]}{n:06d}", spec.code, brand, model,
                       f"{brand} {model} {line.kind} {detail}", base)


def build_catalog(rng: np.random.Generator, listings: int) -> Catalog:
    """Suppliers, products and `listings` listings (products shared by several suppliers)."""
    if listings < story.MIN_LISTINGS:
        raise ValueError(f"the demo needs at least {story.MIN_LISTINGS} listings")
    n_suppliers = int(min(80, max(12, round(listings / 62))))
    cat = Catalog(suppliers=_suppliers(rng, n_suppliers))
    story.add_story_catalog(cat)
    for c in CATEGORIES:  # every category needs a seller, however few suppliers there are
        if not any(c.code in s.categories for s in cat.suppliers):
            s = min(cat.suppliers[1:], key=lambda s: len(s.categories))
            s.categories = s.categories + (c.code,)
    sellers = {c.code: np.array([i for i, s in enumerate(cat.suppliers) if c.code in s.categories], dtype=np.int64)
               for c in CATEGORIES}
    weights = np.array([s.weight for s in cat.suppliers])
    shares = np.array([c.share for c in CATEGORIES])
    seen = {(p.brand, p.model) for p in cat.products}
    counter = len(cat.products)
    while len(cat.listings) < listings:
        spec = CATEGORIES[int(rng.choice(len(CATEGORIES), p=shares / shares.sum()))]
        counter += 1
        product = _product(rng, spec, 1000 + counter * 7, seen)
        pool = sellers[spec.code]
        k = int(min(len(pool), 1 + rng.poisson(2.2), 8, listings - len(cat.listings)))
        w = weights[pool] / weights[pool].sum()
        chosen = rng.choice(pool, size=k, replace=False, p=w)
        cat.products.append(product)
        for s in chosen.tolist():
            cat.listings.append(DemoListing("", len(cat.products) - 1, int(s), _discount(rng), 0))
    _schedule_and_number(rng, cat, listings)
    _mark_thin(rng, cat)
    return cat


def _discount(rng: np.random.Generator) -> str:
    """A committed discount as text."""
    values, probs = zip(*_DISCOUNTS)
    return values[int(rng.choice(len(values), p=np.array(probs)))]


def _schedule_and_number(rng: np.random.Generator, cat: Catalog, total: int) -> None:
    """Mark ~12 % of the listings as added during June..October, then give every listing its code."""
    n_new = int(round(total * 0.12))
    candidates = [i for i, lst in enumerate(cat.listings) if not lst.is_story]
    picked = rng.choice(len(candidates), size=min(n_new, len(candidates)), replace=False)
    for j, idx in enumerate(sorted(picked.tolist())):
        cat.listings[candidates[idx]].month = 1 + (j * 5) // max(1, len(picked))
    order = sorted(range(len(cat.listings)), key=lambda i: (cat.listings[i].month, i))
    code = 10_280_000
    for i in order:
        code += int(rng.integers(1, 40))
        cat.listings[i].code = f"ZJ{code:08d}"


def _mark_thin(rng: np.random.Generator, cat: Catalog) -> None:
    """About 2 % of the products (at least one) are quoted by one source only."""
    ordinary = [p for p in range(len(cat.products)) if cat.products[p].code != story.PRODUCT_CODE]
    n = max(1, int(round(0.02 * len(cat.products))))
    for p in rng.choice(ordinary, size=min(n, len(ordinary)), replace=False).tolist():
        cat.products[p].is_thin = True
