"""Pending spends: the half of a submission that never reaches storage one at a time.

A submission stores its answers at once, in a transaction that holds no code, and only
claims its code here. Claims wait where no disk or log sees them (process memory for the
embedded SQLite default, Redis without persistence when several server processes share
them) and reach `invitation_code` as one shuffled batch of at least B spends, in a
transaction of its own. So no transaction, page or log record holds a spend beside
answers, and the order of spends matches the order of answers only to within a batch.

The order of operations keeps every code single-use without a lock:
1. claim the code in the store (atomic: a code already claimed or pending is refused);
2. check the database: a code whose spend is already written is refused (claim undone);
3. store the answers and commit, then confirm the claim: it is now pending;
4. flush: write a pending batch's spends, commit, and only then forget them here.
A code is always in the store, on disk as spent, or both, from its first claim on.

What a crash costs (docs/anonymity.md): the pending spends are lost, so those codes (at
most one batch per wave) could each be used once more. An acknowledged answer is never
lost: it was committed before the person saw the thank-you page. A claim whose answers
were never committed expires after CLAIM_SECONDS in Redis (in memory it dies with the
process), so that person can try again. At close, pending spends are discarded unwritten.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

CLAIM_SECONDS = 120
TENTATIVE, PENDING = b"t", b"p"
log = logging.getLogger(__name__)


class VolatileStoreRequired(RuntimeError):
    """The Redis holding pending spends would write them to disk."""


@contextmanager
def _try_holding(lock) -> Iterator[bool]:
    """Hold `lock` if it is free now, and say whether it was: one flusher at a time, and
    none ever waits for another."""
    acquired = lock.acquire(blocking=False)
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


class MemorySpendStore:
    """Pending spends in this process's memory: for one server process (embedded SQLite)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[int, dict[bytes, bytes]] = {}
        self._flush_locks: dict[int, threading.Lock] = {}

    def claim(self, wave_id: int, code_hash: bytes) -> bool:
        with self._lock:
            claims = self._claims.setdefault(wave_id, {})
            if code_hash in claims:
                return False
            claims[code_hash] = TENTATIVE
            return True

    def confirm(self, wave_id: int, code_hash: bytes) -> int:
        with self._lock:
            claims = self._claims.setdefault(wave_id, {})
            claims[code_hash] = PENDING
            return sum(state == PENDING for state in claims.values())

    def unclaim(self, wave_id: int, code_hash: bytes) -> None:
        with self._lock:
            self._claims.get(wave_id, {}).pop(code_hash, None)

    def pending(self, wave_id: int) -> list[bytes]:
        with self._lock:
            claims = self._claims.get(wave_id, {})
            return [code for code, state in claims.items() if state == PENDING]

    def forget(self, wave_id: int, hashes: list[bytes]) -> None:
        with self._lock:
            claims = self._claims.get(wave_id, {})
            for code_hash in hashes:
                claims.pop(code_hash, None)

    def discard(self, wave_id: int) -> None:
        with self._lock:
            self._claims.pop(wave_id, None)

    def clear(self) -> None:
        with self._lock:
            self._claims.clear()

    def flushing(self, wave_id: int):
        with self._lock:
            lock = self._flush_locks.setdefault(wave_id, threading.Lock())
        return _try_holding(lock)


class RedisSpendStore:
    """Pending spends in Redis, shared by every server process. Redis must not persist:
    a snapshot of a small pending set on disk would tell whose answers came last."""

    def __init__(self, client, namespace: str = "survey") -> None:
        self._redis = client
        self._ns = namespace
        self._checked = False

    def claim(self, wave_id: int, code_hash: bytes) -> bool:
        self._check_volatile()
        return bool(self._redis.set(self._claim(wave_id, code_hash), TENTATIVE, nx=True,
                                    ex=CLAIM_SECONDS))

    def confirm(self, wave_id: int, code_hash: bytes) -> int:
        pipe = self._redis.pipeline()
        pipe.set(self._claim(wave_id, code_hash), PENDING)
        pipe.sadd(self._pending(wave_id), code_hash)
        pipe.scard(self._pending(wave_id))
        return int(pipe.execute()[-1])

    def unclaim(self, wave_id: int, code_hash: bytes) -> None:
        self._redis.delete(self._claim(wave_id, code_hash))

    def pending(self, wave_id: int) -> list[bytes]:
        return list(self._redis.smembers(self._pending(wave_id)))

    def forget(self, wave_id: int, hashes: list[bytes]) -> None:
        if not hashes:
            return
        pipe = self._redis.pipeline()
        pipe.srem(self._pending(wave_id), *hashes)
        pipe.delete(*(self._claim(wave_id, h) for h in hashes))
        pipe.execute()

    def discard(self, wave_id: int) -> None:
        self.forget(wave_id, self.pending(wave_id))
        self._redis.delete(self._pending(wave_id))

    def clear(self) -> None:
        keys = list(self._redis.scan_iter(f"{self._ns}:spend:*"))
        if keys:
            self._redis.delete(*keys)

    def flushing(self, wave_id: int):
        return _try_holding(self._redis.lock(f"{self._ns}:spend:flush:{wave_id}", timeout=60))

    def _claim(self, wave_id: int, code_hash: bytes) -> str:
        return f"{self._ns}:spend:claim:{wave_id}:{code_hash.hex()}"

    def _pending(self, wave_id: int) -> str:
        return f"{self._ns}:spend:pending:{wave_id}"

    def _check_volatile(self) -> None:
        """Refuse a Redis that snapshots or logs to disk (checked once per process)."""
        if self._checked:
            return
        config = self._redis.config_get("save") | self._redis.config_get("appendonly")
        if config.get("save") or config.get("appendonly") == "yes":
            raise VolatileStoreRequired(
                "The Redis at REDIS_URL persists to disk (save or appendonly is set). Pending "
                "spends must never reach a disk: run it with --save '' --appendonly no."
            )
        self._checked = True


class PendingSpends:
    """The extension: each app's store of pending spends, and how batches get flushed.

    SPEND_FLUSH = "thread" (default) flushes on a background thread of this process, off
    the respondent's request; "inline" flushes right after the answers' commit, in its own
    transaction, which keeps tests deterministic.
    """

    def init_app(self, app: Flask) -> None:
        if app.config.get("REDIS_URL"):
            import redis

            store = RedisSpendStore(redis.Redis.from_url(app.config["REDIS_URL"]))
        else:
            store = MemorySpendStore()
        app.extensions["pending_spends"] = _AppSpends(app, store)

    @property
    def store(self) -> MemorySpendStore | RedisSpendStore:
        return current_app.extensions["pending_spends"].store

    def confirmed(self, wave_id: int, pending: int, batch: int) -> None:
        """A claim became pending: flush a batch once at least `batch` are waiting."""
        if pending >= batch:
            current_app.extensions["pending_spends"].flush_soon(wave_id)


class _AppSpends:
    """One app's store and its flusher thread (started on first use)."""

    def __init__(self, app: Flask, store) -> None:
        self.app = app
        self.store = store
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()

    def flush_soon(self, wave_id: int) -> None:
        if self.app.config["SPEND_FLUSH"] == "inline":
            self.flush(wave_id)
            return
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="spend-flusher",
                                                daemon=True)
                self._thread.start()
        self._queue.put(wave_id)

    def flush(self, wave_id: int) -> None:
        from survey.services.spends import flush_spends, refresh_progress

        if flush_spends(wave_id, self.store):
            refresh_progress(wave_id, self.app.config["PROGRESS_SECONDS"])

    def _run(self) -> None:
        while True:
            wave_id = self._queue.get()
            with self.app.app_context():
                try:
                    self.flush(wave_id)
                except Exception:
                    log.exception("Flushing a batch of spends failed; it stays pending.")
