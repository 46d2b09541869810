"""Invitation codes: random, typeable, stored only as a keyed hash with a spent flag."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import func, insert, select

from survey.extensions import db
from survey.models import InvitationCode, Wave, WaveState
from survey.services import DomainError
from survey.services.headcounts import force_headcount

# Crockford base32: no I, L, O or U, so codes read aloud and type without confusion.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SYMBOLS = 28  # 28 x 5 = 140 bits of randomness
GROUP = 4
TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})
MAX_BATCH = 500_000


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS))
    return "-".join(raw[i : i + GROUP] for i in range(0, SYMBOLS, GROUP))


def normalise_code(text: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be a code at all."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n").translate(TYPO_MAP)
    if len(cleaned) != SYMBOLS or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_code(normalised: str, key: bytes) -> bytes:
    return hmac.new(key, normalised.encode("ascii"), hashlib.sha256).digest()


def issue_codes(wave: Wave, count: int, key: bytes, override: bool = False) -> list[str]:
    """Create `count` codes for a draft or open wave; return them once, store only hashes.

    More codes than the wave's headcount (or any codes before a headcount is loaded) need
    `override`, which the caller audits: spare codes let whoever holds them submit answers
    they know, and subtract them from published figures. Codes issued once the wave is
    open are counted, and the count is shown beside the wave's results.
    """
    if wave.state == WaveState.CLOSED:
        raise DomainError(f"Wave {wave.code} is closed: no more codes can be issued.")
    if not 1 <= count <= MAX_BATCH:
        raise DomainError(f"Issue between 1 and {MAX_BATCH} codes at a time.")
    if not override:
        _check_headcount(wave, count)
    codes = [new_code() for _ in range(count)]
    rows = [{"code_hash": hash_code(normalise_code(c), key), "wave_id": wave.id} for c in codes]
    db.session.execute(insert(InvitationCode), rows)
    wave.codes_issued += count
    if wave.state == WaveState.OPEN:
        wave.codes_issued_after_open += count
    db.session.flush()
    return codes


def _check_headcount(wave: Wave, count: int) -> None:
    headcount = force_headcount(wave)
    if headcount is None:
        raise DomainError(
            f"Wave {wave.code} has no workforce headcount yet, so there is nothing to check "
            "the number of codes against. Load its headcounts first, or confirm that you "
            "want to issue codes without one (this is recorded in the audit log)."
        )
    if wave.codes_issued + count > headcount:
        raise DomainError(
            f"Wave {wave.code} has a headcount of {headcount:,} and {wave.codes_issued:,} codes "
            f"issued already: {count:,} more would be more codes than people. Confirm that you "
            "want to issue them anyway (this is recorded in the audit log)."
        )


def settle_codes(wave_id: int, hashes: list[bytes] | None = None) -> None:
    """Read code rows just written (all of a wave's, or `hashes`), in a transaction of
    their own, right after the transaction that wrote them has committed.

    PostgreSQL marks a row version's hint bits (and may prune its page) the first time it
    is read after being written. Left to a respondent's request, that first read would
    change the page of that person's code, in the very request that stores their answers,
    for a superuser copying pages (or reading full-page images in the WAL) to see. Read
    here, every row is settled at once, when nobody is answering with it.
    """
    query = select(func.count()).select_from(InvitationCode).filter_by(wave_id=wave_id)
    if hashes is not None:
        query = query.where(InvitationCode.code_hash.in_(hashes))
    db.session.scalar(query)
    db.session.commit()


def invitation_link(base_url: str, code: str) -> str:
    """The code rides in the fragment, which browsers never send to the server."""
    return f"{base_url}/take#{code}"
