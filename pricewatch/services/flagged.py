"""The flagged-listings list: one run's listing results filtered, sorted and paged.

Filtering, sorting, counting and paging run on the run's in-memory `ResultIndex` (exact counts,
any page); the database is asked only for the suppliers or listings a text filter matches, and for
the one page of rows shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pricewatch.db.models import CheckRun, Listing, ListingResult, Supplier
from pricewatch.domain.params import BANDS
from pricewatch.services.queries import Page
from pricewatch.services.search import matching_listing_ids, matching_supplier_ids
from pricewatch.services.result_index import SORTS, ResultIndex

#: Band filters of the list: a band, "flagged" (evidence + delist) or "all".
BAND_FILTERS = ("flagged", "evidence", "delist", "normal", "insufficient", "all")
#: Orders of the list.
FLAGGED_SORTS = SORTS


@dataclass(frozen=True)
class FlaggedRow:
    """One listing result with what the list shows of the listing and its supplier."""

    listing_id: int
    category: str
    mall_price: Decimal
    monitored_price: Decimal | None
    deviation: Decimal | None
    band: str
    listing_code: str
    listing_name: str
    supplier_code: str
    supplier_name: str


def bands_of(band: str) -> list[str] | None:
    """The bands a band filter stands for (None: every band)."""
    if band == "flagged":
        return ["evidence", "delist"]
    if band == "all":
        return None
    if band in BANDS:
        return [band]
    raise ValueError(f"unknown band filter {band!r}")


def flagged_listings(session: Session, index: ResultIndex, run: CheckRun, *, band: str = "flagged",
                     category: str | None = None, supplier: str | None = None, search: str | None = None,
                     sort: str = "deviation", page: int = 1, page_size: int = 50) -> Page:
    """One page of a run's listing results (`index` is the run's index), filtered and sorted."""
    if index.run_id != run.id:
        raise ValueError(f"the index is of run {index.run_id}, not of run {run.id}")
    page = max(1, int(page))
    selection = index.select(
        bands=bands_of(band), category=category or None, sort=sort,
        supplier_ids=matching_supplier_ids(session, supplier) if supplier else None,
        listing_ids=matching_listing_ids(session, search) if search else None)
    ids = selection.page((page - 1) * page_size, page_size)
    rows = []
    if ids:
        found = {row.listing_id: row for row in (FlaggedRow(*t) for t in session.execute(
            select(ListingResult.listing_id, ListingResult.category, ListingResult.mall_price,
                   ListingResult.monitored_price, ListingResult.deviation, ListingResult.band,
                   Listing.code, Listing.name, Supplier.code, Supplier.name)
            .join(Listing, Listing.id == ListingResult.listing_id)
            .join(Supplier, Supplier.id == ListingResult.supplier_id)
            .where(ListingResult.run_id == run.id, ListingResult.listing_id.in_(ids))))}
        rows = [found[i] for i in ids if i in found]
    return Page(rows=rows, page=page, page_size=page_size, total=selection.total, max_offset=None)
