"""Staff accounts. Passwords are hashed with Argon2id (argon2-cffi)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Role, Unit, User
from survey.services import DomainError, NotFound

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLE_NAMES = {
    Role.ADMIN: "Administrator",
    Role.HR: "HR business partner",
    Role.PAO: "Positive Action Officer",
}
_hasher = PasswordHasher()


def create_user(
    email: str, password: str, role: Role | str, unit_scope: list[str] | None = None
) -> User:
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise DomainError(f"{email!r} is not an email address.")
    _check_password_rules(password)
    if db.session.scalar(select(User.id).filter_by(email=email)):
        raise DomainError(f"There is already an account for {email}.")
    role = Role(role)
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        unit_scope=_valid_scope(role, unit_scope),
        session_version=0,
    )
    db.session.add(user)
    db.session.flush()
    return user


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(f"Passwords can have at most {MAX_PASSWORD_LENGTH} characters.")


def _valid_scope(role: Role, unit_scope: list[str] | None) -> list[str] | None:
    """Only HR accounts are scoped; an empty scope means every unit."""
    if role != Role.HR or not unit_scope:
        return None
    known = set(db.session.scalars(select(Unit.code).where(Unit.code.in_(unit_scope))))
    if unknown := [code for code in unit_scope if code not in known]:
        raise DomainError(f"There are no units {', '.join(unknown)}.")
    return sorted(set(unit_scope))


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(user: User) -> bool:
    return _hasher.check_needs_rehash(user.password_hash)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    """Set a new password; every session of the account ends."""
    _check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
    if user is None:
        raise NotFound(f"There is no account for {normalise_email(email)}.")
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def update_user(
    user: User, role: Role | str, unit_scope: list[str] | None, active: bool
) -> dict[str, object]:
    """Change role, unit scope and active flag; return what changed (for the audit log).

    Refuses to leave no active administrator. Deactivating or changing the role ends the
    account's sessions, so the change takes effect at once.
    """
    role = Role(role)
    demoted = role != Role.ADMIN or not active
    if user.role == Role.ADMIN and user.active and demoted and _active_admins() <= 1:
        raise DomainError("This is the only active administrator: add another one first.")
    scope = _valid_scope(role, unit_scope)
    changes = {
        name: new
        for name, old, new in (
            ("role", user.role.value, role.value),
            ("unit_scope", user.unit_scope, scope),
            ("active", user.active, active),
        )
        if old != new
    }
    if "role" in changes or changes.get("active") is False:
        user.session_version += 1
    user.role, user.unit_scope, user.active = role, scope, active
    db.session.flush()
    return changes


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).filter_by(role=Role.ADMIN, active=True)
    )
