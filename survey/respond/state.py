"""Answers in progress travel in an encrypted hidden field, so the server stores nothing
about a person until the moment they submit (no server-side session, no draft rows).

The token is sealed with AES-GCM (authenticated encryption) under a key derived from
SECRET_KEY for this one purpose: on a shared terminal, a copy of the page source or of the
browser's form data reveals nothing when decoded, and any change to it is detected. It
carries the time it was made (refused after RESPONSE_STATE_MAX_AGE) and a random journey
id; once the journey's answers are submitted, that id in the browser's "answered" cookie
makes the token worthless (survey/respond/views.py).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field, fields

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
PURPOSE = b"respond-progress-v3"


class StateInvalid(Exception):
    """The hidden state is missing, tampered with or too old."""


def new_journey() -> str:
    return secrets.token_hex(16)


@dataclass
class Progress:
    code: str
    wave: int
    journey: str = field(default_factory=new_journey)
    page: int = 0  # a section index; one past the last section is the review page
    answers: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    reviewed: bool = False  # has seen the review page, so sections offer a way back to it


_TYPES = {
    "code": str,
    "wave": int,
    "journey": str,
    "page": int,
    "answers": dict,
    "comments": dict,
    "reviewed": bool,
}


@functools.lru_cache(maxsize=4)
def _cipher(secret: str) -> AESGCM:
    """The key derived once per secret (an AESGCM object keeps no per-message state)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret.encode()
    )
    return AESGCM(key)


def dump_progress(progress: Progress, secret: str) -> str:
    plain = json.dumps({"at": int(time.time()), "progress": asdict(progress)}).encode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + _cipher(secret).encrypt(nonce, plain, PURPOSE)
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def load_progress(token: str | None, secret: str, max_age: int) -> Progress:
    if not token:
        raise StateInvalid
    try:
        sealed = base64.urlsafe_b64decode(token.encode("ascii"))
        if base64.urlsafe_b64encode(sealed).decode("ascii") != token:
            raise ValueError("not canonical base64")
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        data = json.loads(_cipher(secret).decrypt(nonce, body, PURPOSE))
    except (InvalidTag, ValueError, UnicodeError, binascii.Error) as exc:
        raise StateInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        raise StateInvalid
    if not 0 <= time.time() - data["at"] <= max_age:
        raise StateInvalid
    if not _well_formed(data.get("progress")):
        raise StateInvalid
    return Progress(**data["progress"])


def _well_formed(data) -> bool:
    """Exactly the fields of Progress, each of exactly its JSON type (True is no page)."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(Progress)}:
        return False
    return all(type(data[name]) is kind for name, kind in _TYPES.items()) and data["page"] >= 0
