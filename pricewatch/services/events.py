"""Writing to the event log."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.models import Event


def _jsonable(value: Any) -> Any:
    """Decimals and dates as text, so the log reads back exactly."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_json(data: Mapping[str, Any] | None) -> str:
    """A mapping as JSON with exact decimals and ISO dates."""
    return json.dumps({k: _jsonable(v) for k, v in (data or {}).items()}, ensure_ascii=False, sort_keys=True)


def record_event(session: Session, *, actor: str, entity: str, entity_id: int, action: str,
                 from_state: str | None = None, to_state: str | None = None,
                 before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                 reason: str = "", case_id: int | None = None, listing_id: int | None = None,
                 supplier_id: int | None = None, at=None) -> Event:
    """Append one event (who, when, what, before and after) to the log."""
    event = Event(at=at or utcnow(), actor=actor, entity=entity, entity_id=entity_id, action=action,
                  from_state=from_state, to_state=to_state, before_json=to_json(before),
                  after_json=to_json(after), reason=reason, case_id=case_id, listing_id=listing_id,
                  supplier_id=supplier_id)
    session.add(event)
    return event
