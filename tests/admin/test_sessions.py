"""Signing in and out: rotation at sign-in, server-side sign-out, idle expiry, cookies."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from survey import create_app
from survey.admin.access import SEEN
from survey.admin.signin import FAILED
from survey.extensions import db, limiter
from survey.models import AuditEvent, Role, User
from survey.services.audit import SIGN_IN, SIGN_IN_FAILED, SIGN_OUT
from survey.services.users import update_user
from tests.conftest import TEST_SECRET, csrf_token
from tests.staff_accounts import PASSWORD


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_signing_in_reaches_the_staff_home_and_is_audited(new_client, staff, login):
    client = new_client()
    response = login(client, staff[Role.HR])
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and "hr@force.test" in page.text
    events = db.session.scalars(select(AuditEvent).filter_by(action=SIGN_IN)).all()
    assert [e.actor_email for e in events] == ["hr@force.test"]


def test_the_same_refusal_for_unknown_address_wrong_password_and_inactive_account(
    new_client, staff, login
):
    update_user(staff[Role.PAO], Role.PAO, None, active=False)
    db.session.commit()
    attempts = [
        ("nobody@force.test", PASSWORD),
        ("hr@force.test", "not the password at all"),
        ("pao@force.test", PASSWORD),
    ]
    pages = []
    for email, password in attempts:
        response = login(new_client(), email, password)
        assert response.status_code == 422
        assert FAILED in response.text
        pages.append(response.text.replace(email, "EMAIL"))
    strip = [csrf_free(page) for page in pages]
    assert strip[0] == strip[1] == strip[2], "the pages differ only in the address typed"


def csrf_free(page: str) -> str:
    return page.replace(csrf_token(page), "TOKEN")


def test_a_failed_sign_in_is_audited_without_the_address(new_client, staff, login):
    login(new_client(), "hr@force.test", "wrong password here")
    login(new_client(), "ghost@force.test", "wrong password here")
    events = db.session.scalars(select(AuditEvent).filter_by(action=SIGN_IN_FAILED)).all()
    assert len(events) == 2
    assert all(e.actor_email is None and e.detail == {} for e in events)


def test_the_session_is_new_after_sign_in(new_client, staff, login):
    client = new_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
    before = session_cookie(client)
    login(client, staff[Role.ADMIN])
    after = session_cookie(client)
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent
    # The pre-sign-in cookie does not carry the sign-in.
    stale = new_client()
    stale.set_cookie("session", before)
    assert stale.get("/admin/").status_code == 302


def test_a_new_sign_in_ends_older_sessions_of_the_account(new_client, staff, login):
    first, second = new_client(), new_client()
    login(first, staff[Role.ADMIN])
    assert first.get("/admin/").status_code == 200
    login(second, staff[Role.ADMIN])
    assert second.get("/admin/").status_code == 200
    assert first.get("/admin/").status_code == 302


def test_sign_out_invalidates_the_session_on_the_server(new_client, staff, login, form_token):
    client = new_client()
    login(client, staff[Role.ADMIN])
    copied = session_cookie(client)
    response = client.post("/admin/logout", data={"csrf_token": form_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
    # A copy of the cookie taken before signing out is refused too: the server ended it.
    replay = new_client()
    replay.set_cookie("session", copied)
    response = replay.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert db.session.scalar(select(AuditEvent.action).filter_by(action=SIGN_OUT)) == SIGN_OUT


def test_deactivating_an_account_ends_its_sessions_at_once(new_client, staff, login):
    client = new_client()
    login(client, staff[Role.HR])
    assert client.get("/admin/").status_code == 200
    update_user(db.session.get(User, staff[Role.HR].id), Role.HR, None, active=False)
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_an_idle_session_expires(app, new_client, staff, login):
    client = new_client()
    login(client, staff[Role.ADMIN])
    idle = int(app.permanent_session_lifetime.total_seconds())
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - idle + 60  # still inside the limit
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - idle - 1
    response = client.get("/admin/waves")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert "inactivity" in client.get(response.headers["Location"]).text
    assert client.get("/admin/").status_code == 302


def test_activity_keeps_the_session_alive(new_client, staff, login):
    client = new_client()
    login(client, staff[Role.ADMIN])
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - 600
    client.get("/admin/")
    with client.session_transaction() as session:
        assert session[SEEN] >= int(time.time()) - 5


def test_session_cookie_is_httponly_and_samesite(new_client, staff, login):
    response = login(new_client(), staff[Role.ADMIN])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # permanent: the idle lifetime, refreshed on each request


@pytest.fixture
def production_app(app, staff):
    """The app as configured for production (HTTPS), on the test database."""
    db.session.close()  # SQLite: leave the database unlocked for the other app's session
    production = create_app({
        "SURVEY_ENV": "production",
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
    })
    yield production
    with production.app_context():
        db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object per process: give it back


def https_sign_in(client, email: str, headers: dict):
    page = client.get("/admin/login", base_url="https://survey.test")
    return client.post(
        "/admin/login", base_url="https://survey.test", headers=headers,
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )


def test_session_cookie_is_secure_in_production(production_app, new_client):
    # No Referer: the pages send Referrer-Policy: no-referrer, so browsers send none.
    response = https_sign_in(new_client(production_app), "admin@force.test", {})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_after_sign_in_only_local_pages_are_returned_to(new_client, staff, login):
    for target, expected in [
        ("/admin/waves", "/admin/waves"),
        ("https://evil.example/phish", "/admin/"),
        ("//evil.example/phish", "/admin/"),
        ("/\\evil.example", "/admin/"),
    ]:
        response = login(new_client(), staff[Role.ADMIN], next_url=target)
        assert response.headers["Location"] == expected, target


def test_signing_in_is_needed_and_returns_to_the_page_asked_for(new_client, staff, login):
    client = new_client()
    response = client.get("/admin/waves")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/admin/login?next=")
    page = client.get(location)
    response = client.post(location, data={
        "email": staff[Role.ADMIN].email, "password": PASSWORD, "csrf_token": csrf_token(page.text),
    })
    assert response.headers["Location"] == "/admin/waves"


def test_staff_pages_are_not_cached(admin_client):
    assert admin_client.get("/admin/").headers["Cache-Control"] == "no-store"
