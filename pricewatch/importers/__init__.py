"""Reading the input files of INTERFACE.md (CSV or XLSX) into validated rows; no database here.

`open_table` reads a file's header; `read_listings`, `read_observations` and `read_orders` turn
its records into chunks of typed rows, recording every problem as `line N, column NAME: ...` in
an `ErrorLog`, which raises `ImportRejected` when the file has any.
"""
from pricewatch.importers.errors import ErrorLog, ImportRejected
from pricewatch.importers.listings import ListingRow, read_listings
from pricewatch.importers.observations import Quote, read_observations
from pricewatch.importers.orders import OrderRow, read_orders
from pricewatch.importers.table import Table, open_table

__all__ = [
    "ErrorLog", "ImportRejected", "ListingRow", "OrderRow", "Quote", "Table", "open_table",
    "read_listings", "read_observations", "read_orders",
]
