"""Figures of the monthly report computed without a database, and the pieces of its files."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricewatch.domain import report as fig
from pricewatch.reports import charts
from pricewatch.reports.cells import escape_text, plain
from pricewatch.reports.labels import LABELS, LOCALES, labels_for

C, N, U = fig.LINE_COMPLIANT, fig.LINE_NON_COMPLIANT, fig.LINE_UNCHECKED


def test_money_is_written_exactly_with_two_places():
    assert fig.money(114400) == "1144.00"
    assert fig.money(1) == "0.01"
    assert fig.money(-250) == "-2.50"


def test_the_high_price_share_counts_only_listings_with_a_monitored_price():
    assert fig.high_price_share({"insufficient": 10, "normal": 2, "evidence": 1, "delist": 1}) == 0.5
    assert fig.high_price_share({"insufficient": 3, "normal": 0, "evidence": 0, "delist": 0}) == 0.0
    assert fig.high_price_share({}) == 0.0


@pytest.mark.parametrize("unit, reference, discount, status, limit", [
    (9700, 10000, 300, C, 9700),      # 100.00 x 0.97 = 97.00: at the limit complies
    (9701, 10000, 300, N, 9700),      # one cent above does not
    (9749, 10050, 300, C, 9749),      # 100.50 x 0.97 = 97.485 -> 97.49 (half-up, not half-even 97.48)
    (9750, 10050, 300, N, 9749),
    (10000, 10000, 0, C, 10000),      # no discount promised: the reference itself
    (1, 0, 300, U, 0),                # no reference: unchecked
])
def test_a_line_complies_up_to_the_reference_less_the_committed_discount(unit, reference, discount,
                                                                         status, limit):
    got_status, got_limit = fig.classify_lines([unit], [reference], [discount])
    assert (int(got_status[0]), int(got_limit[0])) == (status, limit)


@settings(max_examples=200)
@given(st.integers(1, 10**9), st.integers(1, 10**9), st.integers(0, 9999))
def test_the_limit_agrees_with_decimal_round_half_up(unit, reference, discount):
    status, limit = fig.classify_lines([unit], [reference], [discount])
    expected = (Decimal(reference) / 100 * (1 - Decimal(discount) / 10000)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(int(limit[0])) / 100 == expected
    assert int(status[0]) == (C if Decimal(unit) / 100 <= expected else N)


def test_the_reference_falls_back_to_the_monitored_price():
    ref, fell_back = fig.line_references([10000, 0, 0], [9500, 9500, 0])
    assert ref.tolist() == [10000, 9500, 0]
    assert fell_back.tolist() == [False, True, False]


def test_an_order_is_non_compliant_when_any_line_is_and_unchecked_when_none_could_be_checked():
    orders = [1, 1, 2, 2, 3, 3, 4]
    status = [C, N, C, C, U, U, C]
    assert fig.classify_orders(orders, status) == {"orders": 4, "compliant": 2, "non_compliant": 1,
                                                   "unchecked": 1}
    assert fig.classify_orders([], []) == {"orders": 0, "compliant": 0, "non_compliant": 0, "unchecked": 0}


def test_the_index_markup_is_the_order_value_weighted_mean_over_lines_with_an_index_price():
    unit, qty, index = np.array([11000, 9000, 5000]), np.array([2, 1, 4]), np.array([10000, 10000, 0])
    value, weighted = fig.markup_terms(unit, qty, index)
    assert value.tolist() == [22000, 9000, 0]
    expected = (Fraction(22000) * Fraction(1, 10) + Fraction(9000) * Fraction(-1, 10)) / 31000
    assert fig.markup_ratio(weighted.sum(), int(value.sum())) == pytest.approx(float(expected), abs=1e-6)
    assert fig.markup_ratio(0.0, 0) is None


def test_a_tally_writes_its_figures_with_money_as_strings():
    tally = fig.Tally()
    tally.bands.update(normal=3, evidence=1)
    tally.lines.update(compliant=2, non_compliant=1)
    tally.order_value_cents, tally.savings_cents = 123456, 2200
    out = tally.figures()
    assert out["listings_checked"] == 4 and out["high_price_share"] == 0.25
    assert out["order_lines"] == {"lines": 3, "compliant": 2, "non_compliant": 1, "unchecked": 0}
    assert (out["order_value"], out["savings"], out["index_markup"]) == ("1234.56", "22.00", None)
    assert not tally.is_empty() and fig.Tally().is_empty()


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_escaped(text):
    assert escape_text(text) == "'" + text
    assert plain(text, "text") == "'" + text


def test_numbers_and_plain_text_are_not_escaped():
    assert escape_text("Alpha Office") == "Alpha Office"
    assert plain(-5, "int") == "-5"
    assert plain("-2.50", "money") == "-2.50"
    assert plain(0.5, "share") == "0.5000"
    assert plain(None, "rate") == ""


def test_every_label_exists_in_both_languages():
    assert all(set(texts) == set(LOCALES) and all(texts.values()) for texts in LABELS.values())
    assert labels_for("zh_CN")["title"] == "月度价格监测报告"
    assert labels_for("en_US")["high_price_share"] == "High-price share"
    assert labels_for("fr")["high_price_share"] == "价格偏高占比"


@pytest.mark.parametrize("value, step, top", [(0.5, 0.2, 0.6), (0.4, 0.1, 0.4), (0.37, 0.1, 0.4), (22.0, 10, 30),
                                              (0, 0.25, 1.0)])
def test_axes_end_on_a_round_number(value, step, top):
    assert charts.nice_scale(value) == pytest.approx((step, top))


def test_charts_are_well_formed_svg_with_escaped_labels():
    svgs = [charts.line_chart([("2026-09", 0.25), ("2026-10", 0.5)]),
            charts.bar_chart([("<b>", 22.0)]),
            charts.stacked_bars([("a&b <script>", {"normal": 2, "delist": 1})], ["normal", "delist"],
                                {"normal": "正常", "delist": "下架"}),
            charts.line_chart([], empty="无")]
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
    assert "a&amp;b &lt;script&gt;" in svgs[2] and "<script>" not in svgs[2]
