"""CSRF on every staff form: a POST without the token is refused with 400 and changes nothing.

Each POST below carries data that would otherwise succeed (the control test shows it
does), so the token is the only thing missing.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import ActionStatus, Role, User, Wave
from survey.services.actions import ActionText, create_action
from survey.services.instruments import DEFAULT_INSTRUMENT
from survey.services.tokens import create_token
from tests.conftest import UNITS
from tests.staff_accounts import PASSWORD


def snapshot() -> dict:
    """Everything a staff form could change."""
    db.session.expire_all()
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
    users = db.session.execute(
        select(User.email, User.role, User.active, User.password_hash, User.session_version,
               User.unit_scope).order_by(User.id)
    ).all()
    waves = db.session.execute(
        select(Wave.code, Wave.state, Wave.title, Wave.breakdowns, Wave.codes_issued)
        .order_by(Wave.id)
    ).all()
    db.session.rollback()
    return {"counts": counts, "users": users, "waves": waves}


def csv_file(text: str, name: str = "file.csv"):
    return (io.BytesIO(text.encode()), name)


@pytest.fixture
def posts(staff, make_wave, instrument):
    """(url, data) for every staff POST route, each valid but for the missing token."""
    draft = make_wave(state="draft")
    opened = make_wave(state="open")
    user = staff[Role.PAO]
    token, _ = create_token(staff[Role.ADMIN], "tool", 30)
    closed = make_wave(state="closed")
    action = create_action(staff[Role.HR], closed, "who5", ActionText(
        "Wellbeing fell", "More supervisor time", "Head of HR", date(2027, 6, 1),
        ActionStatus.PLANNED))
    db.session.commit()
    action_form = {"wave": closed.code, "measure": "who5", "finding": "F", "action": "A",
                   "owner_role": "HR", "due_on": "2027-06-01", "status": "planned"}
    past = ("who5_1,sex\n5,female\n" * 1)
    return {
        "admin.login": ("/admin/login", {"email": "admin@force.test", "password": PASSWORD}),
        "admin.logout": ("/admin/logout", {}),
        "admin.instruments": ("/admin/instruments", {
            "file": (io.BytesIO(DEFAULT_INSTRUMENT.read_bytes().replace(
                b"\nversion: 1\n", b"\nversion: 2\n")), "v2.yaml")}),
        "admin.units": ("/admin/units", {"file": (io.BytesIO(UNITS.read_bytes()), "u.yaml")}),
        "admin.new_wave": ("/admin/waves/new", {
            "code": "csrf-wave", "title": "T", "instrument": str(instrument.id),
            "opens_on": "2027-01-01", "closes_on": "2027-02-01", "threshold": "10",
            "comment_threshold": "15"}),
        "admin.wave": (f"/admin/waves/{draft.id}", {
            "title": "Changed", "opens_on": "2027-01-01", "closes_on": "2027-02-01",
            "threshold": "12", "comment_threshold": "15", "breakdowns": ["sex"]}),
        "admin.open_wave": (f"/admin/waves/{draft.id}/open", {}),
        "admin.close_wave": (f"/admin/waves/{opened.id}/close", {"confirm": "y"}),
        "admin.codes": (f"/admin/waves/{opened.id}/codes", {"count": "3", "override": "y"}),
        "admin.headcounts": (f"/admin/waves/{opened.id}/headcounts", {
            "file": csv_file("unit,headcount\nnorth_lpa,100\n")}),
        "admin.import_wave": (f"/admin/waves/{draft.id}/import", {"file": csv_file(past)}),
        "admin.pipeline_counts": ("/admin/pipeline", {
            "instrument": str(instrument.id), "file": csv_file(
                "round,stage,stage_order,breakdown,group,entered,progressed\n"
                "sgt-2026,Exam,1,sex,female,40,20\n")}),
        "admin.users": ("/admin/users", {
            "email": "new@force.test", "role": "hr", "password": PASSWORD,
            "confirm": PASSWORD}),
        "admin.user": (f"/admin/users/{user.id}", {"role": "hr"}),
        "admin.user_password": (f"/admin/users/{user.id}/password", {
            "password": "another long password", "confirm": "another long password"}),
        "admin.tokens": ("/admin/tokens", {"name": "Power BI", "days": "30"}),
        "admin.revoke": (f"/admin/tokens/{token.id}/revoke", {}),
        # Actions are the results roles' forms: posted below by an HR business partner.
        "admin.new_action": ("/admin/actions/new", action_form),
        "admin.action": (f"/admin/actions/{action.id}", action_form),
        "admin.action_note": (f"/admin/actions/{action.id}/notes", {"text": "Started"}),
    }


RESULTS_ROLE_FORMS = {"admin.new_action", "admin.action", "admin.action_note"}


@pytest.fixture
def hr_client(new_client, staff, login):
    client = new_client()
    assert login(client, staff[Role.HR]).status_code == 302
    return client


def test_every_staff_form_is_listed(app, posts):
    posted = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and rule.endpoint.startswith("admin.")}
    assert posted == set(posts)


def test_a_post_without_the_token_is_refused_and_changes_nothing(admin_client, hr_client,
                                                                  posts):
    before = snapshot()
    for endpoint, (url, data) in posts.items():
        client = hr_client if endpoint in RESULTS_ROLE_FORMS else admin_client
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, endpoint
        assert snapshot() == before, f"{endpoint} changed something without a token"
    assert admin_client.get("/admin/").status_code == 200, "still signed in: logout was refused"


def test_a_wrong_token_is_refused_too(admin_client, posts):
    before = snapshot()
    url, data = posts["admin.codes"]
    response = admin_client.post(url, data={**data, "csrf_token": "forged"})
    assert response.status_code == 400
    assert snapshot() == before


def test_control_the_same_posts_with_the_token_do_change_things(admin_client, posts, form_token):
    token = form_token(admin_client)
    for endpoint in ("admin.codes", "admin.users", "admin.new_wave", "admin.headcounts",
                     "admin.pipeline_counts"):
        url, data = posts[endpoint]
        before = snapshot()
        response = admin_client.post(url, data={**data, "csrf_token": token},
                                     content_type="multipart/form-data")
        assert response.status_code in (200, 302), endpoint
        assert snapshot() != before, endpoint
