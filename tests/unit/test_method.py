"""The monthly method (METHOD.md), vectorised, checked against examples and a plain Decimal oracle."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricewatch.domain.method import (
    Quotes,
    classify,
    compute_indicators,
    evaluate_price,
    monitored_price,
    outlier_reason,
    robust_average,
)
from pricewatch.domain.params import BANDS, SOURCE_CODE, SOURCES, MethodParams
from pricewatch.domain.rounding import NO_DEVIATION, to_e4

D = Decimal
DEFAULT = MethodParams()


def weights(**given) -> dict[str, Decimal]:
    """Weights of 1 for every source but those given."""
    return {s: D(str(given.get(s, 1))) for s in SOURCES}


def quotes_of(month: list[dict[str, list]]) -> Quotes:
    """Quotes from one {source: [prices]} dict per product, in product then source order."""
    product, source, price = [], [], []
    for p, by_source in enumerate(month):
        for s, prices in by_source.items():
            for q in prices:
                product.append(p)
                source.append(SOURCE_CODE[s])
                price.append(to_e4(D(str(q))))
    return Quotes(np.array(product, dtype=np.int64), np.array(source, dtype=np.int8), np.array(price, dtype=np.int64))


def run(month, params=(DEFAULT,), product_params=None):
    """compute_indicators on a list-of-dicts month."""
    pp = np.zeros(len(month), dtype=np.int64) if product_params is None else np.array(product_params)
    return compute_indicators(quotes_of(month), len(month), list(params), pp)


def exact_monitored(ind, p) -> Fraction:
    """The unrounded monitored price of product p in cents, from the exact sums (test helper)."""
    prm = ind.params[ind.product_params[p]]
    used = [c for c in range(4) if ind.counts[p, c]]
    wsum = sum(Fraction(prm.weights[SOURCES[c]]) for c in used)
    total = sum(Fraction(prm.weights[SOURCES[c]]) * Fraction(int(ind.sum_kept_e4[p, c]), int(ind.n_kept[p, c])) for c in used)
    return total / wsum / 100


def monitored(ind, p=0):
    """The monitored price of product p in cents, or None."""
    value = int(ind.monitored_cents[p])
    return None if value < 0 else value


def assert_matches_oracle(ind, month, params, product_params):
    """Every vectorised figure equals the scalar Decimal implementation's."""
    q = ind.quotes
    for p, by_source in enumerate(month):
        prm = params[product_params[p]]
        results = {}
        for s in SOURCES:
            prices = [D(str(x)) for x in by_source.get(s, [])]
            r = robust_average(prices, prm)
            results[s] = r
            c = SOURCE_CODE[s]
            idx = np.flatnonzero((q.product == p) & (q.source == c))
            assert ind.n_quotes[p, c] == len(prices)
            assert ind.kept[idx].tolist() == list(r.kept)
            assert [outlier_reason(ind, i) for i in idx] == list(r.reasons)
            assert ind.n_kept[p, c] == r.n_kept
            assert bool(ind.counts[p, c]) == r.counts
            assert ind.avg_cents[p, c] == (r.average_cents if r.n_kept else -1)
            if prices:
                assert D(float(ind.median_e4[p, c])).scaleb(-4) == r.median
                assert D(float(ind.mad_e4[p, c])).scaleb(-4) == r.mad
                assert math.isclose(ind.scale_e4[p, c], float(r.scale * 10000), rel_tol=1e-12, abs_tol=1e-9)
                assert D(int(ind.sum_kept_e4[p, c])) == sum(
                    (to_e4(x) for x, k in zip(prices, r.kept) if k), D(0)
                )
            else:
                assert math.isnan(ind.median_e4[p, c])
        assert monitored(ind, p) == monitored_price(results, prm)


# ----------------------------------------------------------------------------- examples

def test_a_wild_quote_is_dropped_and_the_reason_shows_the_numbers():
    ind = run([{"index": ["1144", "1150", "1130", "1656", "1144"], "gov": ["1100"]}])
    assert ind.kept.tolist() == [True, True, True, False, True, True]
    assert outlier_reason(ind, 3) == "|q − m| = 512.0000 > k·s = 3 × 57.2000 = 171.6000 (m = 1144.0000)"
    assert outlier_reason(ind, 1) == "|q − m| = 6.0000 ≤ k·s = 3 × 57.2000 = 171.6000 (m = 1144.0000)"
    assert ind.avg_cents[0].tolist() == [114200, 110000, -1, -1]
    assert monitored(ind) == 112100  # (1142 + 1100) / 2


def test_a_quote_exactly_k_times_s_from_the_median_is_kept_and_one_ten_thousandth_more_is_dropped():
    # m = 100, MAD = 0, s = tol * m = 5, k * s = 15
    ind = run([{"index": ["100", "100", "100", "115"], "gov": ["100", "100", "100", "115.0001"]}])
    assert ind.kept.tolist() == [True, True, True, True, True, True, True, False]


def test_the_mad_term_sets_the_scale_when_quotes_are_spread():
    # m = 100, deviations 0,0,10,10,20,20,44.478 -> MAD = 10, s = max(14.826, 5) = 14.826, k*s = 44.478
    spread = ["100", "90", "110", "80", "120", "100"]
    ind = run([{"gov": spread + ["144.478"], "retail": spread + ["144.4781"]}])
    assert ind.median_e4[0, 1] == 1_000_000 and ind.mad_e4[0, 1] == 100_000
    assert ind.scale_e4[0, 1] == pytest.approx(148_260)
    assert ind.kept.tolist() == [True] * 7 + [True] * 6 + [False]


def test_a_quote_less_than_a_ten_thousandth_beyond_k_times_s_is_still_dropped():
    # tol = 0: m = 100.0002, MAD = 0.0002, k*s = 3 x 1.4826 x 0.0002 = 0.00088956 < 0.0009
    prm = MethodParams(tol=D(0))
    ind = run([{"index": ["100", "100", "100", "100.0004", "100.0004", "100.0011"]}], [prm])
    assert ind.kept.tolist() == [True] * 5 + [False]
    assert outlier_reason(ind, 5) == "|q − m| = 0.0009 > k·s = 3 × 0.00029652 = 0.00088956 (m = 100.0002)"


@pytest.mark.parametrize(
    "month, source_weights, expected",
    [
        # the brief's tie: both averages are 100.005 -> 100.01 (half-up, not half-even)
        ([{"index": ["100.00", "100.01"], "gov": ["100.005"]}], {}, 10001),
        ([{"index": ["100.00", "100.01"], "gov": ["100.00", "100.01"]}], {}, 10001),
        # exact value 10000.175, which float64 computes as 1000017.4999999999 cents
        (
            [{"index": ["10000.05", "10000.18", "10000.12"], "gov": ["10000.16", "10000.29", "10000.10"]}],
            {"gov": 7},
            1000018,
        ),
    ],
)
def test_a_half_cent_tie_in_the_monitored_price_is_rounded_up_exactly(month, source_weights, expected):
    prm = MethodParams(weights=weights(**source_weights))
    assert monitored(run(month, [prm])) == expected


def test_the_float_shortcut_alone_would_round_that_tie_down():
    # The same figures as above, the way a float64 pipeline sees them: why the exact recheck exists.
    index, gov = (100000500 + 100001800 + 100001200) / 3, (100001600 + 100002900 + 100001000) / 3
    cents = (index + 7 * gov) / 8 / 100
    assert math.floor(cents + 0.5) == 1000017


@pytest.mark.parametrize(
    "mall, monitored_cents, deviation, band",
    [
        (12000, 10000, 2000, "normal"),
        (12001, 10000, 2001, "evidence"),
        (14999, 10000, 4999, "evidence"),
        (15000, 10000, 5000, "delist"),
        (12004, 10003, 2000, "normal"),  # 0.20004 rounds to 0.2000 before the comparison
        (100001, 83334, 2000, "normal"),  # 0.2000024
        (24001, 20000, 2001, "evidence"),  # 0.20005 rounds half-up
        (29999, 20000, 5000, "delist"),  # 0.49995 rounds half-up to 0.5000
        (5000, 10000, -5000, "normal"),
    ],
)
def test_band_edges_are_taken_on_the_rounded_deviation(mall, monitored_cents, deviation, band):
    dev, codes = classify(np.array([mall]), np.array([monitored_cents]), np.array([2000]), np.array([5000]))
    assert (dev.tolist(), BANDS[codes[0]]) == ([deviation], band)
    assert evaluate_price(mall, monitored_cents, DEFAULT) == (deviation, band)


def test_no_monitored_price_is_insufficient():
    dev, codes = classify(np.array([100, 100]), np.array([-1, 0]), 2000, 5000)
    assert dev.tolist() == [NO_DEVIATION, NO_DEVIATION]
    assert codes.tolist() == [0, 0]
    assert evaluate_price(100, None, DEFAULT) == (None, "insufficient")
    assert evaluate_price(100, -1, DEFAULT) == (None, "insufficient")


def test_a_product_with_quotes_from_a_single_source_is_insufficient():
    ind = run([{"ecommerce": ["10", "11", "12", "10.5"]}])
    assert ind.n_sources.tolist() == [1]
    assert monitored(ind) is None
    assert ind.avg_cents[0, 2] == 1088  # the source average is still reported


def test_a_source_counts_only_with_min_quotes_kept_quotes():
    prm = MethodParams(min_quotes=3, min_sources=1)
    ind = run([{"index": ["10", "10", "999"], "gov": ["20", "20", "20"]}], [prm])
    assert ind.n_kept[0, :2].tolist() == [2, 3]  # 999 was dropped, leaving index two quotes
    assert ind.counts[0].tolist() == [False, True, False, False]
    assert monitored(ind) == 2000


def test_min_sources_decides_between_a_price_and_insufficient():
    month = [{"index": ["10"], "gov": ["12"], "retail": ["14"]}]
    assert monitored(run(month, [MethodParams(min_sources=3)])) == 1200
    assert monitored(run(month, [MethodParams(min_sources=4)])) is None


def test_zero_weights_on_every_counting_source_leave_the_product_insufficient():
    prm = MethodParams(weights=weights(index=0, gov=0), min_sources=2)
    ind = run([{"index": ["10"], "gov": ["12"]}, {"index": ["10"], "retail": ["16"]}], [prm])
    assert ind.n_sources.tolist() == [2, 2]
    assert ind.monitored_cents.tolist() == [-1, 1600]


def test_weights_and_k_follow_each_products_own_parameter_set():
    plain = MethodParams()
    strict = MethodParams(k=D("0.5"), weights=weights(index=3))
    same = {"index": ["100", "104", "100", "100"], "gov": ["200"]}
    ind = run([same, same], [plain, strict], product_params=[0, 1])
    # product 0: 104 kept (4 <= 3 x 5), equal weights -> (101 + 200) / 2
    assert ind.kept[:5].tolist() == [True] * 5
    assert monitored(ind, 0) == 15050
    # product 1: 104 dropped (4 > 0.5 x 5), index weighs 3 -> (3 x 100 + 200) / 4
    assert ind.kept[5:].tolist() == [True, False, True, True, True]
    assert monitored(ind, 1) == 12500


def test_an_empty_month_gives_every_product_insufficient():
    empty = Quotes(np.array([], dtype=np.int64), np.array([], dtype=np.int8), np.array([], dtype=np.int64))
    ind = compute_indicators(empty, 3, [DEFAULT], np.zeros(3, dtype=np.int64))
    assert ind.kept.shape == (0,)
    assert ind.n_quotes.shape == (3, 4) and not ind.n_quotes.any()
    assert ind.monitored_cents.tolist() == [-1, -1, -1]
    assert (ind.avg_cents == -1).all() and np.isnan(ind.median_e4).all()
    none = compute_indicators(empty, 0, [DEFAULT], np.zeros(0, dtype=np.int64))
    assert none.monitored_cents.shape == (0,)


def test_bad_inputs_are_refused():
    q = quotes_of([{"index": ["1"]}])
    with pytest.raises(ValueError):
        compute_indicators(q, 1, [DEFAULT], np.array([1]))  # no parameter set 1
    with pytest.raises(ValueError):
        compute_indicators(q, 0, [DEFAULT], np.zeros(0, dtype=np.int64))  # product 0 does not exist
    with pytest.raises(ValueError):
        compute_indicators(Quotes([0], [0], [-1]), 1, [DEFAULT], np.array([0]))  # negative price


def test_huge_prices_take_the_exact_fallbacks_and_still_match_the_oracle():
    # Prices near 2**50 e4 overflow the combined sort key, the k*s products and float sums.
    top = D(2**50 - 1).scaleb(-4)
    month = [
        {
            "index": [top, top - 1, top - D("0.0001")] * 8 + [top - D("0.0004"), top - D("0.0006")],
            "gov": [top, D(2**49).scaleb(-4), D(2**48).scaleb(-4), D("0.0001")],
        }
    ]
    month += [{"gov": ["1"]}] * 5000  # many groups, so group * span overflows int64
    prm = MethodParams(tol=D(0))
    ind = run(month, [prm])
    assert_matches_oracle(ind, month[:1], [prm], [0])
    assert ind.kept[:26].tolist() == [True, False, True] * 8 + [True, False]
    assert ind.n_kept[1:, 1].tolist() == [1] * 5000


# ----------------------------------------------------------------------------- properties

GRID = ["0.0001", "80", "85", "90", "95", "97.5", "99.99", "100", "100", "100.005", "100.01",
        "102.5", "105", "110", "115", "115.0001", "120", "150", "1000"]
price_st = st.one_of(
    st.sampled_from(GRID).map(D),
    st.integers(1, 3_000_000).map(lambda e4: D(e4).scaleb(-4)),
    st.integers(999_980, 1_000_030).map(lambda e4: D(e4).scaleb(-4)),  # fine steps around 100
)
params_st = st.builds(
    MethodParams,
    k=st.sampled_from(["0.5", "1", "2.5", "3"]).map(D),
    tol=st.sampled_from(["0", "0.01", "0.05", "0.1"]).map(D),
    mad_scale=st.sampled_from(["1", "1.4826"]).map(D),
    min_quotes=st.integers(1, 3),
    min_sources=st.integers(1, 3),
    weights=st.fixed_dictionaries({s: st.sampled_from(["0", "0.5", "1", "1", "1.25", "3"]).map(D) for s in SOURCES}),
)
month_st = st.lists(
    st.dictionaries(st.sampled_from(SOURCES), st.lists(price_st, max_size=7), max_size=4),
    min_size=1,
    max_size=5,
)


@st.composite
def months_with_params(draw):
    """A random month, parameter sets and each product's set."""
    month = draw(month_st)
    params = draw(st.lists(params_st, min_size=1, max_size=3))
    pp = draw(st.lists(st.integers(0, len(params) - 1), min_size=len(month), max_size=len(month)))
    return month, params, pp


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months_with_params())
def test_vectorised_results_equal_the_scalar_oracle(case):
    month, params, pp = case
    ind = run(month, params, pp)
    assert_matches_oracle(ind, month, params, pp)


@settings(max_examples=100, deadline=None)
@given(months_with_params(), st.randoms(use_true_random=False))
def test_permuting_the_quotes_changes_nothing(case, rnd):
    month, params, pp = case
    q = quotes_of(month)
    perm = np.array(rnd.sample(range(len(q)), len(q)), dtype=np.int64)
    shuffled = Quotes(q.product[perm], q.source[perm], q.price_e4[perm])
    a = compute_indicators(q, len(month), params, np.array(pp))
    b = compute_indicators(shuffled, len(month), params, np.array(pp))
    assert b.kept.tolist() == a.kept[perm].tolist()
    for name in ("n_quotes", "n_kept", "sum_kept_e4", "counts", "avg_cents", "n_sources", "monitored_cents"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name
    np.testing.assert_array_equal(a.median_e4, b.median_e4)
    np.testing.assert_array_equal(a.scale_e4, b.scale_e4)


@settings(max_examples=100, deadline=None)
@given(months_with_params(), st.integers(2, 1000))
def test_scaling_every_price_by_an_integer_scales_the_results(case, factor):
    month, params, pp = case
    q = quotes_of(month)
    a = compute_indicators(q, len(month), params, np.array(pp))
    b = compute_indicators(Quotes(q.product, q.source, q.price_e4 * factor), len(month), params, np.array(pp))
    assert b.kept.tolist() == a.kept.tolist()
    assert b.sum_kept_e4.tolist() == (a.sum_kept_e4 * factor).tolist()
    np.testing.assert_array_equal(b.median_e4, a.median_e4 * factor)
    has = a.monitored_cents >= 0
    assert (b.monitored_cents >= 0).tolist() == has.tolist()
    for p in np.flatnonzero(has):
        value = exact_monitored(a, p)  # in cents, before rounding
        assert b.monitored_cents[p] == math.floor(value * factor + Fraction(1, 2))
        # each rounding to cents moves a value by at most half a cent
        assert abs(int(b.monitored_cents[p]) - factor * int(a.monitored_cents[p])) <= (factor + 1) / 2
        if value.denominator == 1:  # no rounding involved: exactly proportional
            assert b.monitored_cents[p] == factor * a.monitored_cents[p]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(1, 10**8), min_size=4, max_size=12),
    st.integers(0, 11),
    st.sampled_from(SOURCES),
)
def test_one_wild_quote_never_pulls_the_robust_average_outside_the_sane_quotes(sane_cents, where, source):
    wild = 100 * max(sane_cents)
    cents = sane_cents[:where] + [wild] + sane_cents[where:]
    month = [{source: [D(c).scaleb(-2) for c in cents]}]
    ind = run(month)
    c = SOURCE_CODE[source]
    assert not ind.kept[min(where, len(sane_cents))]
    mean = ind.sum_kept_e4[0, c] / ind.n_kept[0, c] / 100
    assert min(sane_cents) <= mean <= max(sane_cents)
    assert min(sane_cents) <= ind.avg_cents[0, c] <= max(sane_cents)


@settings(max_examples=200)
@given(st.integers(0, 10**9), st.integers(-5, 10**9), params_st)
def test_evaluate_price_agrees_with_classify(mall, monitored_cents, prm):
    dev, codes = classify(
        np.array([mall]), np.array([monitored_cents]), np.array([prm.normal_max_e4]), np.array([prm.delist_min_e4])
    )
    got_dev, band = evaluate_price(mall, monitored_cents, prm)
    assert band == BANDS[codes[0]]
    assert (got_dev if got_dev is not None else NO_DEVIATION) == dev[0]


def test_robust_average_of_no_quotes_has_no_average():
    r = robust_average([], DEFAULT)
    assert (r.median, r.mean, r.average_cents, r.counts) == (None, None, None, False)
