"""The problems found in an input file, and the exception that rejects it whole."""
from __future__ import annotations

from pathlib import Path

#: At most this many problems are kept (and shown); the rest are only counted.
MAX_KEPT_ERRORS = 1000


class ImportRejected(Exception):
    """A file with at least one bad row: nothing of it may be stored.

    `errors` holds the messages kept (`line N, column NAME: what is wrong`), in line order;
    `total` counts every problem found, including those beyond the kept list.
    """

    def __init__(self, path, errors: list[str], total: int | None = None):
        self.path = Path(path)
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total
        super().__init__(str(self))

    @property
    def more(self) -> int:
        """How many problems were found but not kept."""
        return self.total - len(self.errors)

    def __str__(self) -> str:
        """A heading, then one problem per line."""
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{self.path.name}: rejected, nothing was imported ({self.total} {noun}):"]
        lines += self.errors
        if self.more:
            lines.append(f"... and {self.more} more")
        return "\n".join(lines)


class ErrorLog:
    """Collects the problems of one file, keeping the first MAX_KEPT_ERRORS of them."""

    def __init__(self, path, cap: int = MAX_KEPT_ERRORS):
        self.path = Path(path)
        self.cap = cap
        self.count = 0
        self._kept: list[tuple[int, int, str]] = []

    def add(self, line: int, column: str | None, message: str) -> None:
        """Record `line N, column NAME: message` (or `line N: message` without a column)."""
        self.count += 1
        if len(self._kept) < self.cap:
            where = f"line {line}, column {column}" if column else f"line {line}"
            self._kept.append((line, self.count, f"{where}: {message}"))

    def __bool__(self) -> bool:
        """Whether any problem was found."""
        return self.count > 0

    def __len__(self) -> int:
        """How many problems were found."""
        return self.count

    @property
    def messages(self) -> list[str]:
        """The kept messages, in line order (stable within a line)."""
        return [text for _line, _seq, text in sorted(self._kept)]

    def rejection(self) -> ImportRejected:
        """The exception that rejects the file with every problem found."""
        return ImportRejected(self.path, self.messages, self.count)

    def raise_if_any(self) -> None:
        """Reject the file when any problem was found."""
        if self.count:
            raise self.rejection()
