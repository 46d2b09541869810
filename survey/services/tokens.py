"""Personal access tokens for the JSON API (/api/v1).

A token is 256 random bits, shown once when created; only its SHA-256 is stored (a
fast hash is enough for a random secret of this size: there is nothing to guess). It
acts with its owner's role, ends when it expires or is revoked, and stops working when
the owner's account is deactivated. Creating, revoking and every use are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import ApiToken, User, utc_now
from survey.services import DomainError, NotFound
from survey.services.audit import TOKEN_CREATED, TOKEN_REVOKED, TOKEN_USED, record

PREFIX = "wsv_"
MAX_DAYS = 365


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days`; returns the row and the token (once)."""
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(f"A token lasts between 1 and {MAX_DAYS} days.")
    if not name.strip():
        raise DomainError("Name the token after what will use it.")
    token = PREFIX + secrets.token_urlsafe(32)
    now = utc_now()
    row = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=token_digest(token),
                   created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record(TOKEN_CREATED, user, token=row.id, name=row.name, days=days)
    return row, token


def user_tokens(user: User) -> list[ApiToken]:
    query = select(ApiToken).filter_by(user_id=user.id).order_by(ApiToken.created_at.desc())
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is not found)."""
    row = db.session.scalar(select(ApiToken).filter_by(id=token_id, user_id=user.id))
    if row is None:
        raise NotFound("There is no such token.")
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        record(TOKEN_REVOKED, user, token=row.id, name=row.name)
    return row


def authenticate(header: str | None, endpoint: str) -> User | None:
    """The active owner of a live token given as "Bearer <token>", the use audited."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).filter_by(token_hash=token_digest(token.strip())))
    now = utc_now()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    row.last_used_at = now
    record(TOKEN_USED, row.user, token=row.id, endpoint=endpoint)
    return row.user
