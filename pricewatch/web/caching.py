"""Small per-process caches for figures that many requests share and that change only with the data.

A value is kept under a key together with the *version* of the data it was computed from (for
the dashboard: the id of the newest event, since every change of a case, listing, import or check
writes one) and is computed again when the version moves or after `ttl` seconds. The time limit
bounds how stale a value can be where a version can miss a change: on PostgreSQL, transactions may
commit their event ids out of order, so a lower id can become visible after a higher one was seen.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class VersionedCache:
    """Values by key, each valid for one data version and at most `ttl` seconds."""

    def __init__(self, ttl: float = 5.0, max_entries: int = 64, clock: Callable[[], float] = time.monotonic):
        """An empty cache; `clock` is injectable for tests."""
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The value under `key` for `version`, computed (outside the lock) when missing or stale."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version and now - entry[1] < self.ttl:
                self._entries.move_to_end(key)
                return entry[2]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._entries[key] = (version, now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
