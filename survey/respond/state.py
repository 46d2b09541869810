"""Answers in progress travel in a signed hidden field, so the server stores nothing
about a person until the moment they submit (no server-side session, no draft rows)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer


class StateInvalid(Exception):
    """The hidden state is missing, tampered with or too old."""


@dataclass
class Progress:
    code: str
    wave: int
    section: int = 0
    answers: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="respond-progress-v1")


def dump_progress(progress: Progress, secret: str) -> str:
    return _serializer(secret).dumps(asdict(progress))


def load_progress(token: str | None, secret: str, max_age: int) -> Progress:
    if not token:
        raise StateInvalid
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
        return Progress(**data)
    except (BadSignature, TypeError) as exc:
        raise StateInvalid from exc
