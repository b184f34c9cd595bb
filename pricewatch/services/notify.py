"""In-app notifications (the inbox). E-mail is sent later by the outbox dispatcher (emailed_at NULL).

Every text lives in TEMPLATES, keyed by kind, so the web layer can translate them in one place.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pricewatch.db.base import utcnow
from pricewatch.db.bulk import bulk_insert, datetime_param
from pricewatch.db.models import Notification, User

#: Roles that receive the monitors' notifications.
MONITOR_ROLES = ("monitor", "admin")

#: kind -> (subject, body); str.format placeholders are filled from the case (see `render`).
TEMPLATES: dict[str, tuple[str, str]] = {
    "case_opened": (
        "价格核查：请为商品 {listing_code} 提交价格证明",
        "您的商品 {listing_code}（{listing_name}）商城价 {mall_price} 元，监测价 {monitored_price} 元，"
        "偏离率 {deviation_pct}，超出正常范围。请在 {deadline_on}（含当日）前提交价格证明材料，"
        "或将价格降至 {max_normal_price} 元以下（含）；逾期未处理的商品将被下架。案件编号：{case_id}。",
    ),
    "case_delisted_on_open": (
        "价格核查：商品 {listing_code} 已下架",
        "您的商品 {listing_code}（{listing_name}）商城价 {mall_price} 元，监测价 {monitored_price} 元，"
        "偏离率 {deviation_pct}，达到下架标准，已立即下架。将价格降至 {max_normal_price} 元以下（含）后，"
        "可申请重新上架，经监测人员审核通过后恢复销售。案件编号：{case_id}。",
    ),
    "reminder": (
        "提醒：商品 {listing_code} 的处理期限还剩 {days_left} 天",
        "案件 {case_id}（商品 {listing_code}）的处理期限为 {deadline_on}（含当日），还剩 {days_left} 天。"
        "逾期未处理，商品将被自动下架。",
    ),
    "evidence_submitted": (
        "待审核：商品 {listing_code} 的价格证明已提交",
        "供应商 {supplier_name} 已为案件 {case_id}（商品 {listing_code}，商城价 {mall_price} 元，"
        "监测价 {monitored_price} 元）提交价格证明，请审核。",
    ),
    "evidence_accepted": (
        "价格证明已通过：商品 {listing_code}",
        "案件 {case_id}（商品 {listing_code}）的价格证明已审核通过，当前价格保持至下次价格核查。",
    ),
    "evidence_rejected": (
        "价格证明未通过：商品 {listing_code}",
        "案件 {case_id}（商品 {listing_code}）的价格证明未通过审核。理由：{reason}。"
        "请在 {deadline_on}（含当日）前将价格降至 {max_normal_price} 元以下（含），否则商品将被下架。",
    ),
    "price_lowered": (
        "案件已结案：商品 {listing_code} 已降价",
        "商品 {listing_code} 的价格已降至 {new_price} 元，处于正常范围，案件 {case_id} 已结案。",
    ),
    "case_opened_by_price_change": (
        "调价核查：请为商品 {listing_code} 提交价格证明",
        "您将商品 {listing_code}（{listing_name}）的价格调整为 {mall_price} 元，与最近一次核查的监测价 "
        "{monitored_price} 元相比偏离率为 {deviation_pct}，超出正常范围。请在 {deadline_on}（含当日）前"
        "提交价格证明材料，或将价格降至 {max_normal_price} 元以下（含）。案件编号：{case_id}。",
    ),
    "delisted": (
        "商品 {listing_code} 已下架",
        "商品 {listing_code}（{listing_name}）已下架。原因：{reason}。将价格降至 {max_normal_price} 元"
        "以下（含）后，可申请重新上架。案件编号：{case_id}。",
    ),
    "relist_requested": (
        "待审核：商品 {listing_code} 申请重新上架",
        "供应商 {supplier_name} 已将商品 {listing_code} 的价格降至 {mall_price} 元"
        "（监测价 {monitored_price} 元），申请重新上架，请审核。案件编号：{case_id}。",
    ),
    "relist_approved": (
        "重新上架已批准：商品 {listing_code}",
        "商品 {listing_code} 的重新上架申请已批准，商品已恢复销售。案件 {case_id} 已结案。",
    ),
    "relist_denied": (
        "重新上架未批准：商品 {listing_code}",
        "商品 {listing_code} 的重新上架申请未获批准。理由：{reason}。案件编号：{case_id}。",
    ),
}

#: Delisting reasons, filled into the `delisted` template.
DELIST_REASONS: dict[str, str] = {
    "lapse": "逾期未提交价格证明或未降价",
    "price_raised": "调价后偏离率达到下架标准",
    "delist_band": "价格核查偏离率达到下架标准",
    "relist_withdrawn": "申请重新上架后价格又超出正常范围，申请已撤回",
}


class _Blank(dict):
    """A format mapping that leaves unknown placeholders empty instead of failing."""

    def __missing__(self, key):
        """An unknown placeholder renders as nothing."""
        return ""


def render(kind: str, values: Mapping[str, object]) -> tuple[str, str]:
    """The (subject, body) of a notification kind with `values` filled in."""
    subject, body = TEMPLATES[kind]
    data = _Blank({k: ("" if v is None else v) for k, v in values.items()})
    return subject.format_map(data), body.format_map(data)


def supplier_user_ids(session: Session, supplier_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Active users per supplier (all suppliers, or only those given)."""
    query = select(User.supplier_id, User.id).where(User.is_active.is_(True), User.supplier_id.is_not(None))
    wanted = None if supplier_ids is None else set(supplier_ids)
    out: dict[int, list[int]] = defaultdict(list)
    for supplier_id, user_id in session.execute(query.order_by(User.id)):
        if wanted is None or supplier_id in wanted:
            out[supplier_id].append(user_id)
    return out


def monitor_user_ids(session: Session) -> list[int]:
    """Active monitors and admins."""
    return list(session.scalars(
        select(User.id).where(User.is_active.is_(True), User.role.in_(MONITOR_ROLES)).order_by(User.id)))


def _notify(session: Session, user_ids: Iterable[int], kind: str, subject: str, body: str,
            case_id: int | None, now: dt.datetime | None) -> int:
    """One Notification row per user; returns how many."""
    at = now or utcnow()
    rows = [Notification(user_id=u, kind=kind, subject=subject, body=body, case_id=case_id, created_at=at)
            for u in user_ids]
    session.add_all(rows)
    return len(rows)


def notify_supplier(session: Session, supplier_id: int, kind: str, subject: str, body: str,
                    case_id: int | None = None, *, now: dt.datetime | None = None) -> int:
    """Put a message in the inbox of every active user of the supplier; returns how many."""
    return _notify(session, supplier_user_ids(session, [supplier_id]).get(supplier_id, []),
                   kind, subject, body, case_id, now)


def notify_monitors(session: Session, kind: str, subject: str, body: str,
                    case_id: int | None = None, *, now: dt.datetime | None = None) -> int:
    """Put a message in the inbox of every active monitor and admin; returns how many."""
    return _notify(session, monitor_user_ids(session), kind, subject, body, case_id, now)


def notify_suppliers_bulk(session: Session, messages: Iterable[tuple[int, str, str, str, int | None]],
                          now: dt.datetime) -> int:
    """Many (supplier_id, kind, subject, body, case_id) messages at once, bulk-inserted."""
    users = supplier_user_ids(session)
    created = datetime_param(session, now)

    def rows():
        for supplier_id, kind, subject, body, case_id in messages:
            for user_id in users.get(supplier_id, ()):
                yield (user_id, kind, subject, body, case_id, created)

    return bulk_insert(session, "notifications",
                       ["user_id", "kind", "subject", "body", "case_id", "created_at"], rows())
