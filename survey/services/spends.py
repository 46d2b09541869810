"""Writing pending spends to the database: one shuffled batch per transaction.

The pending store and the order of operations that keep codes single-use are described in
survey/pending.py; the submission itself is survey/services/responses.py.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import update

from survey.extensions import db
from survey.models import InvitationCode, Wave, WaveState, utc_now
from survey.services.codes import settle_codes
from survey.services.monitor import responses_by_unit

_shuffle = secrets.SystemRandom().shuffle


def batch_size(wave: Wave) -> int:
    """B: spends are written only in batches of at least the wave's k."""
    return wave.threshold


def flush_spends(wave_id: int, store) -> int:
    """Write one wave's pending spends as a single shuffled batch, if at least B wait.

    This is a job, not a request: it commits its own transaction, which holds spends and
    nothing else, and forgets the batch only after the commit.
    """
    with store.flushing(wave_id) as acquired:
        wave = db.session.get(Wave, wave_id) if acquired else None
        if wave is None or wave.state != WaveState.OPEN:
            return 0
        batch = store.pending(wave_id)
        if len(batch) < batch_size(wave):
            return 0
        _shuffle(batch)
        db.session.execute(
            update(InvitationCode)
            .where(InvitationCode.wave_id == wave_id, InvitationCode.code_hash.in_(batch))
            .values(spent=True)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        store.forget(wave_id, batch)
        settle_codes(wave_id, batch)
    return len(batch)


def refresh_progress(wave_id: int, seconds: int) -> None:
    """Snapshot responses per unit for the monitor, at most every PROGRESS_SECONDS.

    Taken only after a batch of spends, in a transaction of its own, so the monitor moves
    in steps that mix at least B submissions and never with one person's.
    """
    wave = db.session.get(Wave, wave_id)
    interval = timedelta(seconds=seconds)
    if wave.progress_at is not None and utc_now() - wave.progress_at < interval:
        return
    wave.progress = {code or "": n for code, n in responses_by_unit(wave).items()}
    wave.progress_at = utc_now()
    db.session.commit()
