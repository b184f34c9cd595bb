"""pricewatch: monthly price monitoring for a government procurement online mall."""

__version__ = "0.1.0"
