"""Deny by default: every registered route, walked with each role and with none.

The expected table below is written out by hand, not derived from survey/admin/access.py,
so a change of access (or a new route) fails here until someone decides what it should be.
POSTs carry no CSRF token: a role that may use the route gets 400 (the CSRF refusal, so
nothing changes), a role that may not gets 403 or the sign-in redirect first.
"""

from __future__ import annotations

import pytest
from flask import Blueprint

from survey import create_app
from survey.admin.access import ADMIN_ONLY, is_public, roles_for
from survey.extensions import db, limiter
from survey.models import Role
from survey.results.views import plotly_version

LOGIN = "to sign-in"  # a 302 redirect to /admin/login
ROLES = (None, Role.ADMIN, Role.HR, Role.PAO)

#                                         anonymous  admin  hr    pao
EXPECTED = {
    ("GET", "admin.login"):                 (200,     302,   302,  302),
    ("POST", "admin.login"):                (400,     400,   400,  400),
    ("POST", "admin.logout"):               (LOGIN,   400,   400,  400),
    ("GET", "admin.index"):                 (LOGIN,   200,   200,  200),
    ("GET", "admin.monitor"):               (LOGIN,   200,   200,  200),
    ("GET", "admin.tokens"):                (LOGIN,   200,   200,  200),
    ("POST", "admin.tokens"):               (LOGIN,   400,   400,  400),
    ("POST", "admin.revoke"):               (LOGIN,   400,   400,  400),
    ("GET", "admin.actions"):               (LOGIN,   403,   200,  200),
    ("GET", "admin.new_action"):            (LOGIN,   403,   200,  200),
    ("POST", "admin.new_action"):           (LOGIN,   403,   400,  400),
    ("GET", "admin.action"):                (LOGIN,   403,   404,  404),  # no such action
    ("POST", "admin.action"):               (LOGIN,   403,   400,  400),
    ("POST", "admin.action_note"):          (LOGIN,   403,   400,  400),
    ("GET", "admin.instruments"):           (LOGIN,   200,   403,  403),
    ("POST", "admin.instruments"):          (LOGIN,   400,   403,  403),
    ("GET", "admin.preview"):               (LOGIN,   200,   403,  403),
    ("GET", "admin.import_template_csv"):   (LOGIN,   200,   403,  403),
    ("GET", "admin.units"):                 (LOGIN,   200,   403,  403),
    ("POST", "admin.units"):                (LOGIN,   400,   403,  403),
    ("GET", "admin.waves"):                 (LOGIN,   200,   403,  403),
    ("GET", "admin.new_wave"):              (LOGIN,   200,   403,  403),
    ("POST", "admin.new_wave"):             (LOGIN,   400,   403,  403),
    ("GET", "admin.wave"):                  (LOGIN,   200,   403,  403),
    ("POST", "admin.wave"):                 (LOGIN,   400,   403,  403),
    ("POST", "admin.open_wave"):            (LOGIN,   400,   403,  403),
    ("GET", "admin.close_wave"):            (LOGIN,   200,   403,  403),
    ("POST", "admin.close_wave"):           (LOGIN,   400,   403,  403),
    ("GET", "admin.codes"):                 (LOGIN,   200,   403,  403),
    ("POST", "admin.codes"):                (LOGIN,   400,   403,  403),
    ("GET", "admin.headcounts"):            (LOGIN,   200,   403,  403),
    ("POST", "admin.headcounts"):           (LOGIN,   400,   403,  403),
    ("GET", "admin.headcount_template_csv"): (LOGIN,  200,   403,  403),
    ("GET", "admin.import_wave"):           (LOGIN,   200,   403,  403),
    ("POST", "admin.import_wave"):          (LOGIN,   400,   403,  403),
    ("GET", "admin.pipeline_counts"):       (LOGIN,   200,   403,  403),
    ("POST", "admin.pipeline_counts"):      (LOGIN,   400,   403,  403),
    ("GET", "admin.users"):                 (LOGIN,   200,   403,  403),
    ("POST", "admin.users"):                (LOGIN,   400,   403,  403),
    ("GET", "admin.user"):                  (LOGIN,   200,   403,  403),
    ("POST", "admin.user"):                 (LOGIN,   400,   403,  403),
    ("POST", "admin.user_password"):        (LOGIN,   400,   403,  403),
    ("GET", "admin.audit"):                 (LOGIN,   200,   403,  403),
    ("GET", "results.index"):               (LOGIN,   403,   200,  200),
    ("GET", "results.overview"):            (LOGIN,   403,   200,  200),
    ("GET", "results.glossary"):            (LOGIN,   403,   200,  200),
    ("GET", "results.breakdown"):           (LOGIN,   403,   200,  200),
    ("GET", "results.intersection"):        (LOGIN,   403,   200,  200),
    ("GET", "results.trend"):               (LOGIN,   403,   200,  200),
    ("GET", "results.comments"):            (LOGIN,   403,   200,  200),
    ("GET", "results.representation"):      (LOGIN,   403,   200,  200),
    ("GET", "results.pipeline_rounds"):     (LOGIN,   403,   200,  200),
    ("GET", "results.pipeline"):            (LOGIN,   403,   404,  404),  # no such round
    ("GET", "results.plotly_js"):           (LOGIN,   403,   200,  200),
    ("POST", "results.prepare_comments_export"): (LOGIN, 403,  400,  400),  # no CSRF token
    ("GET", "results.export_status"):       (LOGIN,   403,   404,  404),  # no such job
    ("GET", "results.export_file"):         (LOGIN,   403,   404,  404),
    ("GET", "results.fairness_report"):     (LOGIN,   403,   200,  200),
    ("GET", "results.heatmap"):             (LOGIN,   403,   200,  200),
    ("GET", "results.drivers"):             (LOGIN,   403,   200,  200),
    ("GET", "api.waves"):                   (LOGIN,   403,   200,  200),
    ("GET", "api.overview"):                (LOGIN,   403,   200,  200),
    ("GET", "api.breakdown"):               (LOGIN,   403,   200,  200),
    ("GET", "api.intersection"):            (LOGIN,   403,   200,  200),
    ("GET", "api.trend"):                   (LOGIN,   403,   200,  200),
    ("GET", "api.comments"):                (LOGIN,   403,   200,  200),
    ("GET", "api.representation"):          (LOGIN,   403,   200,  200),
    ("GET", "api.heatmap"):                 (LOGIN,   403,   200,  200),
    ("GET", "api.drivers"):                 (LOGIN,   403,   200,  200),
    ("GET", "api.pipeline_rounds"):         (LOGIN,   403,   200,  200),
    ("GET", "api.pipeline"):                (LOGIN,   403,   404,  404),  # no such round
    # The API for reporting tools takes a personal access token, never the session
    # (tests/api/test_v1.py walks it with tokens); its description is public.
    ("GET", "api_v1.openapi"):              (200,     200,   200,  200),
    **{("GET", f"api_v1.{name}"): (401, 401, 401, 401) for name in (
        "waves", "wave", "measures", "breakdowns", "gaps", "heatmap", "drivers", "trends",
        "pipeline_rounds", "pipeline", "actions")},
}


def registered_routes(app) -> list[tuple[str, str, object]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.endpoint, rule))
    return routes


def url_for_rule(app, rule, values: dict) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})


def outcome(response) -> int | str:
    response.close()  # static files are streamed from open files
    if response.status_code == 302 and "/admin/login" in response.headers["Location"]:
        return LOGIN
    return response.status_code


def test_every_route_is_in_the_table_or_public(app):
    for method, endpoint, _ in registered_routes(app):
        if not is_public(endpoint) or endpoint == "admin.login":
            assert (method, endpoint) in EXPECTED, f"{method} {endpoint} has no expected statuses"
    listed = {(m, e) for m, e, _ in registered_routes(app)}
    assert set(EXPECTED) <= listed, f"stale entries: {set(EXPECTED) - listed}"


def test_each_role_gets_the_expected_status_on_every_staff_route(
    app, clients, staff, make_wave, instrument
):
    wave = make_wave(state="open")  # admin pages: an open wave (it can be closed)
    published = make_wave(state="closed")  # results: only closed waves publish anything
    values = {
        "wave_id": wave.id,
        "wave_code": published.code,
        "round_code": "no-such-round",
        "version": plotly_version(),
        "instrument_id": instrument.id,
        "user_id": staff[Role.PAO].id,
        "filename": "css/site.css",
        "job": "no-such-job",
        "token_id": 1,
        "action_id": 1,
    }
    wrong = []
    for method, endpoint, rule in registered_routes(app):
        if (method, endpoint) not in EXPECTED:
            continue
        url = url_for_rule(app, rule, values)
        for role, expected in zip(ROLES, EXPECTED[(method, endpoint)], strict=True):
            got = outcome(clients[role].open(url, method=method))
            if got != expected:
                wrong.append(f"{method} {url} as {role}: expected {expected}, got {got}")
    assert wrong == []


def test_public_routes_behave_the_same_for_everyone(app, clients):
    """The respondent side and static files: no role changes anything, nobody is sent to sign in."""
    values = {"filename": "css/site.css"}
    for method, endpoint, rule in registered_routes(app):
        if not is_public(endpoint) or endpoint.startswith("admin."):
            continue
        url = url_for_rule(app, rule, values)
        statuses = {role: outcome(clients[role].open(url, method=method)) for role in ROLES}
        assert len(set(statuses.values())) == 1, (method, url, statuses)
        assert statuses[None] not in (LOGIN, 403), (method, url, statuses)
        if method == "POST":
            assert statuses[None] == 400, "a respondent POST without a CSRF token is refused"


def test_an_endpoint_missing_from_the_table_is_for_administrators_only():
    assert roles_for("admin.some_new_page") == ADMIN_ONLY
    assert roles_for("reports.anything") == ADMIN_ONLY
    assert not is_public("admin.some_new_page")
    assert not is_public("reports.anything")
    assert is_public("respond.anything") and is_public("static")


@pytest.fixture
def app_with_extra_blueprint(app, tmp_path):
    """A second app with a blueprint nobody declared access for (as a future one would be)."""
    extra = Blueprint("reports", __name__, url_prefix="/reports")
    extra.add_url_rule("/", "index", lambda: "secret figures")
    other = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")},
                        "SURVEY_ENV": "testing", "PREFER_HTTPS": False})
    other.register_blueprint(extra)
    yield other
    with other.app_context():
        db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object per process: give it back to `app`


def test_a_blueprint_without_declared_access_is_denied_by_default(
    app_with_extra_blueprint, staff, login, new_client
):
    emails = {role: user.email for role, user in staff.items()}
    db.session.close()  # the other app has its own session; leave SQLite unlocked for it
    anonymous = new_client(app_with_extra_blueprint)
    assert outcome(anonymous.get("/reports/")) == LOGIN
    for role, expected in ((Role.HR, 403), (Role.PAO, 403), (Role.ADMIN, 200)):
        client = new_client(app_with_extra_blueprint)
        assert login(client, emails[role]).status_code == 302
        assert client.get("/reports/").status_code == expected, role


def test_unknown_admin_urls_are_not_found_not_redirected(app, clients):
    for role in ROLES:
        assert clients[role].get("/admin/no-such-page").status_code == 404
