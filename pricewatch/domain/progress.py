"""Progress reporting for long work (imports, the check, reports), framework-free."""
from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What long-running services report to; the CLI shows a bar, tests ignore it."""

    def stage(self, label: str, total: int | None = None) -> None:
        """Begin a named stage of `total` units (None: unknown)."""

    def advance(self, n: int = 1) -> None:
        """Record `n` more units done in the current stage."""

    def close(self) -> None:
        """Finish the last stage."""


class NullProgress:
    """Reports nothing."""

    def stage(self, label: str, total: int | None = None) -> None:
        """Ignore."""

    def advance(self, n: int = 1) -> None:
        """Ignore."""

    def close(self) -> None:
        """Ignore."""
