"""Staff accounts. Passwords are hashed with Argon2id (argon2-cffi)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from survey.extensions import db
from survey.models import Role, User
from survey.services import DomainError

MIN_PASSWORD_LENGTH = 12
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


def create_user(email: str, password: str, role: Role | str) -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise DomainError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if db.session.scalar(select(User.id).filter_by(email=email)):
        raise DomainError(f"There is already an account for {email}.")
    user = User(email=email, password_hash=_hasher.hash(password), role=Role(role))
    db.session.add(user)
    db.session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
