"""Error pages: staff keep their navigation and a link to the staff home (never the
respondents' start page, never the respondents' anonymity footer); respondents keep theirs.
The database-down case is in test_database_faults.py."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from survey import create_app
from survey.extensions import db, limiter
from survey.models import Role
from tests.conftest import TEST_SECRET
from tests.hardening.test_database_faults import FOOTER, SECURITY_HEADERS

STAFF_HOME_LINK = '<a href="/admin/">Go to the staff home</a>'
START_LINK = '<a href="/take">Go to the start page</a>'


def assert_staff_page(response, status: int, signed_in: bool = True):
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert STAFF_HOME_LINK in page and START_LINK not in page
    assert 'class="site-name" href="/admin/"' in page
    assert FOOTER not in page
    assert ("Sign out" in page) is signed_in
    assert ('aria-label="Staff pages"' in page) is signed_in
    for name, value in SECURITY_HEADERS.items():
        if name != "Strict-Transport-Security":  # the test app is plain HTTP
            assert response.headers.get(name) == value, name


@pytest.fixture
def clients(new_client, staff, login):
    signed_in = {None: new_client()}
    for role in (Role.ADMIN, Role.HR):
        signed_in[role] = new_client()
        assert login(signed_in[role], staff[role]).status_code == 302
    return signed_in


def test_staff_404_keeps_the_staff_navigation(clients):
    for path in ("/admin/no-such-page", "/admin/waves/99999", "/no-such-page-anywhere"):
        assert_staff_page(clients[Role.ADMIN].get(path), 404)
    assert_staff_page(clients[Role.HR].get("/results/no-such-wave"), 404)


def test_staff_403_keeps_the_staff_navigation(clients):
    response = clients[Role.HR].get("/admin/users")
    assert_staff_page(response, 403)
    assert "Your role does not give access to this page." in response.text


def test_staff_405_keeps_the_staff_navigation(clients):
    assert_staff_page(clients[Role.ADMIN].get("/admin/logout"), 405)


def test_a_staff_address_not_signed_in_links_to_the_staff_home(clients):
    assert_staff_page(clients[None].get("/admin/no-such-page"), 404, signed_in=False)


def test_respondents_keep_their_error_page(clients):
    response = clients[None].get("/no-such-page")
    assert response.status_code == 404
    assert START_LINK in response.text and FOOTER in response.text
    assert STAFF_HOME_LINK not in response.text


def test_respondent_pages_are_respondent_pages_even_for_staff(clients):
    response = clients[Role.ADMIN].post("/survey", data={})
    assert response.status_code == 400
    assert START_LINK in response.text and "Sign out" not in response.text


def test_staff_pages_carry_no_anonymity_footer_and_respondent_pages_do(clients):
    for path in ("/admin/", "/admin/waves", "/results/", "/admin/login"):
        page = clients[Role.ADMIN].get(path, follow_redirects=True).text
        assert FOOTER not in page, path
    assert FOOTER in clients[None].get("/take").text
    assert FOOTER not in clients[None].get("/admin/login").text


@pytest.fixture
def faulty_app(app):
    """An app instance with two broken staff pages: one raises, one runs bad SQL."""
    db.session.close()
    instance = create_app({"SURVEY_ENV": "testing", "SECRET_KEY": TEST_SECRET,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    instance.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("a bug")

    def bad_sql():
        db.session.execute(text("SELECT * FROM no_such_table"))

    instance.add_url_rule("/admin/boom", "boom", boom)
    instance.add_url_rule("/admin/bad-sql", "bad_sql", bad_sql)
    yield instance
    with instance.app_context():
        db.engine.dispose()
    limiter.init_app(app)


def test_staff_500_keeps_the_staff_navigation(faulty_app, new_client, staff, login):
    client = new_client(faulty_app)
    assert login(client, "admin@force.test").status_code == 302
    for path in ("/admin/boom", "/admin/bad-sql"):
        response = client.get(path)
        assert_staff_page(response, 500)
        assert "Sorry, something went wrong" in response.text
        assert "no_such_table" not in response.text and "a bug" not in response.text
