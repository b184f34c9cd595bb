"""Shared fixtures: settings, and a fresh database on each backend (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from pricewatch.config import load_settings
from pricewatch.db.models import Base
from pricewatch.db.session import make_engine, make_session_factory

PG_URL = os.environ.get("PRICEWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("PRICEWATCH_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


@pytest.fixture
def settings(tmp_path):
    """The test settings (config/testing.toml), with uploads under tmp_path."""
    return load_settings(
        override={"uploads": {"directory": str(tmp_path / "evidence")}},
        environ={"PRICEWATCH_ENV": "testing"},
    )


def _fresh_engine(backend: str, tmp_path):
    """An engine on an empty schema of `backend`, and a function that drops it."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        return engine, engine.dispose
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")

    def drop():
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return engine, drop


@pytest.fixture(params=BACKENDS)
def backend(request):
    """The database backend under test: each DB test runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def engine(backend, tmp_path):
    """A fresh, empty, migrated-by-models database on the backend under test."""
    eng, drop = _fresh_engine(backend, tmp_path)
    Base.metadata.create_all(eng)
    yield eng
    drop()


@pytest.fixture
def empty_engine(backend, tmp_path):
    """A fresh database with no tables at all (for migration tests)."""
    eng, drop = _fresh_engine(backend, tmp_path)
    yield eng
    drop()


@pytest.fixture
def db_url(engine):
    """The URL of the fresh database (PostgreSQL URLs carry the test schema in `options`)."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def runtime(settings, engine, db_url):
    """A Runtime (what the CLI, web and scheduler use) on the fresh database."""
    from pricewatch.runtime import Runtime

    settings["database_url"] = db_url
    rt = Runtime(settings)
    rt.__dict__["engine"] = engine  # share the fixture's engine (cached_property slot)
    return rt


@pytest.fixture
def session_factory(engine):
    """A session factory on the fresh database."""
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    """One session on the fresh database, closed after the test."""
    s = session_factory()
    yield s
    s.rollback()
    s.close()
