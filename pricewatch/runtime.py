"""The assembled service: settings, engine and session factory, built on demand."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pricewatch.config import load_settings, method_params
from pricewatch.db.session import make_engine, make_session_factory
from pricewatch.domain.params import MethodParams


@dataclass
class Runtime:
    """Everything an entry point (CLI, web, scheduler) needs, created once per process."""

    settings: dict

    @classmethod
    def from_environment(cls, override: Mapping | None = None) -> "Runtime":
        """Load settings from every layer (see config/defaults.toml)."""
        return cls(load_settings(override))

    @cached_property
    def engine(self) -> Engine:
        """The database engine (created on first use)."""
        return make_engine(self.settings["database_url"])

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on the engine."""
        return make_session_factory(self.engine)

    def params(self, category: str | None = None) -> MethodParams:
        """The method parameters in force for a category."""
        return method_params(self.settings, category)
