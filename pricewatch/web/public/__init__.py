"""The published side of the monthly report: the public disclosure page and the dashboard's reports.

`register(app)` adds three blueprints:

- ``public`` (`views.py`, ``/public/``): the monthly summaries as published, for anyone, no sign-in,
  no session, no forms; cacheable (``Cache-Control: public``, an ETag).
- ``reports`` (`reports.py`, ``/reports/``): for monitors, administrators and viewers: the report of
  any period as CSV, XLSX, PDF or JSON (the published version or the current data), a range of
  periods, charts; monitors and administrators regenerate a period's report as a new version.
- ``public_assets``: this package's stylesheet at ``/public-static/``.

Translations: UI text is English msgids through Flask-Babel. This package's Chinese messages live in
``translations/zh_CN/LC_MESSAGES/messages.po`` here and are attached as a fallback of the main
catalog until the lead merges them into pricewatch/translations (then the fallback finds nothing
left to do). The names of the report's figures come from `pricewatch.reports.labels`, so the page
words them exactly as the published report files do.
"""
from __future__ import annotations


from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

#: The modules of this package that carry a blueprint, in registration order.
MODULES: tuple[str, ...] = ("pricewatch.web.public.views", "pricewatch.web.public.reports")

assets = Blueprint("public_assets", __name__, static_folder="static", static_url_path="/public-static")

#: Names of the mall's usual categories (a category not named here is shown by its code).
CATEGORY_LABELS = {
    "shredder": _l("Shredders"), "printer": _l("Printers"), "copier": _l("Copiers"),
    "paper": _l("Copy paper"), "toner": _l("Toner and cartridges"), "desktop": _l("Desktop computers"),
    "laptop": _l("Laptops"), "monitor": _l("Monitors"), "projector": _l("Projectors"),
    "furniture": _l("Office furniture"),
}


def category_label(code: str) -> str:
    """A category's name in the UI language (its code when unknown)."""
    label = CATEGORY_LABELS.get(code)
    return str(label) if label is not None else code


def register(app: Flask) -> None:
    """Register this package's blueprints and navigation items on `app`."""
    from pricewatch.web import register_modules

    register_modules(app, MODULES, assets)


