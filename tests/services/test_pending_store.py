"""The pending-spend stores keep one contract: a claim is exclusive, only confirmed claims
are pending, a batch is forgotten only when told, and close discards everything. Redis
(shared by several server processes) must not persist to disk."""

from __future__ import annotations

import os
import secrets

import pytest

from survey.pending import MemorySpendStore, RedisSpendStore, VolatileStoreRequired
from tests.conftest import redis_or_skip

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        yield MemorySpendStore()
        return
    namespace = f"test-{secrets.token_hex(4)}"
    shared = RedisSpendStore(redis_or_skip(REDIS_URL), namespace=namespace)
    yield shared
    shared.clear()


def code() -> bytes:
    return secrets.token_bytes(32)


def test_a_claim_is_exclusive_until_undone(store):
    first = code()
    assert store.claim(1, first) is True
    assert store.claim(1, first) is False
    assert store.claim(2, first) is True  # another wave's namespace
    store.unclaim(1, first)
    assert store.claim(1, first) is True


def test_only_confirmed_claims_are_pending_and_stay_until_forgotten(store):
    codes = [code() for _ in range(3)]
    for c in codes:
        store.claim(7, c)
    assert store.pending(7) == []
    assert [store.confirm(7, c) for c in codes[:2]] == [1, 2]
    assert sorted(store.pending(7)) == sorted(codes[:2])
    store.forget(7, codes[:1])
    assert store.pending(7) == [codes[1]]
    assert store.claim(7, codes[0]) is True  # forgotten: the database now says spent
    assert store.claim(7, codes[1]) is False  # still pending


def test_close_discards_pending_spends(store):
    codes = [code() for _ in range(4)]
    for c in codes:
        store.claim(3, c)
        store.confirm(3, c)
    store.discard(3)
    assert store.pending(3) == []
    assert all(store.claim(3, c) for c in codes)


def test_one_flusher_at_a_time(store):
    with store.flushing(5) as first, store.flushing(5) as second:
        assert (first, second) == (True, False)
    with store.flushing(5) as again:
        assert again is True


def test_a_redis_that_writes_to_disk_is_refused():
    class Persisting:
        def config_get(self, name):
            return {"save": "3600 1"} if name == "save" else {"appendonly": "no"}

    with pytest.raises(VolatileStoreRequired, match="persists to disk"):
        RedisSpendStore(Persisting()).claim(1, code())
