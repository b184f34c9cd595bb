"""A synthetic month of mall listings, price quotes and order lines, for the benchmarks.

    python bench/generate.py --listings 520000 --out bench/data/520000 [--seed 1] [--period 2026-10]

Writes `listings.csv`, `observations.csv` and `orders.csv` in the INTERFACE.md formats. The shape
follows the real mall: ~30,000 suppliers per 520,000 listings, ~1.7 listings per product, ~18 quotes
per listing (so ~9.3 million quotes at 520,000 listings) dated inside the period, from all four
sources with lognormal noise, 2% wild quotes (x3..x10 or /5), ~6% of listings priced 20-50% above the
market and ~1% at 50% or more, a few products quoted by one source only (insufficient) or by none,
and a month of order lines (listings / 5). Everything is drawn with NumPy in whole arrays and written
in chunks, so 520,000 listings take well under a minute. Generation uses no pricewatch code: the
files are what an outside system would send.
"""
from __future__ import annotations

import argparse
import calendar
import json
import multiprocessing
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

SOURCES: tuple[str, ...] = ("index", "gov", "ecommerce", "retail")
#: Systematic level of each source against the market price (government deals a bit cheaper,
#: shops a bit dearer), and its share of the quotes a product gets.
SOURCE_LEVEL = np.array([1.00, 0.98, 0.97, 1.04])
SOURCE_SHARE = np.array([1.0, 2.0, 4.0, 2.0])
#: Chance that a product is quoted by each source (a product ends with at least two, except the
#: deliberately insufficient ones).
SOURCE_COVERAGE = np.array([0.55, 0.75, 0.97, 0.70])
ORIGINS: dict[str, tuple[str, ...]] = {
    "index": ("中关村在线价格指数", "太平洋电脑网行情指数", "国家信息中心价格监测"),
    "gov": ("中央政府采购网", "政采云(浙江)", "江苏省政府采购网", "广东政府采购智慧云", "上海市政府采购网"),
    "ecommerce": ("京东", "天猫", "苏宁易购", "拼多多"),
    "retail": ("国美电器", "苏宁门店", "百脑汇", "宏图三胞", "五星电器", "办公用品批发市场"),
}
ECOMMERCE_URL = ("https://item.jd.com/{}.html", "https://detail.tmall.com/item.htm?id={}",
                 "https://product.suning.com/{}.html", "https://mobile.yangkeduo.com/goods.html?goods_id={}")

#: category, Chinese name, median market price (yuan), spread of log price, share of products,
#: typical order quantity, brands.
CATEGORIES: tuple[tuple, ...] = (
    ("shredder", "碎纸机", 800, 0.5, 0.06, 1, ("得力", "科密", "齐心", "三木")),
    ("printer", "打印机", 2200, 0.6, 0.10, 1, ("惠普", "佳能", "爱普生", "兄弟", "奔图")),
    ("laptop", "笔记本电脑", 5500, 0.35, 0.08, 2, ("联想", "华为", "戴尔", "惠普")),
    ("desktop", "台式计算机", 4500, 0.35, 0.08, 3, ("联想", "华为", "戴尔", "清华同方")),
    ("monitor", "显示器", 1200, 0.4, 0.06, 3, ("戴尔", "飞利浦", "AOC", "三星")),
    ("projector", "投影仪", 4000, 0.5, 0.04, 1, ("爱普生", "明基", "索尼", "极米")),
    ("copier", "复印机", 15000, 0.5, 0.03, 1, ("理光", "京瓷", "柯尼卡美能达", "夏普")),
    ("scanner", "扫描仪", 2500, 0.5, 0.03, 1, ("富士通", "佳能", "爱普生", "汉王")),
    ("air_conditioner", "空调", 3800, 0.4, 0.06, 2, ("格力", "美的", "海尔", "海信")),
    ("toner", "硒鼓", 350, 0.5, 0.14, 6, ("惠普", "佳能", "格之格", "天威")),
    ("paper", "复印纸", 25, 0.3, 0.10, 20, ("得力", "晨光", "亚太森博", "UPM")),
    ("office_chair", "办公椅", 600, 0.5, 0.07, 4, ("震旦", "圣奥", "华日", "永艺")),
    ("camera", "照相机", 4500, 0.6, 0.03, 1, ("佳能", "尼康", "索尼", "富士")),
    ("ups", "不间断电源", 1500, 0.6, 0.04, 1, ("山特", "科华", "APC", "华为")),
    ("router", "路由器", 400, 0.7, 0.08, 2, ("TP-LINK", "华为", "H3C", "锐捷")),
)
CITIES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "上海",
          "南京", "苏州", "合肥", "福州", "广州", "深圳", "北京", "成都")
TRADES = ("华信", "中科", "恒通", "博远", "天成", "鼎盛", "瑞达", "金桥", "宏图", "新时代", "汇通", "正泰",
          "联创", "远景", "诚信", "东方", "海纳", "卓越", "星辰", "腾达")
KINDS = ("科技有限公司", "商贸有限公司", "办公设备有限公司", "信息技术有限公司", "电子有限公司", "贸易有限责任公司")
DISCOUNTS = (("0", 0.30), ("0.01", 0.20), ("0.02", 0.20), ("0.03", 0.20), ("0.05", 0.10))

CHUNK_ROWS = 500_000


@dataclass(frozen=True)
class Shape:
    """The proportions of the generated month (defaults: the real mall's)."""

    suppliers_per_listing: float = 30_000 / 520_000
    listings_per_product: float = 1.7
    quotes_per_listing: float = 18.0
    noise_sigma: float = 0.05        # lognormal noise of one quote around its source's level
    source_sigma: float = 0.02       # lognormal offset of one (product, source) pair
    wild_share: float = 0.02         # quotes x3..x10 (70%) or /5 (30%)
    evidence_share: float = 0.06     # listings priced 20-50% above the market
    delist_share: float = 0.01       # listings priced 50% or more above the market
    single_source_share: float = 0.025
    unquoted_share: float = 0.005
    order_lines_per_listing: float = 0.2


def period_days(period: str) -> list[str]:
    """The dates (YYYY-MM-DD) of a YYYY-MM period."""
    year, month = (int(part) for part in period.split("-"))
    return [f"{year:04d}-{month:02d}-{day:02d}" for day in range(1, calendar.monthrange(year, month)[1] + 1)]


def _ids(prefix: str, count: int, width: int = 7) -> np.ndarray:
    """Ids prefix0000001.. as an object array (index i is the (i+1)-th id)."""
    width = max(width, len(str(count)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, count + 1)], dtype=object)


def _cents_text(cents: np.ndarray) -> list[str]:
    """Cents as decimal strings with 2 places ('1234.50')."""
    return list(map("{:.2f}".format, (cents / 100).tolist()))


def _format_rows(columns: list[list]) -> bytes:
    """CSV lines (UTF-8) from the rows' fields, one list of strings per column."""
    fmt = ",".join(["{}"] * len(columns)) + "\n"
    return "".join(map(fmt.format, *columns)).encode("utf-8")


_MAKE_COLUMNS = None  # the chunk builder handed to forked workers


def _format_chunk(bounds: tuple[int, int]) -> bytes:
    """Worker: format rows lo..hi with the builder inherited through fork."""
    return _format_rows(_MAKE_COLUMNS(*bounds))


def _write_csv(path: Path, header: str, n_rows: int, make_columns, workers: int = 1) -> None:
    """Write a CSV in chunks; make_columns(lo, hi) returns the rows' fields as lists of strings.

    With workers > 1 the chunks are formatted by forked processes (formatting is the slow part)
    and written here in order.
    """
    global _MAKE_COLUMNS
    chunks = [(lo, min(lo + CHUNK_ROWS, n_rows)) for lo in range(0, n_rows, CHUNK_ROWS)]
    with open(path, "wb") as out:
        out.write((header + "\n").encode("utf-8"))
        if workers > 1 and len(chunks) > 1 and "fork" in multiprocessing.get_all_start_methods():
            _MAKE_COLUMNS = make_columns
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for data in pool.imap(_format_chunk, chunks):
                        out.write(data)
            finally:
                _MAKE_COLUMNS = None
        else:
            for lo, hi in chunks:
                out.write(_format_rows(make_columns(lo, hi)))


def _weighted_assignment(rng, n_items: int, n_groups: int, sigma: float) -> np.ndarray:
    """Assign items to groups so that every group gets one and the rest follow skewed sizes."""
    if n_groups >= n_items:
        return rng.permutation(n_items)
    weights = rng.lognormal(0.0, sigma, n_groups)
    rest = rng.choice(n_groups, size=n_items - n_groups, p=weights / weights.sum())
    return rng.permutation(np.concatenate([np.arange(n_groups), rest]))


def generate(n_listings: int, out_dir: Path, seed: int = 1, period: str = "2026-10",
             shape: Shape = Shape(), workers: int | None = None) -> dict:
    """Generate and write the three files; return a summary (counts, seconds)."""
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    days = np.array(period_days(period), dtype=object)
    n_days = len(days)

    # --- products ------------------------------------------------------------------------------
    n_products = max(1, round(n_listings / shape.listings_per_product))
    cat_share = np.array([c[4] for c in CATEGORIES])
    product_cat = rng.choice(len(CATEGORIES), size=n_products, p=cat_share / cat_share.sum())
    base = np.array([c[2] for c in CATEGORIES], dtype=float)[product_cat]
    spread = np.array([c[3] for c in CATEGORIES])[product_cat]
    market = base * np.exp(rng.normal(0.0, 1.0, n_products) * spread)   # yuan
    market = np.maximum(market, 1.0)
    brand_pick = rng.integers(0, 1 << 30, n_products)
    product_brand = np.array([CATEGORIES[c][6][b % len(CATEGORIES[c][6])]
                              for c, b in zip(product_cat.tolist(), brand_pick.tolist())], dtype=object)
    product_model = np.array([f"{chr(65 + c)}{(b >> 4) % 90000 + 10000}"
                              for c, b in zip(product_cat.tolist(), brand_pick.tolist())], dtype=object)
    has_comma = rng.random(n_products) < 0.05
    product_name = np.array(
        [f'"{b} {m}, {CATEGORIES[c][1]}"' if comma else f"{b} {m} {CATEGORIES[c][1]}"
         for b, m, c, comma in zip(product_brand.tolist(), product_model.tolist(),
                                   product_cat.tolist(), has_comma.tolist())], dtype=object)
    product_ids = _ids("P", n_products)

    # --- suppliers and listings ----------------------------------------------------------------
    n_suppliers = max(1, round(n_listings * shape.suppliers_per_listing))
    supplier_ids = _ids("S", n_suppliers, width=5)
    supplier_names = np.array(
        [f"{CITIES[i % 20]}{TRADES[(i // 20) % 20]}{KINDS[(i // 400) % 6]}" + (f"{i // 2400}" if i >= 2400 else "")
         for i in rng.permutation(n_suppliers).tolist()], dtype=object)
    listing_product = _weighted_assignment(rng, n_listings, n_products, 0.6)
    listing_supplier = _weighted_assignment(rng, n_listings, n_suppliers, 1.2)
    kind = rng.random(n_listings)
    factor = np.clip(rng.normal(1.0, 0.06, n_listings), 0.75, 1.16)
    evidence = kind < shape.evidence_share
    delist = (kind >= shape.evidence_share) & (kind < shape.evidence_share + shape.delist_share)
    factor[evidence] = rng.uniform(1.22, 1.48, evidence.sum())
    factor[delist] = rng.uniform(1.53, 3.0, delist.sum())
    mall_cents = np.maximum(np.rint(market[listing_product] * factor * 100), 1).astype(np.int64)
    period_start = np.datetime64(f"{period}-01")
    effective_on = (period_start - rng.integers(1, 270, n_listings).astype("timedelta64[D]")).astype(str)
    discount_text = np.array([d for d, _ in DISCOUNTS], dtype=object)
    discount_p = np.array([p for _, p in DISCOUNTS])
    listing_discount = discount_text[rng.choice(len(DISCOUNTS), size=n_listings, p=discount_p)]
    listing_ids = _ids("L", n_listings)
    category_ids = np.array([c[0] for c in CATEGORIES], dtype=object)

    def listing_columns(lo, hi):
        """Fields of listings lo..hi."""
        p = listing_product[lo:hi]
        s = listing_supplier[lo:hi]
        return [listing_ids[lo:hi].tolist(), product_ids[p].tolist(), supplier_ids[s].tolist(),
                supplier_names[s].tolist(), category_ids[product_cat[p]].tolist(),
                product_brand[p].tolist(), product_model[p].tolist(), product_name[p].tolist(),
                _cents_text(mall_cents[lo:hi]), listing_discount[lo:hi].tolist(),
                effective_on[lo:hi].tolist()]

    _write_csv(out_dir / "listings.csv",
               "listing_id,product_id,supplier_id,supplier_name,category,brand,model,name,"
               "mall_price,committed_discount,price_effective_on", n_listings, listing_columns, workers)

    # --- observations --------------------------------------------------------------------------
    listings_of_product = np.bincount(listing_product, minlength=n_products)
    covered = rng.random((n_products, 4)) < SOURCE_COVERAGE
    short = covered.sum(axis=1) < 2
    covered[short, 1] = True
    covered[short, 2] = True
    mode = rng.random(n_products)
    single = mode < shape.single_source_share
    unquoted = (mode >= shape.single_source_share) & (mode < shape.single_source_share + shape.unquoted_share)
    covered[single] = False
    covered[single, rng.choice(4, size=single.sum(), p=SOURCE_SHARE / SOURCE_SHARE.sum())] = True
    covered[unquoted] = False
    share = covered * SOURCE_SHARE
    share = share / np.maximum(share.sum(axis=1, keepdims=True), 1e-12)
    expected = share * (shape.quotes_per_listing * listings_of_product)[:, None]
    counts = np.where(covered, np.maximum(rng.poisson(np.maximum(expected - 1, 0)) + 1, 1), 0).ravel()
    n_quotes = int(counts.sum())
    pair = np.repeat(np.arange(n_products * 4), counts)
    quote_product = (pair // 4).astype(np.int64)
    quote_source = (pair % 4).astype(np.int8)
    del pair
    pair_level = SOURCE_LEVEL[None, :] * np.exp(rng.normal(0.0, shape.source_sigma, (n_products, 4)))
    price = market[quote_product] * pair_level.ravel()[quote_product * 4 + quote_source]
    price *= np.exp(rng.normal(0.0, shape.noise_sigma, n_quotes))
    wild = np.flatnonzero(rng.random(n_quotes) < shape.wild_share)
    up = rng.random(wild.size) < 0.7
    price[wild[up]] *= rng.uniform(3.0, 10.0, up.sum())
    price[wild[~up]] /= 5.0
    quote_cents = np.maximum(np.rint(price * 100), 1).astype(np.int64)
    del price
    quote_day = rng.integers(0, n_days, n_quotes).astype(np.int8)
    n_origins = np.array([len(ORIGINS[s]) for s in SOURCES])
    quote_origin = (rng.integers(0, 1 << 20, n_quotes) % n_origins[quote_source]).astype(np.int8)
    _make_quotes_distinct(quote_product, quote_source, quote_cents, quote_day, quote_origin)
    # A feed arrives by date, products mixed.
    order = rng.permutation(n_quotes)
    order = order[np.argsort(quote_day[order], kind="stable")]
    quote_product, quote_source, quote_cents, quote_day, quote_origin = (
        a[order] for a in (quote_product, quote_source, quote_cents, quote_day, quote_origin))
    del order
    origin_names = [np.array(ORIGINS[s], dtype=object) for s in SOURCES]
    source_names = np.array(SOURCES, dtype=object)
    ecommerce = SOURCES.index("ecommerce")

    def observation_columns(lo, hi):
        """Fields of quotes lo..hi."""
        p = quote_product[lo:hi]
        s = quote_source[lo:hi]
        o = quote_origin[lo:hi]
        origin = np.empty(hi - lo, dtype=object)
        for code, names in enumerate(origin_names):
            here = s == code
            origin[here] = names[o[here]]
        url = np.full(hi - lo, "", dtype=object)
        shop = np.flatnonzero(s == ecommerce)
        item = (p[shop] * 7919 + 100_000_000_000).tolist()
        url[shop] = [ECOMMERCE_URL[k].format(i) for k, i in zip(o[shop].tolist(), item)]
        return [product_ids[p].tolist(), source_names[s].tolist(), _cents_text(quote_cents[lo:hi]),
                days[quote_day[lo:hi]].tolist(), origin.tolist(), url.tolist()]

    _write_csv(out_dir / "observations.csv", "product_id,source,price,observed_on,origin,url",
               n_quotes, observation_columns, workers)

    # --- orders --------------------------------------------------------------------------------
    n_lines = max(1, round(n_listings * shape.order_lines_per_listing))
    sizes = np.minimum(rng.geometric(0.55, n_lines), 8)
    order_of_line = np.repeat(np.arange(n_lines), sizes)[:n_lines]
    first = np.r_[0, np.flatnonzero(np.diff(order_of_line)) + 1]
    line_no = np.arange(n_lines) - np.repeat(first, np.diff(np.r_[first, n_lines])) + 1
    n_orders = int(order_of_line[-1]) + 1
    popularity = rng.lognormal(0.0, 1.3, n_listings)
    line_listing = rng.choice(n_listings, size=n_lines, p=popularity / popularity.sum())
    typical_qty = np.array([c[5] for c in CATEGORIES])[product_cat[listing_product[line_listing]]]
    quantity = np.minimum(rng.geometric(0.45, n_lines) * typical_qty, 500)
    discounted = rng.random(n_lines) < 0.3
    unit_cents = mall_cents[line_listing].astype(float)
    unit_cents[discounted] *= 1 - rng.uniform(0.0, 0.08, discounted.sum())
    unit_cents = np.maximum(np.rint(unit_cents), 1).astype(np.int64)
    n_buyers = max(1, n_listings // 100)
    buyer_ids = _ids("B", n_buyers, width=5)
    order_buyer = rng.integers(0, n_buyers, n_orders)
    order_day = rng.integers(0, n_days, n_orders)
    order_ids = np.array([f"PO{period.replace('-', '')}{i:07d}" for i in range(1, n_orders + 1)], dtype=object)

    def order_columns(lo, hi):
        """Fields of order lines lo..hi."""
        o = order_of_line[lo:hi]
        return [order_ids[o].tolist(), line_no[lo:hi].tolist(), listing_ids[line_listing[lo:hi]].tolist(),
                buyer_ids[order_buyer[o]].tolist(), days[order_day[o]].tolist(),
                quantity[lo:hi].tolist(), _cents_text(unit_cents[lo:hi])]

    _write_csv(out_dir / "orders.csv", "order_id,line_no,listing_id,buyer_id,ordered_on,quantity,unit_price",
               n_lines, order_columns, workers)

    summary = {
        "listings": n_listings, "products": n_products, "suppliers": n_suppliers,
        "observations": n_quotes, "order_lines": n_lines, "orders": n_orders,
        "period": period, "seed": seed, "shape": asdict(shape),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out_dir / "generated.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _make_quotes_distinct(product, source, cents, day, origin) -> None:
    """Nudge prices up a cent until no two quotes share product, source, price, date and origin.

    INTERFACE.md treats such quotes as one (re-imports add no duplicate), so the files hold none:
    every generated quote reaches the check.
    """
    group = ((product * 4 + source) * 32 + day) * 64 + origin
    span = int(cents.max()) + 1 + 100
    single_key = int(group.max()) < np.iinfo(np.int64).max // span
    for _ in range(100):
        if single_key:
            order = np.argsort(group * span + cents)
        else:
            order = np.lexsort((cents, group))
        g, c = group[order], cents[order]
        same = np.flatnonzero((g[1:] == g[:-1]) & (c[1:] == c[:-1])) + 1
        if same.size == 0:
            return
        cents[order[same]] += 1
    raise RuntimeError("could not make the generated quotes distinct")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, required=True, help="number of listings (e.g. 520000)")
    parser.add_argument("--out", type=Path, required=True, help="directory for the three CSV files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--period", default="2026-10", help="YYYY-MM the quotes and orders fall in")
    args = parser.parse_args(argv)
    if args.listings < 1:
        parser.error("--listings must be >= 1")
    summary = generate(args.listings, args.out, seed=args.seed, period=args.period)
    print(f"{summary['listings']:,} listings, {summary['products']:,} products, "
          f"{summary['suppliers']:,} suppliers, {summary['observations']:,} quotes, "
          f"{summary['order_lines']:,} order lines -> {args.out} in {summary['seconds']} s")


if __name__ == "__main__":
    main()
