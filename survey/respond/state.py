"""Answers in progress travel in a signed hidden field, so the server stores nothing
about a person until the moment they submit (no server-side session, no draft rows).

The token is signed, not encrypted: it holds only what the person typed and chose, and
it lives only in their own page and the POST bodies they send.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from itsdangerous import BadSignature, URLSafeTimedSerializer


class StateInvalid(Exception):
    """The hidden state is missing, tampered with or too old."""


@dataclass
class Progress:
    code: str
    wave: int
    page: int = 0  # a section index; one past the last section is the review page
    answers: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    reviewed: bool = False  # has seen the review page, so sections offer a way back to it


_TYPES = {
    "code": str,
    "wave": int,
    "page": int,
    "answers": dict,
    "comments": dict,
    "reviewed": bool,
}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="respond-progress-v2")


def dump_progress(progress: Progress, secret: str) -> str:
    return _serializer(secret).dumps(asdict(progress))


def load_progress(token: str | None, secret: str, max_age: int) -> Progress:
    if not token:
        raise StateInvalid
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature as exc:
        raise StateInvalid from exc
    if not _well_formed(data):
        raise StateInvalid
    return Progress(**data)


def _well_formed(data) -> bool:
    """Exactly the fields of Progress, each of exactly its JSON type (True is no page)."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(Progress)}:
        return False
    return all(type(data[name]) is kind for name, kind in _TYPES.items()) and data["page"] >= 0
