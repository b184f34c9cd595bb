"""Fast bulk writes through the DBAPI connection (executemany on SQLite, COPY on PostgreSQL).

Values are passed raw: money columns take their scaled integers (cents, 0.0001 units), dates
take ISO text on SQLite and `datetime.date` on PostgreSQL (see `date_param`).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from sqlalchemy.orm import Session


def dbapi_connection(session: Session):
    """The raw DBAPI connection under the session's current transaction."""
    return session.connection().connection.driver_connection


def date_param(session: Session, day: dt.date):
    """A date as the driver stores it (SQLAlchemy's SQLite dialect keeps ISO text)."""
    return day.isoformat() if session.get_bind().dialect.name == "sqlite" else day


def datetime_param(session: Session, moment: dt.datetime):
    """A UTC datetime as the UTCDateTime column stores it (naive UTC)."""
    naive = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return naive.isoformat(sep=" ") if session.get_bind().dialect.name == "sqlite" else naive


def bulk_insert(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert many rows into `table` in the session's transaction; returns how many."""
    conn = dbapi_connection(session)
    cols = ", ".join(columns)
    count = 0
    if session.get_bind().dialect.name == "sqlite":
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
        cur = conn.cursor()
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 50_000:
                cur.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
            count += len(batch)
        cur.close()
        return count
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count
