"""The API for reporting tools: personal access tokens (shown once, stored hashed, role,
expiry, revocation, audited), JSON errors, the same figures as the pages, never a count
below k, and an OpenAPI document that validates and covers every route."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from survey.extensions import db
from survey.models import ApiToken, AuditEvent, Role, utc_now
from survey.services.audit import TOKEN_CREATED, TOKEN_REVOKED, TOKEN_USED
from tests.api.conftest import bearer
from tests.conftest import csrf_token


@pytest.fixture
def wave(results_wave):
    return results_wave(count=900)


def test_the_openapi_document_validates_and_covers_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<wave_code>", "{wave}")
        .replace("<round_code>", "{round}")
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api_v1.")
    }
    assert routes - {"/openapi.json"} == set(document["paths"])


def test_a_token_is_shown_once_stored_hashed_and_audited(clients, staff):
    hr = clients[Role.HR]
    page = hr.get("/admin/tokens")
    made = hr.post("/admin/tokens", data={"name": "Power BI", "days": "30",
                                          "csrf_token": csrf_token(page.text)})
    assert made.status_code == 200
    token = made.text.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("wsv_") and len(token) > 40
    assert token not in hr.get("/admin/tokens").text
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(days=30)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert TOKEN_CREATED in actions
    assert all(token not in str(e.detail) for e in db.session.scalars(select(AuditEvent)))


def test_a_token_reads_with_its_owners_role_and_each_use_is_audited(client, tokens, wave):
    url = f"/api/v1/waves/{wave.code}/heatmap?level=sex"
    assert client.get(url, headers=bearer(tokens[Role.HR])).status_code == 200
    assert client.get(url, headers=bearer(tokens[Role.PAO])).status_code == 200
    refused = client.get(url, headers=bearer(tokens[Role.ADMIN]))
    assert refused.status_code == 403 and refused.get_json()["error"]["status"] == 403
    used = db.session.scalars(select(AuditEvent).filter_by(action=TOKEN_USED)).all()
    assert len(used) == 3 and {e.detail["endpoint"] for e in used} == {"api_v1.heatmap"}


@pytest.mark.parametrize("header", [None, "Bearer wsv_not-a-token", "Basic abc", "Bearer "])
def test_no_valid_token_is_401_json(client, wave, header):
    response = client.get("/api/v1/waves", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_a_session_cookie_alone_does_not_open_the_api(hr, wave):
    assert hr.get("/api/v1/waves").status_code == 401


def test_revoked_and_expired_tokens_are_refused(client, clients, staff, tokens, wave):
    hr = clients[Role.HR]
    row = db.session.scalar(select(ApiToken).filter_by(user_id=staff[Role.HR].id))
    page = hr.get("/admin/tokens")
    assert hr.post(f"/admin/tokens/{row.id}/revoke",
                   data={"csrf_token": csrf_token(page.text)}).status_code == 302
    assert client.get("/api/v1/waves", headers=bearer(tokens[Role.HR])).status_code == 401
    assert db.session.scalars(select(AuditEvent).filter_by(action=TOKEN_REVOKED)).all()
    pao = db.session.scalar(select(ApiToken).filter_by(user_id=staff[Role.PAO].id))
    pao.expires_at = utc_now() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/waves", headers=bearer(tokens[Role.PAO])).status_code == 401


def test_someone_elses_token_cannot_be_revoked(clients, staff, tokens):
    pao_token = db.session.scalar(select(ApiToken).filter_by(user_id=staff[Role.PAO].id))
    hr = clients[Role.HR]
    page = hr.get("/admin/tokens")
    response = hr.post(f"/admin/tokens/{pao_token.id}/revoke",
                       data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 404
    db.session.refresh(pao_token)
    assert pao_token.revoked_at is None


def test_errors_are_json_404_and_422(client, tokens, wave):
    auth = bearer(tokens[Role.HR])
    missing = client.get("/api/v1/waves/no-such-wave/gaps", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    bad = client.get(f"/api/v1/waves/{wave.code}/gaps?level=shoe_size", headers=auth)
    assert bad.status_code == 422 and "shoe_size" not in bad.get_json()["error"]["message"]


def test_v1_figures_are_the_pages_figures(client, hr, tokens, wave):
    auth = bearer(tokens[Role.HR])
    for v1, page in (
        ("gaps?level=ethnicity_5&measure=who5", "breakdown?level=ethnicity_5&measure=who5"),
        ("heatmap?level=sex", "heatmap?level=sex"),
        ("drivers", "drivers"),
        ("trends?measure=who5", "trend?measure=who5"),
    ):
        ours = client.get(f"/api/v1/waves/{wave.code}/{v1}", headers=auth).get_json()
        theirs = hr.get(f"/api/waves/{wave.code}/{page}").get_json()
        assert ours["tables"] == theirs["tables"], v1


def counts_in(body) -> list[int]:
    """Every respondent count in an answer: values named n, <group>:n, respondents."""
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            if (key in ("n", "respondents") or key.endswith(":n")) and isinstance(value, int):
                found.append(value)
            else:
                found += counts_in(value)
    elif isinstance(body, list):
        for value in body:
            found += counts_in(value)
    return found


@pytest.mark.parametrize("role", [Role.HR, Role.PAO])
def test_no_answer_rests_on_fewer_than_k(client, tokens, wave, role):
    auth = bearer(tokens[role])
    paths = ["waves", f"waves/{wave.code}", f"waves/{wave.code}/drivers",
             f"waves/{wave.code}/drivers?level=ethnic_minority&group=white"]
    paths += [f"waves/{wave.code}/heatmap?level={level}"
              for level in ("religion", "ethnicity_19", "unit", "rank")]
    paths += [f"waves/{wave.code}/gaps?level=religion&measure={m}" for m in ("who5", "cbi_work")]
    seen = []
    for path in paths:
        response = client.get(f"/api/v1/{path}", headers=auth)
        assert response.status_code == 200, path
        seen += counts_in(response.get_json())
    assert seen and min(seen) >= wave.threshold


def test_actions_are_listed_by_wave_with_their_notes(client, tokens, staff, wave):
    from datetime import date

    from survey.models import ActionStatus
    from survey.services.actions import ActionText, add_note, create_action

    text = ActionText("Few felt PDRs were useful", "Shorter PDR form", "Head of HR",
                      date(2026, 9, 1), ActionStatus.IN_PROGRESS)
    row = create_action(staff[Role.HR], wave, "pdr_quality", text)
    add_note(staff[Role.HR], row, "Form drafted")
    db.session.commit()
    answer = client.get(f"/api/v1/actions?wave={wave.code}", headers=bearer(tokens[Role.PAO]))
    assert answer.status_code == 200
    [listed] = answer.get_json()["waves"]
    assert listed["code"] == wave.code
    [action] = listed["actions"]
    assert action["action"] == "Shorter PDR form" and action["status"] == "in_progress"
    assert action["measure_title"] == "PDR and one-to-one quality"
    assert [note["text"] for note in action["notes"]] == ["Form drafted"]
    assert client.get("/api/v1/actions?wave=nope",
                      headers=bearer(tokens[Role.HR])).status_code == 404
    assert client.get("/api/v1/actions", headers=bearer(tokens[Role.ADMIN])).status_code == 403
