"""Small per-process caches: a bounded, thread-safe map of computed values, each computed once.

A value is kept under a key together with the *version* of the data it was computed from and is
computed again when the version moves or after `ttl` seconds (never, by default: for values whose
data cannot change, such as a finished check run's results or a report version). The least
recently used key goes first beyond `max_entries`. Concurrent requests for a key being computed
wait for that one computation instead of repeating it.

For the dashboard the version is the id of the newest event (every change of a case, listing,
import or check writes one) and the time limit bounds how stale a value can be where the version
can miss a change: on PostgreSQL, transactions may commit their event ids out of order, so a lower
id can become visible after a higher one was seen.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
_MISSING = object()


class VersionedCache:
    """Values by key, each valid for one data version and at most `ttl` seconds."""

    def __init__(self, ttl: float = math.inf, max_entries: int = 64, clock: Callable[[], float] = time.monotonic):
        """An empty cache; `clock` is injectable for tests."""
        self.ttl = ttl
        self.max_entries = max(1, int(max_entries))
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, object]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        """The value under `key` for `version`, computed (outside the cache's lock) when missing or stale."""
        value = self._fresh(key, version)
        if value is not _MISSING:
            return value  # type: ignore[return-value]
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        try:
            with computing:
                value = self._fresh(key, version)  # another thread may have computed it meanwhile
                if value is _MISSING:
                    started = self._clock()
                    value = compute()
                    with self._lock:
                        self._entries[key] = (version, started, value)
                        self._entries.move_to_end(key)
                        while len(self._entries) > self.max_entries:
                            self._entries.popitem(last=False)
        finally:
            with self._lock:
                self._computing.pop(key, None)
        return value  # type: ignore[return-value]

    def _fresh(self, key: Hashable, version: Hashable) -> object:
        """The value under `key` if computed for `version` less than `ttl` ago (marked as recently used)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version or self._clock() - entry[1] >= self.ttl:
                return _MISSING
            self._entries.move_to_end(key)
            return entry[2]
