"""Every model, imported in one place (for Alembic and for callers)."""
from pricewatch.db.base import Base  # noqa: F401
from pricewatch.db.catalog import (  # noqa: F401
    LISTING_ACTIVE, LISTING_DELISTED, Listing, ListingPrice, Product, Supplier,
)
from pricewatch.db.search import ListingSearch, SupplierSearch  # noqa: F401
from pricewatch.db.market import ImportBatch, Observation, OrderLine  # noqa: F401
from pricewatch.db.checks import CheckRun, ListingResult, ProductResult, QuoteFlag  # noqa: F401
from pricewatch.db.cases import Case, EvidenceFile, EvidenceSubmission, Event  # noqa: F401
from pricewatch.db.accounts import (  # noqa: F401
    ROLES, JobExecution, Notification, ReportSnapshot, User,
)
