"""The database restarting or out of reach: the next request after a restart succeeds
(pool_pre_ping), and while the database is down every page answers 503 with Retry-After,
a plain page that needs no database, every security header, and never a 500 or a false
"thank you" on the respondent path.

Three ways in, none touching the shared server's other databases:
- an app instance pointed at a database that cannot be reached (both engines);
- on PostgreSQL, terminating this app instance's own connections (as a restart does);
- a private PostgreSQL cluster, stopped and started again by the test (pgcluster.py).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from survey import create_app
from survey.errors import RETRY_AFTER_UNAVAILABLE
from survey.extensions import db, limiter
from survey.models import Role
from survey.security import CSP, code_hash_key
from survey.services.codes import issue_codes
from survey.services.instruments import DEFAULT_INSTRUMENT, load_units, register_instrument_file
from survey.services.users import create_user
from survey.services.waves import create_wave, open_wave
from tests.conftest import TEST_SECRET, UNITS, csrf_token
from tests.hardening.pgcluster import PrivateCluster, free_port
from tests.respond.conftest import hidden_state
from tests.staff_accounts import PASSWORD

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "interest-cohort=(), browsing-topics=()",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cache-Control": "no-store",
}
FOOTER = "never stored with your answers"


def app_on(url: str, **settings):
    """Another app instance (a worker) on the given database, same secret as the tests'."""
    db.session.close()
    instance = create_app({
        "SURVEY_ENV": "testing", "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
        "BASE_URL": "https://survey.test", "PREFER_HTTPS": True, **settings,
    })
    instance.config["PROPAGATE_EXCEPTIONS"] = False  # answer as a deployed server does
    return instance


@pytest.fixture
def instances(app):
    made = []

    def build(url: str, **settings):
        made.append(app_on(url, **settings))
        return made[-1]

    yield build
    for instance in made:
        with instance.app_context():
            db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object per process: give it back


def unreachable_url(dialect: str, tmp_path) -> str:
    if dialect == "postgresql":
        return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'survey.db'}"


def assert_unavailable(response, staff_page: bool):
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"] == str(RETRY_AFTER_UNAVAILABLE)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "Thank you" not in page and "thank you" not in page
    if response.mimetype == "text/html":
        assert "Sign out" not in page, "no account was looked up"
        if staff_page:
            assert 'href="/admin/"' in page and FOOTER not in page
        else:
            assert 'href="/take"' in page


def respondent_at_review(client, code: str):
    """Enter a code and go straight to the review page; return its state and token."""
    page = client.get("/take").text
    page = client.post("/take", data={"code": code, "csrf_token": csrf_token(page)}).text
    review = client.post("/survey", data={"state": hidden_state(page), "nav": "review",
                                          "csrf_token": csrf_token(page)})
    assert review.status_code == 200 and "Check your answers" in review.text
    return {"state": hidden_state(review.text), "csrf_token": csrf_token(review.text)}


# Database out of reach (both engines) --------------------------------------------------


def test_pool_pre_ping_is_on(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert db.engine.pool._pre_ping


def test_every_page_answers_503_with_retry_after_when_the_database_is_unreachable(
    instances, new_client, staff, login, make_wave, issue, dialect, tmp_path
):
    wave = make_wave(state="open")
    wave_code, code = wave.code, issue(wave, 1)[0]
    respondent = new_client()
    submission = respondent_at_review(respondent, code)
    member = new_client()
    assert login(member, staff[Role.ADMIN]).status_code == 302

    down = instances(unreachable_url(dialect, tmp_path))
    staff_client, respondent_client = new_client(down), new_client(down)
    staff_client.set_cookie("session", member.get_cookie("session").value)
    respondent_client.set_cookie("session", respondent.get_cookie("session").value)

    for path in ("/admin/", "/admin/waves", "/results/", f"/results/{wave_code}"):
        assert_unavailable(staff_client.get(path), staff_page=True)
    # A page that is not there is still a 404, its page made without the database.
    missing = staff_client.get("/admin/no-such-page")
    assert missing.status_code == 404 and "Sign out" not in missing.text
    assert all(missing.headers.get(name) == value for name, value in SECURITY_HEADERS.items())
    api = staff_client.get("/api/waves")
    assert_unavailable(api, staff_page=True)
    assert api.json["error"]["status"] == 503
    assert_unavailable(respondent_client.get("/take"), staff_page=False)
    page = respondent_client.post("/take", data={"code": code,
                                                 "csrf_token": submission["csrf_token"]})
    assert_unavailable(page, staff_page=False)
    submitted = respondent_client.post("/survey/submit", data=submission)
    assert_unavailable(submitted, staff_page=False)
    assert "send the page again" in submitted.text
    # A signed-in member of staff's page while the database is down: plain, never a 500.
    assert_unavailable(staff_client.post("/admin/logout", data={}), staff_page=True)


def test_the_outage_is_logged_without_the_statement_or_its_parameters(
    instances, new_client, dialect, tmp_path, caplog
):
    down = instances(unreachable_url(dialect, tmp_path))
    assert new_client(down).get("/take").status_code == 503
    [record] = [r for r in caplog.records if r.name == "survey.errors"]
    assert record.getMessage().startswith("Database unavailable (")
    assert "SELECT" not in record.getMessage() and record.exc_info is None


# Connections ended under the app (PostgreSQL) ----------------------------------------


def test_the_next_request_after_the_connections_are_ended_succeeds(
    app, instances, new_client, staff, login, dialect
):
    """A restart ends every connection in the pool; pre-ping replaces them unseen."""
    if dialect != "postgresql":
        pytest.skip("ending server connections needs PostgreSQL")
    name = f"harden-{uuid.uuid4().hex[:12]}"
    worker = instances(f"{app.config['SQLALCHEMY_DATABASE_URI']}?application_name={name}")
    client = new_client(worker)
    assert login(client, "admin@force.test").status_code == 302
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        ended = db.session.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = :name"
        ), {"name": name}).scalar()
        db.session.commit()
    assert ended >= 1
    for path in ("/admin/", "/admin/waves", "/take"):
        assert client.get(path).status_code == 200, path
    assert client.get("/results/").status_code == 403, "an administrator reads no results"


# A real stop and restart (a private PostgreSQL cluster) -------------------------------


@contextmanager
def private_cluster():
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.mark.skipif(not os.path.exists("/usr/lib/postgresql"), reason="no PostgreSQL server")
def test_a_database_restart_gives_503_while_down_and_nothing_after(
    instances, new_client, login
):
    with private_cluster() as cluster:
        worker = instances(cluster.url)
        with worker.app_context():
            upgrade()
            load_units(UNITS)
            instrument = register_instrument_file(DEFAULT_INSTRUMENT)
            wave = create_wave("restart", "Restart", instrument, date.today(),
                               date.today() + timedelta(days=7), threshold=10,
                               comment_threshold=15)
            open_wave(wave)
            create_user("admin@force.test", PASSWORD, Role.ADMIN)
            codes = issue_codes(wave, 2, code_hash_key(worker), override=True)
            db.session.commit()
            db.session.remove()
        member, respondent = new_client(worker), new_client(worker)
        assert login(member, "admin@force.test").status_code == 302
        assert member.get("/admin/").status_code == 200
        submission = respondent_at_review(respondent, codes[0])

        cluster.stop()
        cluster.wait_until_refusing()
        for path in ("/admin/", "/results/"):
            assert_unavailable(member.get(path), staff_page=True)
        assert_unavailable(respondent.get("/take"), staff_page=False)
        assert_unavailable(respondent.post("/survey/submit", data=submission), staff_page=False)

        cluster.start()
        page = member.get("/admin/")
        assert page.status_code == 200 and "Sign out" in page.text, "first request after restart"
        done = respondent.post("/survey/submit", data=submission)
        assert done.status_code == 303 and done.headers["Location"].endswith("/done"), (
            "the answers sent again after the restart are received"
        )
        with worker.app_context():
            stored = text("SELECT count(*) FROM response")  # its spend waits for a batch
            assert db.session.execute(stored).scalar() == 1
            db.session.remove()
