"""Signing staff in and out, with sessions that the server can end.

A session cookie holds the account's id and its session_version. Signing in and signing
out both bump the version, so every cookie issued before is refused from then on: the
cookie is signed but not trusted beyond what the database still agrees to.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from survey.extensions import db
from survey.models import User
from survey.services.users import (
    MAX_PASSWORD_LENGTH,
    check_password,
    hash_password,
    normalise_email,
    password_needs_rehash,
)


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None.

    Unknown addresses, wrong passwords and inactive accounts take the same path and the
    same time (an Argon2 verification each), so neither the answer nor its timing tells
    whether an account exists.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH]
    user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
    if user is None:
        with suppress(VerificationError):
            PasswordHasher().verify(_dummy_hash(), password)
        return None
    if not check_password(user, password) or not user.active:
        return None
    if password_needs_rehash(user):
        user.password_hash = hash_password(password)
    return user


def begin_session(user: User) -> str:
    """A new session version for a fresh sign-in; older cookies of the account stop working."""
    user.session_version += 1
    db.session.flush()
    return user.get_id()


def end_sessions(user: User) -> None:
    """Sign the account out everywhere (server-side: the cookie's version no longer matches)."""
    user.session_version += 1
    db.session.flush()


def user_for_session(session_id: str) -> User | None:
    """The active account a session cookie names, if its version is still current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
