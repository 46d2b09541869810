"""Fixtures for staff accounts: one per role, signed in through the real form, each in
a browser of its own."""

from __future__ import annotations

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import Role, User
from survey.services.users import hash_password
from tests.conftest import csrf_token

PASSWORD = "a long test password"


class BrowserClient(FlaskClient):
    """A test client whose requests do not see each other's per-request caches.

    pytest-flask pushes one request context per test, and Flask reuses its app context
    (and so `g`) for every test-client request; Flask-Login caches the signed-in user and
    Flask-WTF the CSRF token in `g`. In production every request has its own; so here.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in ("_login_user", "csrf_token"):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def new_client(app):
    """new_client() -> a fresh browser (own cookies) for the session app."""

    def build(for_app=None):
        target = for_app or app
        return BrowserClient(target, target.response_class, use_cookies=True)

    return build


@pytest.fixture
def login():
    """login(client, user_or_email, password=PASSWORD) -> the response to the sign-in POST."""

    def sign_in(client, user, password: str = PASSWORD, next_url: str | None = None):
        email = user if isinstance(user, str) else user.email
        page = client.get("/admin/login")
        url = "/admin/login" + (f"?next={next_url}" if next_url else "")
        return client.post(
            url,
            data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        )

    return sign_in


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2 hash of PASSWORD for the whole run: hashing costs ~0.3 s each time."""
    return hash_password(PASSWORD)


@pytest.fixture
def staff(app, password_hash):
    """One account per role: staff[Role.ADMIN], staff[Role.HR], staff[Role.PAO].

    Made directly with a shared hash (services.users.create_user is tested on its own).
    """
    accounts = {
        role: User(email=f"{role.value}@force.test", password_hash=password_hash, role=role,
                   session_version=0)
        for role in (Role.ADMIN, Role.HR, Role.PAO)
    }
    db.session.add_all(accounts.values())
    db.session.commit()
    return accounts


@pytest.fixture
def admin_client(new_client, staff, login):
    """A test client signed in as the administrator."""
    client = new_client()
    assert login(client, staff[Role.ADMIN]).status_code == 302
    return client


@pytest.fixture
def form_token():
    """The CSRF token of a page a client fetched: form_token(client, url)."""

    def fetch(client, url: str = "/admin/") -> str:
        return csrf_token(client.get(url).text)

    return fetch


@pytest.fixture
def clients(new_client, staff, login):
    """A signed-in test client per role, and None: not signed in."""
    signed_in = {None: new_client()}
    for role in (Role.ADMIN, Role.HR, Role.PAO):
        signed_in[role] = new_client()
        assert login(signed_in[role], staff[role]).status_code == 302
    return signed_in


@pytest.fixture
def hr(clients):
    return clients[Role.HR]
