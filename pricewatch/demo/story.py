"""The shredder of the story: fixed listings, quotes, price cuts and orders around one product.

A heavy-duty shredder sells on the mall through the brand's provincial distributor (the supplier
whose demo user is `shredder`) at 1,380.00 and through three dealers at 1,379.00, 1,378.00 and
1,376.00. Until August the market quotes it near 1,268, so these prices are normal (about 9 % above).
In September the brand cuts its street price: every source quotes it near 1,144 and the September
check (run 1 October, 02:00) finds the distributor's listing at 1,380.00 against a monitored price of
exactly 1,144.00, a deviation of 0.2063: the evidence band. The dealers' listings are flagged too.
The distributor lowers its price to 1,144.00 on 4 October and has its dealers follow (1,144.00,
1,145.00, 1,148.00 on 5, 6 and 8 October); the four cases close as `price_lowered`.

After the cut the distributor sells 223 units in October: (1380 - 1144) x 223 = 52,628 saved. On its
own that is about half of the "close to 100,000" the story tells, so the dealers' listings of the same
shredder carry the rest: 92, 71 and 39 units at cuts of 235, 233 and 228, i.e. 21,620 + 16,543 + 8,892.
The October report therefore shows 99,683.00 saved on this one shredder (plus the other lowerings).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pricewatch.demo.catalog import Catalog

#: The story's supplier (the brand's provincial distributor).
SUPPLIER_CODE = "S33010001"
SUPPLIER_NAME = "杭州明达办公设备有限公司"
SUPPLIER_CATEGORIES = ("shredder", "paper", "toner", "printer", "furniture")
RESERVED_TRADE_NAMES = ("明达",)
#: The demo user of the story's supplier.
USER = "shredder"

PRODUCT_CODE = "SHR000318"
BRAND, MODEL = "科密", "C-6628"
PRODUCT_NAME = "科密 C-6628 大型商用碎纸机 4级保密 单次16张 连续碎纸60分钟 32L"

#: Mall prices (cents) before the cut: the distributor first, then the three dealers.
PRICES = (138_000, 137_900, 137_800, 137_600)
#: (local date and time of the cut, new price in cents) per story listing.
CUTS = (
    (dt.datetime(2026, 10, 4, 10, 15), 114_400),
    (dt.datetime(2026, 10, 5, 9, 40), 114_400),
    (dt.datetime(2026, 10, 6, 14, 5), 114_500),
    (dt.datetime(2026, 10, 8, 11, 30), 114_800),
)
#: October order lines after the cut, per story listing: (day of October, quantity).
ORDERS = (
    ((8, 60), (9, 35), (12, 28), (14, 24), (16, 20), (19, 16), (21, 12), (23, 10), (26, 8), (28, 6), (30, 4)),
    ((9, 30), (13, 22), (20, 18), (24, 12), (29, 10)),
    ((10, 25), (15, 20), (22, 14), (27, 12)),
    ((11, 15), (18, 12), (25, 8), (30, 4)),
)
#: The month whose check flags the story (index into the demo's periods: 2026-09).
FLAG_MONTH = 4
#: Market level of the shredder per demo month (yuan), May..October.
LEVELS = (1268, 1266, 1270, 1265, 1144, 1141)
#: September's quotes (yuan, day of month, origin) per source: every source averages exactly 1,144
#: once the 698.00 second-hand offer is dropped as an outlier, so the monitored price is 1,144.00.
QUOTES = {
    "index": ((1144, 15, "中关村在线价格指数"),),
    "gov": ((1139, 8, "浙江政府采购网上超市"), (1148, 12, "江苏政府采购网上商城"), (1145, 21, "上海市政府采购云平台")),
    "ecommerce": ((1129, 3, "拼多多"), (1149, 10, "京东"), (1152, 17, "天猫"), (1146, 24, "苏宁易购"),
                  (698, 26, "拼多多")),
    "retail": ((1150, 9, "杭州文三路电子市场"), (1138, 23, "宁波天一电脑城")),
}
#: The smallest demo that still tells every part of the story.
MIN_LISTINGS = 120


def add_story_catalog(cat: "Catalog") -> None:
    """Add the shredder and its four listings (the distributor and three shredder dealers)."""
    from pricewatch.demo.catalog import DemoListing, DemoProduct

    dealers = [i for i, s in enumerate(cat.suppliers) if i > 0 and "shredder" in s.categories][:3]
    for i in range(1, len(cat.suppliers)):
        if len(dealers) == 3:
            break
        if i not in dealers:
            cat.suppliers[i].categories = cat.suppliers[i].categories + ("shredder",)
            dealers.append(i)
    cat.products.append(DemoProduct(PRODUCT_CODE, "shredder", BRAND, MODEL, PRODUCT_NAME, LEVELS[0] * 100.0))
    product = len(cat.products) - 1
    for supplier in [0] + sorted(dealers):
        cat.listings.append(DemoListing("", product, supplier, "0", 0, is_story=True))


def quotes(month: int) -> list[tuple[str, int, int, str]]:
    """The story shredder's quotes of a demo month: (source, price in cents, day, origin)."""
    level = LEVELS[month]
    out = []
    for source, rows in QUOTES.items():
        for yuan, day, origin in rows:
            if yuan < 1000 and month != FLAG_MONTH:
                continue  # the second-hand offer shows up in September only
            out.append((source, int(round(level * yuan / 1144.0)) * 100, day, origin))
    return out
