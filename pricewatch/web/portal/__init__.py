"""The case workflow on the web: supplier portal, evidence files, review, inbox, operations.

`register(app)` adds the blueprints (each module exposes `bp`, `NAV`, and maybe `init_app`), their
navigation items, and this package's Chinese messages.

Translations: the UI text is English msgids through Flask-Babel like the rest of the web layer.
Until the lead merges `translations/zh_CN/LC_MESSAGES/messages.po` of this package into the main
catalog (pricewatch/translations), it is attached to the main catalog as a gettext fallback, so
a message the main catalog does not translate is looked up here.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

#: The modules of this package that carry a blueprint, in registration order.
MODULES: tuple[str, ...] = (
    "pricewatch.web.portal.supplier",
    "pricewatch.web.portal.files",
    "pricewatch.web.portal.review",
    "pricewatch.web.portal.inbox",
    "pricewatch.web.portal.operations",
)

#: The portal's stylesheet (templates link it with url_for("portal_assets.static", filename="portal.css")).
assets = Blueprint("portal_assets", __name__, static_folder="static", static_url_path="/portal-static")


def register(app: Flask) -> None:
    """Register the portal's blueprints and navigation items on `app`."""
    from pricewatch.web import register_modules

    register_modules(app, MODULES, assets)


