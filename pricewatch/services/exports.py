"""The results export (INTERFACE.md `export results`): one CSV row per listing checked."""
from __future__ import annotations

import csv
from typing import IO, Iterator

from pricewatch.db.bulk import dbapi_connection
from pricewatch.domain.progress import NullProgress, Progress

RESULT_COLUMNS = ["listing_id", "product_id", "supplier_id", "category", "mall_price", "index_price",
                  "gov_avg", "ecommerce_avg", "retail_avg", "monitored_price", "deviation", "band"]

_SQL = """
SELECT l.code, p.code, s.code, r.category, r.mall_price, pr.index_avg, pr.gov_avg, pr.ecommerce_avg,
       pr.retail_avg, r.monitored_price, r.deviation, r.band
FROM listing_results r
JOIN check_runs c ON c.id = r.run_id
JOIN listings l ON l.id = r.listing_id
JOIN products p ON p.id = r.product_id
JOIN suppliers s ON s.id = r.supplier_id
LEFT JOIN product_results pr ON pr.run_id = r.run_id AND pr.product_id = r.product_id
WHERE c.period = {ph}
ORDER BY l.code
"""


def fmt_scaled(value: int | None, places: int) -> str:
    """A scaled integer as fixed-point text ('' for None): fmt_scaled(-500, 4) == '-0.0500'."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10 ** places)
    return f"{sign}{whole}.{frac:0{places}d}"


def result_rows(session, period: str) -> Iterator[list[str]]:
    """The period's results as text rows in RESULT_COLUMNS order, sorted by listing id."""
    ph = "?" if session.get_bind().dialect.name == "sqlite" else "%s"
    cur = dbapi_connection(session).cursor()
    cur.execute(_SQL.format(ph=ph), (period,))
    while True:
        chunk = cur.fetchmany(50_000)
        if not chunk:
            break
        for lc, pc, sc, cat, mall, ia, ga, ea, ra, mon, dev, band in chunk:
            yield [lc, pc, sc, cat, fmt_scaled(mall, 2), fmt_scaled(ia, 2), fmt_scaled(ga, 2),
                   fmt_scaled(ea, 2), fmt_scaled(ra, 2), fmt_scaled(mon, 2), fmt_scaled(dev, 4), band]
    cur.close()


def write_results_csv(session, period: str, out: IO[str], progress: Progress | None = None) -> int:
    """Write the results CSV of `period` to `out`; returns the number of listing rows."""
    progress = progress or NullProgress()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    count = 0
    progress.stage("export")
    for row in result_rows(session, period):
        writer.writerow(row)
        count += 1
        if count % 50_000 == 0:
            progress.advance(50_000)
    progress.close()
    return count
