"""The dashboard's figure cache: kept for one data version, at most ttl seconds, a bounded number of keys."""
from pricewatch.caching import VersionedCache


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting():
    """A compute function that returns how often it has been called."""
    calls = []
    return calls, lambda: calls.append(1) or len(calls)


def test_a_value_is_reused_for_the_same_version_within_the_ttl():
    clock, (calls, compute) = Clock(), counting()
    cache = VersionedCache(ttl=5, clock=clock)
    assert cache.get("k", 7, compute) == 1
    clock.now += 4.9
    assert cache.get("k", 7, compute) == 1 and len(calls) == 1


def test_a_new_version_or_an_expired_value_is_computed_again():
    clock, (calls, compute) = Clock(), counting()
    cache = VersionedCache(ttl=5, clock=clock)
    cache.get("k", 7, compute)
    assert cache.get("k", 8, compute) == 2          # an event was written
    clock.now += 5.0
    assert cache.get("k", 8, compute) == 3          # too old, even at the same version
    assert cache.get("other", 8, compute) == 4      # keys are separate


def test_the_least_recently_used_key_is_dropped_beyond_the_limit():
    clock, (calls, compute) = Clock(), counting()
    cache = VersionedCache(ttl=60, max_entries=2, clock=clock)
    cache.get("a", 1, compute)
    cache.get("b", 1, compute)
    cache.get("a", 1, compute)                       # a is now the most recent
    cache.get("c", 1, compute)                       # drops b
    assert len(calls) == 3
    cache.get("a", 1, compute)
    assert len(calls) == 3
    cache.get("b", 1, compute)
    assert len(calls) == 4


def test_concurrent_requests_for_a_key_wait_for_one_computation():
    import threading

    gate, calls, got = threading.Event(), [], []
    cache = VersionedCache()

    def slow():
        calls.append(1)
        gate.wait(5)
        return "value"

    threads = [threading.Thread(target=lambda: got.append(cache.get("k", 1, slow))) for _ in range(6)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert calls == [1] and got == ["value"] * 6


def test_a_failed_computation_is_not_kept():
    cache = VersionedCache()

    def broken():
        raise RuntimeError("database gone")

    try:
        cache.get("k", 1, broken)
    except RuntimeError:
        pass
    assert cache.get("k", 1, lambda: "ok") == "ok"
