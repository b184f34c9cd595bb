"""The fast Jinja filters of web/i18n.py give exactly what the Flask-Babel calls they replace gave."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import flask_babel
import pytest
from flask import render_template_string
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pricewatch.web import i18n
from tests.web.conftest import login

LOCALES = sorted(i18n.LANGUAGES)
#: Decimals with 0-6 places up to 1e12 either side (trailing zeros kept: 1500000 × 10⁻⁶ is 1.500000).
DECIMALS = st.integers(0, 6).flatmap(
    lambda places: st.integers(-10**(12 + places), 10**(12 + places)).map(lambda n: Decimal(n).scaleb(-places)))

def old_money(value):
    """web/i18n.py's money before the fast path."""
    if value is None:
        return "—"
    text = flask_babel.format_decimal(abs(Decimal(value)), format="#,##0.00")
    return f"-¥{text}" if value < 0 else f"¥{text}"


def old_price(value):
    """web/i18n.py's price before the fast path."""
    return "—" if value is None else "¥" + flask_babel.format_decimal(Decimal(value), format="#,##0.00##")


def old_pct(value, places=2):
    """web/i18n.py's pct before the fast path."""
    if value is None:
        return "—"
    return flask_babel.format_percent(Decimal(value), format="#,##0." + "0" * places + "%" if places else "#,##0%")


def old_signed_pct(value):
    """web/i18n.py's signed_pct before the fast path."""
    return "—" if value is None else ("+" if value > 0 else "") + old_pct(value)


def old_num(value):
    """web/i18n.py's num before the fast path."""
    return "—" if value is None else flask_babel.format_decimal(value, format="#,##0")


def old_date(value, format="medium"):
    """web/i18n.py's date before the cache."""
    return "—" if value is None else flask_babel.format_date(value, format)


#: The old implementation of each number filter taking one value.
OLD = {"money": old_money, "price": old_price, "signed_pct": old_signed_pct, "num": old_num}


def in_language(app, lang: str):
    """A request context whose language is chosen with ?lang=."""
    return app.test_request_context(f"/?lang={lang}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lang=st.sampled_from(LOCALES), value=DECIMALS)
@example(lang="en", value=Decimal("-0")).via("negative zero")
@example(lang="zh_CN", value=Decimal("-0.001")).via("rounds to zero, keeps babel's minus")
@example(lang="en", value=Decimal("0.005")).via("half-even tie, down")
@example(lang="en", value=Decimal("0.015")).via("half-even tie, up")
@example(lang="zh_CN", value=Decimal("0.000125")).via("half-even tie in a percentage")
@example(lang="en", value=Decimal("2.5")).via("half-even tie of num")
@example(lang="zh_CN", value=Decimal("1E+12")).via("positive exponent")
@example(lang="en", value=Decimal("-999999999999.999999")).via("rounds up into a new group")
def test_number_filters_equal_the_babel_calls(app, lang, value):
    with in_language(app, lang):
        for name, old in OLD.items():
            assert getattr(i18n, name)(value) == old(value), (name, lang, value)
        for places in range(5):
            assert i18n.pct(value, places) == old_pct(value, places), (places, lang, value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lang=st.sampled_from(LOCALES), value=st.integers(-10**15, 10**15))
def test_ints_equal_the_babel_calls(app, lang, value):
    with in_language(app, lang):
        assert i18n.num(value) == old_num(value)
        assert i18n.money(value) == old_money(value) and i18n.price(value) == old_price(value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lang=st.sampled_from(LOCALES), value=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
       format=st.sampled_from(["short", "medium", "long", "full", "yyyy-MM-dd", "MMM d"]))
def test_dates_equal_the_babel_call_in_each_language(app, lang, value, format):
    with in_language(app, lang):
        assert i18n.date(value, format) == old_date(value, format)
        assert i18n.date(value) == old_date(value)


def test_a_dash_stands_for_no_value(app):
    with in_language(app, "en"):
        assert {f(None) for f in (i18n.money, i18n.price, i18n.pct, i18n.signed_pct, i18n.num, i18n.date)} == {"—"}


@pytest.mark.parametrize("lang", LOCALES)
def test_known_figures(app, lang):
    with in_language(app, lang):
        assert i18n.money(Decimal("-1144")) == "-¥1,144.00" and i18n.money(Decimal("0.005")) == "¥0.00"
        assert i18n.price(Decimal("2.34567")) == "¥2.3457" and i18n.price(Decimal("1234.5")) == "¥1,234.50"
        assert [i18n.pct(Decimal("0.28345"), p) for p in range(5)] == ["28%", "28.3%", "28.34%", "28.345%", "28.3450%"]
        assert i18n.signed_pct(Decimal("0.2834")) == "+28.34%" and i18n.signed_pct(Decimal("-0.00001")) == "-0.00%"
        assert i18n.num(1234567) == "1,234,567" and i18n.num(Decimal("2.5")) == "2" and i18n.num(0) == "0"


def test_other_locales_keep_their_separators(app):
    with app.test_request_context(), flask_babel.force_locale("de"):
        assert i18n.money(Decimal("1234.5")) == old_money(Decimal("1234.5")) == "¥1.234,50"
    with app.test_request_context(), flask_babel.force_locale("fr"):
        assert i18n.pct(Decimal("12.345"), 1) == old_pct(Decimal("12.345"), 1) == "1\u202f234,5%"


def test_a_datetime_is_still_shown_in_the_user_time_zone(app):
    late = dt.datetime(2026, 10, 31, 20, 0, tzinfo=dt.timezone.utc)  # 1 November in Asia/Shanghai
    with in_language(app, "en"):
        assert i18n.date(late, "yyyy-MM-dd") == old_date(late, "yyyy-MM-dd") == "2026-11-01"


def test_labels_follow_the_language_within_one_app(app):
    template = "{{ 'evidence'|band_label }}|{{ 'accepted'|state_label }}|{{ 'admin'|role_label }}" \
               "|{{ 'open'|action_label }}|{{ 'index'|source_label }}|{{ 'bogus<'|band_label }}|{{ ''|band_label }}"
    chinese = "需提交佐证|已采纳|管理员|开立案件|价格指数|bogus&lt;|—"
    english = "Evidence required|Accepted|Administrator|Case opened|Price index|bogus&lt;|—"
    with in_language(app, "en"):
        compiled = app.jinja_env.from_string(template)  # compiled once, as a template file would be
    for lang, expected in [("zh_CN", chinese), ("en", english), ("zh_CN", chinese)]:
        with in_language(app, lang):
            assert compiled.render() == render_template_string(template) == expected
            assert i18n.current_language() == lang
    with in_language(app, "zh_CN"):
        with flask_babel.force_locale("en"):
            assert render_template_string(template) == english and i18n.current_language() == "en"
        assert render_template_string(template) == chinese and i18n.current_language() == "zh_CN"


def test_labels_render_as_the_lazy_strings_did(app):
    tables = {"band_label": i18n.BAND_LABELS, "state_label": i18n.STATE_LABELS, "role_label": i18n.ROLE_LABELS,
              "action_label": i18n.ACTION_LABELS, "source_label": i18n.SOURCE_LABELS}
    for lang in LOCALES:
        with in_language(app, lang):
            for name, table in tables.items():
                for code, lazy in table.items():
                    fast = render_template_string(f"{{{{ code|{name} }}}} {{{{ _('%(s)s', s=code|{name}) }}}}",
                                                  code=code)
                    assert fast == render_template_string("{{ lazy }} {{ _('%(s)s', s=lazy) }}", lazy=lazy)


def test_pages_switch_language_with_lang(client, seeded):
    login(client, "monitor")
    english = client.get("/monitor/runs?lang=en").get_data(as_text=True)
    assert "Evidence required" in english and "Insufficient data" in english and "需提交佐证" not in english
    chinese = client.get("/monitor/runs?lang=zh_CN").get_data(as_text=True)
    assert "需提交佐证" in chinese and "Evidence required" not in chinese
