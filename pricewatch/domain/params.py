"""The method's parameters, per category, as plain values."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

#: The four kinds of source, in the order the indicators are listed.
SOURCES: tuple[str, ...] = ("index", "gov", "ecommerce", "retail")
SOURCE_CODE: dict[str, int] = {name: i for i, name in enumerate(SOURCES)}

#: The bands of a listing's result.
BANDS: tuple[str, ...] = ("insufficient", "normal", "evidence", "delist")


@dataclass(frozen=True)
class MethodParams:
    """Every number of METHOD.md that may differ per category."""

    k: Decimal = Decimal("3")
    tol: Decimal = Decimal("0.05")
    mad_scale: Decimal = Decimal("1.4826")
    min_quotes: int = 1
    min_sources: int = 2
    normal_max: Decimal = Decimal("0.20")
    delist_min: Decimal = Decimal("0.50")
    evidence_days: int = 15
    rejection_days: int = 5
    weights: dict[str, Decimal] = field(
        default_factory=lambda: {s: Decimal("1") for s in SOURCES}
    )

    def __post_init__(self):
        """Reject values that would make the method meaningless."""
        if self.k <= 0 or self.tol < 0 or self.mad_scale <= 0:
            raise ValueError("k and mad_scale must be > 0 and tol >= 0")
        if self.min_quotes < 1 or self.min_sources < 1:
            raise ValueError("min_quotes and min_sources must be >= 1")
        if not (Decimal(0) <= self.normal_max < self.delist_min):
            raise ValueError("need 0 <= normal_max < delist_min")
        if self.evidence_days < 1 or self.rejection_days < 1:
            raise ValueError("evidence_days and rejection_days must be >= 1")
        if set(self.weights) != set(SOURCES) or any(w < 0 for w in self.weights.values()):
            raise ValueError(f"weights must name exactly {SOURCES}, each >= 0")

    @property
    def normal_max_e4(self) -> int:
        """normal_max in units of 0.0001 (how deviations are stored)."""
        return int(self.normal_max * 10000)

    @property
    def delist_min_e4(self) -> int:
        """delist_min in units of 0.0001, rounded up (d >= delist_min on 4-place values)."""
        return int((self.delist_min * 10000).to_integral_value(rounding="ROUND_CEILING"))

    def band_of(self, deviation_e4: int | None) -> str:
        """The band of one deviation rate given in units of 0.0001 (None: insufficient)."""
        if deviation_e4 is None:
            return "insufficient"
        if deviation_e4 <= self.normal_max_e4:
            return "normal"
        if deviation_e4 < self.delist_min_e4:
            return "evidence"
        return "delist"
