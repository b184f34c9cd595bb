"""Language, time zone and number formatting (Flask-Babel), with labels for the method's codes.

Catalogs: pricewatch/translations/<locale>/LC_MESSAGES/messages.po, compiled to .mo by
`pybabel compile -d pricewatch/translations`. When a .mo is missing or older than its .po, the .po
is read and compiled in memory, so the UI is translated even without the compile step.
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from babel import Locale, numbers, support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, Domain, format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
#: The UI languages, with their names as shown in the language switch.
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
LANG_COOKIE = "lang"

BAND_LABELS = {
    "insufficient": _l("Insufficient data"), "normal": _l("Normal"),
    "evidence": _l("Evidence required"), "delist": _l("Delist"),
}
SOURCE_LABELS = {
    "index": _l("Price index"), "gov": _l("Government markets"),
    "ecommerce": _l("E-commerce"), "retail": _l("Physical shops"),
}
STATE_LABELS = {
    "evidence_requested": _l("Evidence requested"), "evidence_submitted": _l("Evidence submitted"),
    "accepted": _l("Accepted"), "rejected": _l("Rejected"), "price_lowered": _l("Price lowered"),
    "delisted": _l("Delisted"), "relist_requested": _l("Relisting requested"), "relisted": _l("Relisted"),
}
#: Event-log actions (Event.action), as written by the services; unknown ones are shown as they are.
ACTION_LABELS = {
    "open": _l("Case opened"), "submit_evidence": _l("Evidence submitted"), "accept": _l("Evidence accepted"),
    "reject": _l("Evidence rejected"), "lower_price": _l("Price lowered"), "lapse": _l("Deadline passed"),
    "delist": _l("Delisted"), "relist": _l("Relisted"), "request_relisting": _l("Relisting requested"),
    "approve_relisting": _l("Relisting approved"), "deny_relisting": _l("Relisting denied"),
    "price_change": _l("Price changed"), "check_run": _l("Check run"), "file_uploaded": _l("File uploaded"),
    "integrity_failed": _l("File integrity check failed"), "login": _l("Signed in"),
    "login_failed": _l("Sign-in failed"), "locked": _l("Account locked"), "created": _l("User created"),
    "activated": _l("User activated"), "deactivated": _l("User deactivated"),
    "password_changed": _l("Password changed"), "password_reset": _l("Password reset"),
    "import_listings": _l("Listings imported"), "import_observations": _l("Price quotes imported"),
    "import_orders": _l("Orders imported"), "regenerate_report": _l("Report regenerated"),
}
ROLE_LABELS = {
    "admin": _l("Administrator"), "monitor": _l("Monitor"), "supplier": _l("Supplier"), "viewer": _l("Viewer"),
}


def load_catalog(directory: Path, locale: str) -> support.NullTranslations:
    """The messages of `locale`: its .mo when current, else its .po compiled in memory."""
    base = directory / locale / "LC_MESSAGES"
    mo, po = base / "messages.mo", base / "messages.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with open(mo, "rb") as fh:
            return support.Translations(fh, domain="messages")
    if po.exists():
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return support.Translations(buffer, domain="messages")
    return support.NullTranslations()


_PARSED: dict = {}


def language_of(locale) -> str:
    """The LANGUAGES key of a babel Locale (zh_CN parses as zh_Hans_CN), else its text."""
    if not _PARSED:
        _PARSED.update((name, parsed_locale(name)) for name in LANGUAGES)
    for name, parsed in _PARSED.items():
        if parsed == locale:
            return name
    return str(locale)


@lru_cache(maxsize=64)
def _language_of_locale(locale) -> str:
    """language_of, cached by locale value (a babel Locale hashes and compares by its parts)."""
    return language_of(locale)


def current_language() -> str:
    """The UI language of the current request, as a LANGUAGES key."""
    return _language_of_locale(get_locale())  # get_locale() follows force_locale, so the key does too


class CatalogDomain(Domain):
    """The messages domain, read from TRANSLATIONS_DIR through `load_catalog`, cached per LANGUAGES key."""

    def get_translations(self):
        """The current locale's translations (cached per language)."""
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        key = _language_of_locale(locale)
        if key not in self.cache:
            self.cache[key] = load_catalog(TRANSLATIONS_DIR, key)
        return self.cache[key]


class PricewatchBabel(Babel):
    """Flask-Babel with the .po fallback domain."""

    @cached_property
    def domain_instance(self):
        """The one domain of the application."""
        return CatalogDomain(translation_directories=[str(TRANSLATIONS_DIR)])


babel = PricewatchBabel()


@lru_cache(maxsize=16)
def parsed_locale(name: str) -> Locale:
    """The babel Locale of a name, parsed once (Locale.parse rescans Babel's whole locale list)."""
    return Locale.parse(name)


def select_locale() -> Locale:
    """?lang=, then the language cookie, then the user's own locale, then the default."""
    return parsed_locale(_selected_language())


def _selected_language() -> str:
    """The name of the locale select_locale picks."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return default


def _remember_language(response):
    """Keep a language chosen with ?lang= in a cookie."""
    lang = request.args.get("lang")
    if lang in LANGUAGES and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def language_url(lang: str) -> str:
    """The current page in another language."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
    return f"{request.path}?{urlencode(args)}"


# ----------------------------------------------------------------------------- formatting
# Babel's NumberPattern.apply, replayed with the same Decimal operations (so the same rounding:
# the context's, ROUND_HALF_EVEN by default) and the locale's 'latn' separators, without babel's
# per-call pattern and symbol look-ups. Babel writes the minus sign and the percent sign literally.

class _Pattern(NamedTuple):
    """A number pattern babel would render as [-]digits with 3-digit groups, a point and a suffix."""
    scale: int
    min_frac: int
    max_frac: int
    quantum: Decimal
    suffix: str


@lru_cache(maxsize=64)
def _pattern(format: str) -> _Pattern | None:
    """`format` parsed by babel, when the fast path renders it exactly; None to leave it to babel."""
    parsed = numbers.parse_pattern(format)
    plain = (parsed.prefix == ("", "-") and parsed.suffix[0] == parsed.suffix[1] and "'" not in format
             and parsed.grouping == (3, 3) and parsed.int_prec[0] == 1 and parsed.exp_prec is None
             and "@" not in format and parsed.number_pattern)
    if not plain:
        return None
    low, high = parsed.frac_prec
    return _Pattern(parsed.scale, low, high, numbers.get_decimal_quantum(high), parsed.suffix[0])


@lru_cache(maxsize=64)
def _separators(locale: Locale) -> dict | None:
    """A str.translate table from ',' and '.' to the locale's 'latn' group and decimal symbols; None for babel."""
    symbols = locale.number_symbols.get("latn")
    if symbols is None:
        return None
    group, point = symbols.get("group", ","), symbols.get("decimal", ".")
    if "'" in group + point:  # babel would strip quotes from its result
        return None
    return {} if (group, point) == (",", ".") else str.maketrans({",": group, ".": point})


def _format(value: Decimal, format: str) -> str:
    """What babel's format_decimal/format_percent(value, format) gives in the current locale."""
    locale = get_locale()
    pattern = _pattern(format)
    table = None if locale is None else _separators(locale)
    if pattern is None or table is None or not value.is_finite():
        return numbers.format_decimal(value, format=format, locale=locale)
    value = value.scaleb(pattern.scale)
    negative = value.is_signed()  # so -0.001 gives "-0.00", as babel does
    text = f"{abs(value).normalize().quantize(pattern.quantum):,f}"
    if pattern.max_frac > pattern.min_frac:  # optional places: drop their trailing zeros
        end = len(text)
        floor = end - (pattern.max_frac - pattern.min_frac)
        while end > floor and text[end - 1] == "0":
            end -= 1
        if pattern.min_frac == 0 and end == floor:
            end -= 1
        text = text[:end]
    if table:
        text = text.translate(table)
    return ("-" + text if negative else text) + pattern.suffix


def money(value: Decimal | None) -> str:
    """¥1,144.00 (grouping per locale); a dash when there is no amount."""
    if value is None:
        return "—"
    text = _format(abs(Decimal(value)), "#,##0.00")
    return f"-¥{text}" if value < 0 else f"¥{text}"


def price(value: Decimal | None) -> str:
    """A quoted price: 2 places, up to 4 when it has them."""
    if value is None:
        return "—"
    return "¥" + _format(Decimal(value), "#,##0.00##")


def pct(value: Decimal | None, places: int = 2) -> str:
    """A rate as a percentage: 0.2834 -> 28.34%."""
    if value is None:
        return "—"
    return _format(Decimal(value), "#,##0." + "0" * places + "%" if places else "#,##0%")


def signed_pct(value: Decimal | None) -> str:
    """A deviation as a signed percentage: +28.34%, -5.00%."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + pct(value)


def num(value) -> str:
    """An integer with grouping."""
    if value is None:
        return "—"
    return _format(value if isinstance(value, Decimal) else Decimal(str(value)), "#,##0")


@lru_cache(maxsize=4096)
def _date_text(locale: Locale, value: dt.date, format: str) -> str:
    """format_date's text, cached per locale (the current one when called), date and format."""
    return format_date(value, format)


def date(value, format: str = "medium") -> str:
    """A date per locale."""
    if value is None:
        return "—"
    if type(value) is dt.date:  # not a datetime: format_date first moves those to the user's zone
        locale = get_locale()
        if locale is not None:
            return _date_text(locale, value, format)
    return format_date(value, format)


def datetime(value, format: str = "medium") -> str:
    """A UTC datetime in the configured time zone, per locale."""
    return "—" if value is None else format_datetime(value, format)


def _label(table):
    """A filter showing a code's label (the code itself when unknown), translated once per language."""
    translated: dict[str, dict] = {}

    @pass_context  # else Jinja folds `"normal"|band_label` into the template, in the first request's language
    def label(context, code):
        """The label of `code` in the current language."""
        if not code:
            return "—"
        language = current_language()
        labels = translated.get(language)
        if labels is None:  # Markup, as the lazy string it replaces is inserted without escaping
            labels = translated[language] = {key: Markup(str(text)) for key, text in table.items()}
        return labels.get(code, code)

    return label


def init_app(app: Flask) -> None:
    """Babel with our locale selector, the language cookie, and the Jinja filters."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS_DIR))
    app.after_request(_remember_language)
    # The templates' _() and friends, straight to the one domain (Flask-Babel's own callables look
    # the domain up in the request context first, on every call; this app never sets another one).
    domain = babel.domain_instance
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters.update(
        money=money, price=price, pct=pct, signed_pct=signed_pct, num=num, date=date, datetime=datetime,
        band_label=_label(BAND_LABELS), source_label=_label(SOURCE_LABELS),
        state_label=_label(STATE_LABELS), role_label=_label(ROLE_LABELS), action_label=_label(ACTION_LABELS),
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, language_url=language_url,
                                 current_locale=current_language)
