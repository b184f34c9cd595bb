"""The monthly method of METHOD.md, for a whole month of quotes at once, vectorised with numpy.

Units: quote prices are ints in units of 0.0001 ("e4"), money results are ints of cents.
Exactness: every decision (outlier or kept, sums, rounding to cents, bands) is made on integers.
Medians and MADs are computed as integers too (twice the median, four times the MAD, so halves and
quarters stay whole); the float64 arrays `median_e4`, `mad_e4`, `scale_e4`, `threshold_e4` are for
display only, and are exact for the median and MAD because prices stay below 2**50 e4.
The monitored price is a weighted mean computed in float64, then every product whose value lies
within a guard of a half-cent tie is recomputed exactly with fractions.Fraction.

Groups: one group per (product, source), numbered ``product * 4 + source``.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from pricewatch.domain.params import BANDS, SOURCES, MethodParams
from pricewatch.domain.rounding import deviation_e4, div_half_up

N_SOURCES = len(SOURCES)
#: Quote prices must lie in [0, MAX_PRICE_E4) so that halves and quarters of them are exact floats.
MAX_PRICE_E4 = 2**50
_I64_LIMIT = 2**63 - 1
#: Half-cent tie guard, in cents: absolute part and part relative to the value.
_TIE_GUARD_ABS = 1e-6
_TIE_GUARD_REL = 1e-12


@dataclass
class Quotes:
    """One month of quotes as parallel arrays (one entry per quote)."""

    product: np.ndarray  #: int64, dense product index 0..P-1
    source: np.ndarray  #: int8, 0..3 in SOURCES order
    price_e4: np.ndarray  #: int64, price in units of 0.0001

    def __post_init__(self):
        """Coerce the arrays to their dtypes (no copy when they already match)."""
        self.product = np.asarray(self.product, dtype=np.int64)
        self.source = np.asarray(self.source, dtype=np.int8)
        self.price_e4 = np.asarray(self.price_e4, dtype=np.int64)
        if not (self.product.shape == self.source.shape == self.price_e4.shape) or self.product.ndim != 1:
            raise ValueError("product, source and price_e4 must be 1-d arrays of one length")

    def __len__(self) -> int:
        """The number of quotes."""
        return int(self.price_e4.shape[0])


@dataclass
class Indicators:
    """The method's results for one month. (P, 4) arrays are indexed [product, source]."""

    quotes: Quotes
    params: tuple[MethodParams, ...]
    product_params: np.ndarray
    #: (Q,) bool, in the input order: the quote was kept (not an outlier).
    kept: np.ndarray
    n_quotes: np.ndarray  #: (P, 4) int64
    n_kept: np.ndarray  #: (P, 4) int64
    sum_kept_e4: np.ndarray  #: (P, 4) int64, exact
    median_e4: np.ndarray  #: (P, 4) float64, NaN without quotes (exact: a multiple of 0.5)
    mad_e4: np.ndarray  #: (P, 4) float64, NaN without quotes (exact: a multiple of 0.25)
    scale_e4: np.ndarray  #: (P, 4) float64, s = max(mad_scale * MAD, tol * m), for display
    threshold_e4: np.ndarray  #: (P, 4) float64, k * s, for display
    counts: np.ndarray  #: (P, 4) bool: n_kept >= min_quotes
    avg_cents: np.ndarray  #: (P, 4) int64, robust average half-up to cents; -1 without kept quotes
    n_sources: np.ndarray  #: (P,) int64: sources that count
    monitored_cents: np.ndarray  #: (P,) int64; -1 when insufficient


@dataclass(frozen=True)
class RobustResult:
    """The robust average of one source's quotes, computed plainly with Decimal (the oracle)."""

    prices: tuple[Decimal, ...]
    median: Decimal | None = None
    mad: Decimal | None = None
    scale: Decimal | None = None  #: s = max(mad_scale * MAD, tol * m)
    limit: Decimal | None = None  #: k * s
    kept: tuple[bool, ...] = ()
    reasons: tuple[str, ...] = ()  #: one explanation per quote (why kept or dropped)
    n_kept: int = 0
    mean: Fraction | None = None  #: the exact mean of the kept quotes
    average_cents: int | None = None  #: `mean` rounded half-up to cents
    counts: bool = False  #: n_kept >= min_quotes


# ----------------------------------------------------------------------------- parameters

def _places(d: Decimal) -> int:
    """How many decimal places d needs."""
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


@dataclass
class _Table:
    """The parameter sets as exact integer arrays, one row per set."""

    denom: int  #: common power of ten of ka and kt
    ka: list[int] = field(default_factory=list)  #: k * mad_scale * denom
    kt: list[int] = field(default_factory=list)  #: k * tol * denom
    k: np.ndarray | None = None
    mad_scale: np.ndarray | None = None
    tol: np.ndarray | None = None
    min_quotes: np.ndarray | None = None
    min_sources: np.ndarray | None = None
    weights: np.ndarray | None = None  #: (n_sets, 4) int64, weights * 10**w_places


def _table(params: Sequence[MethodParams]) -> _Table:
    """Turn the Decimal parameters into exact integers with common denominators."""
    with localcontext() as ctx:
        ctx.prec = 80
        kas = [p.k * p.mad_scale for p in params]
        kts = [p.k * p.tol for p in params]
        places = max([0] + [_places(x) for x in kas + kts])
        denom = 10**places
        w_places = max([0] + [_places(w) for p in params for w in p.weights.values()])
        table = _Table(denom=denom)
        table.ka = [int(x * denom) for x in kas]
        table.kt = [int(x * denom) for x in kts]
        table.weights = np.array(
            [[int(p.weights[s].scaleb(w_places)) for s in SOURCES] for p in params], dtype=np.int64
        ).reshape(len(params), N_SOURCES)
    table.k = np.array([float(p.k) for p in params])
    table.mad_scale = np.array([float(p.mad_scale) for p in params])
    table.tol = np.array([float(p.tol) for p in params])
    table.min_quotes = np.array([p.min_quotes for p in params], dtype=np.int64)
    table.min_sources = np.array([p.min_sources for p in params], dtype=np.int64)
    return table


# ----------------------------------------------------------------------------- grouped medians

def _twice_group_medians(g, values, n_groups, gid, lo, hi):
    """2 x the median of `values` (int64 >= 0) within each non-empty group `gid`.

    lo/hi are the positions of the middle element(s) of each group once sorted by (group, value).
    Sorts one combined int64 key group * span + value when it fits, else falls back to lexsort.
    """
    vmax = int(values.max())
    span = vmax + 1
    if n_groups * span <= _I64_LIMIT:
        key = g * np.int64(span)
        key += values
        key.sort()
        base = gid * np.int64(span)
        return (key[lo] - base) + (key[hi] - base)
    order = np.lexsort((values, g))
    sv = values[order]
    del order
    return sv[lo] + sv[hi]


def _group_sums(g, values, n_groups, max_count):
    """Exact int64 sums of `values` (int64 >= 0, < 2**50) per group, via float bincount.

    bincount accumulates in float64, exact while every partial sum stays below 2**53; when that is
    not guaranteed the values are split in 26-bit halves, each summed exactly.
    """
    vmax = int(values.max()) if values.size else 0
    if vmax * max_count < 2**53:
        return np.bincount(g, weights=values, minlength=n_groups).astype(np.int64)
    if max_count >= 2**27 or vmax * max_count > _I64_LIMIT:
        raise ValueError("too many or too large quotes in one group for exact int64 sums")
    low = np.bincount(g, weights=values & (2**26 - 1), minlength=n_groups).astype(np.int64)
    high = np.bincount(g, weights=values >> 26, minlength=n_groups).astype(np.int64)
    return high * (2**26) + low


def _limits(table, pp_g, m2, mad4, gid):
    """floor(4 k s) per non-empty group (s and the result in units of 0.0001), exactly.

    A quote is an outlier when 4|q - m| > 4 k s, i.e. 4|q - m| > floor(4 k s) since the left side
    is an int; 4 k s = max(ka * 4 MAD, kt * 4 m) / denom with ka, kt the integers of `_Table`.
    Falls back to Python ints (object arrays) if the products could overflow int64.
    """
    ka = np.array(table.ka, dtype=object)
    kt = np.array(table.kt, dtype=object)
    m4 = m2 * 2
    fits = (
        max(table.ka) * (int(mad4.max()) if mad4.size else 0) <= _I64_LIMIT
        and max(table.kt) * (int(m4.max()) if m4.size else 0) <= _I64_LIMIT
    )
    pp = pp_g[gid]
    if fits:
        thr = np.maximum(ka.astype(np.int64)[pp] * mad4, kt.astype(np.int64)[pp] * m4)
        return thr // table.denom
    thr = np.maximum(ka[pp] * mad4.astype(object), kt[pp] * m4.astype(object)) // table.denom
    return np.array([min(int(x), _I64_LIMIT) for x in thr], dtype=np.int64)


# ----------------------------------------------------------------------------- the method

def _validate(quotes: Quotes, n_products: int, params, product_params) -> np.ndarray:
    """Check the inputs; return product_params as int64."""
    pp = np.asarray(product_params, dtype=np.int64)
    if pp.shape != (n_products,):
        raise ValueError(f"product_params must have one entry per product ({n_products})")
    if n_products and (pp.min() < 0 or pp.max() >= len(params)):
        raise ValueError("product_params must index into params")
    if len(quotes):
        if quotes.product.min() < 0 or quotes.product.max() >= n_products:
            raise ValueError("quote product index out of range")
        if quotes.source.min() < 0 or quotes.source.max() >= N_SOURCES:
            raise ValueError("quote source out of range")
        if quotes.price_e4.min() < 0 or quotes.price_e4.max() >= MAX_PRICE_E4:
            raise ValueError(f"quote prices must lie in [0, {MAX_PRICE_E4}) e4")
    return pp


def compute_indicators(
    quotes: Quotes,
    n_products: int,
    params: Sequence[MethodParams],
    product_params: np.ndarray,
) -> Indicators:
    """The robust averages, kept quotes and monitored prices of a whole month (METHOD.md)."""
    params = tuple(params)
    if not params:
        raise ValueError("need at least one parameter set")
    pp = _validate(quotes, n_products, params, product_params)
    table = _table(params)
    n_groups = n_products * N_SOURCES
    pp_g = np.repeat(pp, N_SOURCES)
    price = quotes.price_e4

    g = quotes.product * np.int64(N_SOURCES)
    g += quotes.source
    n_quotes = np.bincount(g, minlength=n_groups).astype(np.int64)
    ends = np.cumsum(n_quotes)
    nz = n_quotes > 0
    gid = np.flatnonzero(nz)
    lo = (ends - n_quotes + (n_quotes - 1) // 2)[gid]
    hi = (ends - n_quotes + n_quotes // 2)[gid]
    del ends

    kept = np.ones(len(quotes), dtype=bool)
    m2 = np.zeros(n_groups, dtype=np.int64)  # 2 x median
    mad4 = np.zeros(n_groups, dtype=np.int64)  # 4 x MAD
    if gid.size:
        m2[gid] = _twice_group_medians(g, price, n_groups, gid, lo, hi)
        # d2 = 2|q - m|, an exact int; its group median is 2 x MAD, so lo + hi gives 4 x MAD.
        d2 = price * 2
        d2 -= m2[g]
        np.abs(d2, out=d2)
        mad4[gid] = _twice_group_medians(g, d2, n_groups, gid, lo, hi)
        lim = np.zeros(n_groups, dtype=np.int64)
        lim[gid] = _limits(table, pp_g, m2[gid], mad4[gid], gid)
        d2 *= 2  # now 4|q - m|
        np.less_equal(d2, lim[g], out=kept)
        del d2, lim

    g_kept = g[kept]
    del g
    n_kept = np.bincount(g_kept, minlength=n_groups).astype(np.int64)
    max_count = int(n_kept.max()) if n_kept.size else 0
    sum_kept = _group_sums(g_kept, price[kept], n_groups, max_count)
    del g_kept

    # Display floats (exact for m and MAD; see the module docstring).
    median_f = np.where(nz, m2 / 2.0, np.nan)
    mad_f = np.where(nz, mad4 / 4.0, np.nan)
    scale_f = np.maximum(table.mad_scale[pp_g] * mad_f, table.tol[pp_g] * median_f)
    threshold_f = table.k[pp_g] * scale_f

    has_kept = n_kept > 0
    avg_cents = np.where(has_kept, div_half_up(sum_kept, np.maximum(n_kept, 1) * 100), -1)
    counts = n_kept >= table.min_quotes[pp_g]

    shape = (n_products, N_SOURCES)
    n_kept, sum_kept, counts = n_kept.reshape(shape), sum_kept.reshape(shape), counts.reshape(shape)
    n_sources, monitored = _monitored(table, pp, n_kept, sum_kept, counts)
    return Indicators(
        quotes=quotes,
        params=params,
        product_params=pp,
        kept=kept,
        n_quotes=n_quotes.reshape(shape),
        n_kept=n_kept,
        sum_kept_e4=sum_kept,
        median_e4=median_f.reshape(shape),
        mad_e4=mad_f.reshape(shape),
        scale_e4=scale_f.reshape(shape),
        threshold_e4=threshold_f.reshape(shape),
        counts=counts,
        avg_cents=avg_cents.reshape(shape),
        n_sources=n_sources,
        monitored_cents=monitored,
    )


def _monitored(table, pp, n_kept, sum_kept, counts):
    """(n_sources, monitored_cents): the weighted mean of the counting sources' unrounded averages."""
    weights = np.where(counts, table.weights[pp], 0)
    wsum = weights.sum(axis=1)
    n_sources = counts.sum(axis=1).astype(np.int64)
    ok = (n_sources >= table.min_sources[pp]) & (wsum > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(counts, sum_kept / np.maximum(n_kept, 1), 0.0)
        cents = (weights * avg).sum(axis=1) / np.where(ok, wsum, 1) / 100.0
    cents = np.where(ok, cents, 0.0)
    low = np.floor(cents)
    monitored = np.where(ok, low + (cents - low >= 0.5), -1).astype(np.int64)
    guard = _TIE_GUARD_ABS + _TIE_GUARD_REL * np.abs(cents)
    near = np.flatnonzero(ok & (np.abs(cents - low - 0.5) <= guard))
    for p in near.tolist():  # exact: value = num / den over a common denominator, all Python ints
        used = [s for s in range(N_SOURCES) if counts[p, s]]
        common = math.prod(int(n_kept[p, s]) for s in used)
        num = sum(int(weights[p, s]) * int(sum_kept[p, s]) * (common // int(n_kept[p, s])) for s in used)
        den = int(wsum[p]) * 100 * common
        monitored[p] = (2 * num + den) // (2 * den)
    return n_sources, monitored


# ----------------------------------------------------------------------------- explanations

def _fmt(x: Decimal) -> str:
    """A price with at least 4 places, more only when needed (never scientific notation)."""
    if _places(x) <= 4:
        return format(x.quantize(Decimal("0.0001")), "f")
    return format(x.normalize(), "f")


def _explain(q: Decimal, m: Decimal, k: Decimal, s: Decimal) -> str:
    """Why a quote is dropped (>) or kept (≤), with the numbers."""
    with localcontext() as ctx:
        ctx.prec = 80
        dev, limit = abs(q - m), k * s
        op = ">" if dev > limit else "≤"
        return f"|q − m| = {_fmt(dev)} {op} k·s = {k} × {_fmt(s)} = {_fmt(limit)} (m = {_fmt(m)})"


def outlier_reason(indicators: Indicators, quote_index: int) -> str:
    """The explanation of one quote, e.g. '|q − m| = 512.0000 > k·s = 3 × 34.5000 = 103.5000 (m = 1144.0000)'."""
    ind, i = indicators, int(quote_index)
    p, s = int(ind.quotes.product[i]), int(ind.quotes.source[i])
    prm = ind.params[int(ind.product_params[p])]
    with localcontext() as ctx:
        ctx.prec = 80
        q = Decimal(int(ind.quotes.price_e4[i])).scaleb(-4)
        m = Decimal(float(ind.median_e4[p, s])).scaleb(-4)
        mad = Decimal(float(ind.mad_e4[p, s])).scaleb(-4)
        scale = max(prm.mad_scale * mad, prm.tol * m)
    return _explain(q, m, prm.k, scale)


# ----------------------------------------------------------------------------- scalar oracle

def _half_up(x: Fraction) -> int:
    """x rounded half away from zero to an int."""
    r = math.floor(abs(x) + Fraction(1, 2))
    return -r if x < 0 else r


def robust_average(prices: Sequence[Decimal], params: MethodParams) -> RobustResult:
    """The robust average of one source's quotes, plainly with Decimal (explanations; test oracle)."""
    with localcontext() as ctx:
        ctx.prec = 80
        qs = tuple(Decimal(p) for p in prices)
        if not qs:
            return RobustResult(prices=qs)
        m = statistics.median(qs)
        mad = statistics.median([abs(q - m) for q in qs])
        scale = max(params.mad_scale * mad, params.tol * m)
        limit = params.k * scale
        kept = tuple(abs(q - m) <= limit for q in qs)
        reasons = tuple(_explain(q, m, params.k, scale) for q in qs)
        kept_prices = [Fraction(q) for q, k in zip(qs, kept) if k]
    n_kept = len(kept_prices)
    mean = sum(kept_prices, Fraction(0)) / n_kept if n_kept else None
    return RobustResult(
        prices=qs,
        median=m,
        mad=mad,
        scale=scale,
        limit=limit,
        kept=kept,
        reasons=reasons,
        n_kept=n_kept,
        mean=mean,
        average_cents=_half_up(mean * 100) if mean is not None else None,
        counts=n_kept >= params.min_quotes,
    )


def monitored_price(results: Mapping[str, RobustResult], params: MethodParams) -> int | None:
    """The monitored price in cents from each source's RobustResult (None: insufficient)."""
    counting = [(params.weights[s], results[s].mean) for s in SOURCES if s in results and results[s].counts]
    wsum = sum((Fraction(w) for w, _ in counting), Fraction(0))
    if len(counting) < params.min_sources or wsum == 0:
        return None
    value = sum((Fraction(w) * mean for w, mean in counting), Fraction(0)) / wsum
    return _half_up(value * 100)


# ----------------------------------------------------------------------------- bands

def classify(
    mall_cents: np.ndarray,
    monitored_cents: np.ndarray,
    normal_max_e4: np.ndarray,
    delist_min_e4: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(deviation_e4, band code indexing BANDS) per listing; no monitored price (<= 0) -> band 0."""
    mall = np.asarray(mall_cents, dtype=np.int64)
    mon = np.asarray(monitored_cents, dtype=np.int64)
    dev = deviation_e4(mall, mon)
    band = np.where(dev <= normal_max_e4, 1, np.where(dev < delist_min_e4, 2, 3))
    band = np.where(mon > 0, band, 0).astype(np.int8)
    return dev, band


def evaluate_price(mall_cents: int, monitored_cents: int | None, params: MethodParams) -> tuple[int | None, str]:
    """(deviation_e4 or None, band name) of one price against a monitored price (agrees with classify)."""
    if monitored_cents is None or monitored_cents <= 0:
        return None, BANDS[0]
    dev = deviation_e4(int(mall_cents), int(monitored_cents))
    return dev, params.band_of(dev)
