"""The audit log browser: every event (who, when, what, before and after), filtered, newest first."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from pricewatch.services import queries
from pricewatch.web import NavItem, db_session, runtime
from pricewatch.web.security import restrict_blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
AUDIT_ROLES = ("monitor", "admin", "viewer")
restrict_blueprint(bp, *AUDIT_ROLES)

NAV = [NavItem("audit.events", _l("Audit log"), AUDIT_ROLES, 80)]


def _day(name: str) -> dt.date | None:
    """A YYYY-MM-DD query argument, or None when absent or malformed."""
    try:
        return dt.date.fromisoformat((request.args.get(name) or "").strip())
    except ValueError:
        return None


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    """The start of `day` in the configured time zone, as UTC."""
    zone = ZoneInfo(runtime().settings["timezone"])
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.timezone.utc)


def changes(event) -> list[tuple[str, object, object]]:
    """(key, before, after) for every key the event's before/after JSON names."""
    try:
        before, after = json.loads(event.before_json or "{}"), json.loads(event.after_json or "{}")
    except ValueError:
        return []
    return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))]


@bp.get("/")
def events():
    """The event log with filters on entity, actor, action and a date range (inclusive)."""
    entity = request.args.get("entity", "")
    filters = {
        "entity": entity if entity in queries.EVENT_ENTITIES else "",
        "actor": (request.args.get("actor") or "").strip(),
        "action": (request.args.get("action") or "").strip(),
        "from": _day("from"),
        "to": _day("to"),
    }
    page = queries.events_page(
        db_session(), entity=filters["entity"] or None, actor=filters["actor"] or None,
        action=filters["action"] or None,
        since=_local_midnight_utc(filters["from"]) if filters["from"] else None,
        until=_local_midnight_utc(filters["to"] + dt.timedelta(days=1)) if filters["to"] else None,
        cursor=request.args.get("cursor"), limit=current_app.config["PAGE_SIZE"])
    return render_template("audit/events.html", page=page, filters=filters,
                           entities=queries.EVENT_ENTITIES, changes=changes,
                           is_first_page=not request.args.get("cursor"))
