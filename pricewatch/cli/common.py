"""Shared pieces of the command line: the runtime, progress bars, error handling."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import click

from pricewatch.runtime import Runtime


class BadInput(click.ClickException):
    """Bad input: the message goes to stderr and the exit status is 1."""

    exit_code = 1

    def show(self, file=None):
        """Print `error: message` on stderr."""
        click.echo(f"error: {self.format_message()}", err=True)


def get_runtime() -> Runtime:
    """The Flask app's runtime when run as `flask pricewatch`, else one from the environment."""
    try:
        from flask import current_app

        return current_app.extensions["pricewatch"]
    except (RuntimeError, KeyError, ImportError):
        pass
    ctx = click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        try:
            root.obj = Runtime.from_environment()
        except ValueError as exc:
            raise BadInput(f"configuration: {exc}") from exc
    return root.obj


class BarProgress:
    """A tqdm progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, enabled: bool | None = None):
        """Show bars only on a terminal unless told otherwise."""
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar = None

    def stage(self, label: str, total: int | None = None) -> None:
        """Close the previous bar and open one for this stage."""
        self.close()
        if self.enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="", unit_scale=True, file=sys.stderr,
                             dynamic_ncols=True, leave=False)

    def advance(self, n: int = 1) -> None:
        """Move the bar on."""
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def committing(runtime: Runtime) -> Iterator:
    """A session committed when the block ends cleanly and rolled back otherwise."""
    session = runtime.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
