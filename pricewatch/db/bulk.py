"""Fast bulk writes through the DBAPI connection (executemany on SQLite, COPY on PostgreSQL).

Values are passed raw: money columns take their scaled integers (cents, 0.0001 units), dates
take ISO text on SQLite and `datetime.date` on PostgreSQL (see `date_param`).
"""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Iterable, Sequence

import numpy as np
from sqlalchemy.orm import Session

#: Rows fetched per round trip by `fetch_int_matrix`.
FETCH_ROWS = 200_000


def dbapi_connection(session: Session):
    """The raw DBAPI connection under the session's current transaction."""
    return session.connection().connection.driver_connection


def placeholder(session: Session) -> str:
    """The DBAPI parameter marker of the session's driver."""
    return "?" if session.get_bind().dialect.name == "sqlite" else "%s"


def fetch_int_matrix(session: Session, sql: str, params: tuple, ncols: int, progress=None) -> np.ndarray:
    """Run `sql` on the raw connection and collect its integer columns into an (n, ncols) array.

    `sql` uses `?` markers on SQLite and `%s` on PostgreSQL (see `placeholder`); `progress`, when
    given, is advanced by the rows of each round trip.
    """
    cur = dbapi_connection(session).cursor()
    cur.execute(sql, params)
    parts = []
    while True:
        chunk = cur.fetchmany(FETCH_ROWS)
        if not chunk:
            break
        flat = np.fromiter(itertools.chain.from_iterable(chunk), dtype=np.int64, count=len(chunk) * ncols)
        parts.append(flat.reshape(-1, ncols))
        if progress:
            progress.advance(len(chunk))
    cur.close()
    if not parts:
        return np.empty((0, ncols), dtype=np.int64)
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


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
