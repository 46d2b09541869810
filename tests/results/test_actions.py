"""Actions on results ("you said, we did"): recorded by hr and pao against a measure of a
closed wave, every change audited, notes append-only, published without sign-in and on
the trend chart and table of the measure; the default questionnaire asks whether
effective action was taken."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Action, ActionStatus, AuditEvent, Role
from survey.reporting import reportable_measures
from survey.services import DomainError
from survey.services.actions import ActionText, create_action
from survey.services.audit import (
    ACTION_CHANGED,
    ACTION_CREATED,
    ACTION_NOTE_ADDED,
    DESCRIPTIONS,
)
from tests.conftest import csrf_token

FINDING = "Fewer than half of you said your line manager notices when you are struggling."
DOING = "Mental-health first-aid training for every supervisor"


def fields(**changes) -> dict:
    return {"measure": "supervisor_support", "finding": FINDING, "action": DOING,
            "owner_role": "Head of HR", "due_on": "2026-06-30", "status": "planned",
            **changes}


def post(client, url: str, data: dict, page_url: str | None = None):
    token = csrf_token(client.get(page_url or url).text)
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def wave(results_wave):
    return results_wave(count=300)


@pytest.fixture
def recorded(hr, wave):
    url = f"/admin/actions/new?wave={wave.code}"
    assert post(hr, url, fields()).status_code == 302
    return db.session.scalar(select(Action))


def audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def test_hr_records_an_action_on_a_closed_wave_and_it_is_audited(hr, staff, wave, recorded):
    assert (recorded.wave_id, recorded.measure) == (wave.id, "supervisor_support")
    assert recorded.owner_role == "Head of HR" and recorded.due_on == date(2026, 6, 30)
    assert recorded.status == ActionStatus.PLANNED
    [event] = audited(ACTION_CREATED)
    assert event.actor_email == staff[Role.HR].email
    assert event.detail == {"action_id": recorded.id, "wave": wave.code,
                            "measure": "supervisor_support", "status": "planned"}
    page = hr.get(f"/admin/actions/{recorded.id}").text
    assert "This text is public" in page and DOING in page


def test_the_new_action_page_says_the_text_is_public_and_offers_the_waves_measures(hr, wave):
    page = hr.get(f"/admin/actions/new?wave={wave.code}").text
    assert "This text is public" in page
    assert 'value="effective_action_taken"' in page and 'value="supervisor_support"' in page
    assert wave.code in hr.get("/admin/actions/new").text  # no wave chosen: choose one


def test_missing_text_and_unknown_measures_are_refused(hr, wave):
    url = f"/admin/actions/new?wave={wave.code}"
    assert post(hr, url, fields(owner_role="")).status_code == 422
    assert post(hr, url, fields(measure="not_a_measure")).status_code == 422
    assert db.session.scalar(select(Action)) is None


def test_actions_are_recorded_only_against_closed_waves(make_wave, staff):
    open_wave = make_wave(state="open")
    text = ActionText(FINDING, DOING, "Head of HR", date(2026, 6, 30), ActionStatus.PLANNED)
    with pytest.raises(DomainError):
        create_action(staff[Role.HR], open_wave, "supervisor_support", text)


def test_an_open_wave_is_not_offered_for_actions(hr, make_wave):
    open_wave = make_wave(state="open")
    assert hr.get(f"/admin/actions/new?wave={open_wave.code}").text.count(open_wave.code) == 0


def test_a_change_is_saved_and_audited_with_the_fields_that_changed(hr, recorded):
    url = f"/admin/actions/{recorded.id}"
    assert post(hr, url, fields(status="in_progress", owner_role="Chief Constable")
                ).status_code == 302
    db.session.refresh(recorded)
    assert recorded.status == ActionStatus.IN_PROGRESS
    [event] = audited(ACTION_CHANGED)
    assert event.detail["fields"] == ["owner_role", "status"]
    assert FINDING not in json.dumps(event.detail)


def test_progress_notes_are_append_only_and_audited(hr, recorded):
    url = f"/admin/actions/{recorded.id}/notes"
    page = f"/admin/actions/{recorded.id}"
    for text in ("Training booked for 120 supervisors", "First 60 trained"):
        assert post(hr, url, {"text": text}, page).status_code == 302
    db.session.refresh(recorded)
    assert [n.text for n in recorded.notes] == ["Training booked for 120 supervisors",
                                                "First 60 trained"]
    assert len(audited(ACTION_NOTE_ADDED)) == 2
    assert post(hr, url, {"text": ""}, page).status_code == 422


def test_administrators_may_not_record_actions(clients, wave):
    admin = clients[Role.ADMIN]
    assert admin.get(f"/admin/actions/new?wave={wave.code}").status_code == 403


def test_audit_actions_have_descriptions():
    for action in (ACTION_CREATED, ACTION_CHANGED, ACTION_NOTE_ADDED):
        assert action in DESCRIPTIONS


def test_the_public_page_lists_actions_by_wave_with_the_latest_progress(
    new_client, hr, wave, recorded
):
    post(hr, f"/admin/actions/{recorded.id}/notes", {"text": "Training booked"},
         f"/admin/actions/{recorded.id}")
    post(hr, f"/admin/actions/{recorded.id}/notes", {"text": "First 60 trained"},
         f"/admin/actions/{recorded.id}")
    anyone = new_client()
    page = anyone.get("/you-said-we-did")
    assert page.status_code == 200
    for text in (wave.title, FINDING, DOING, "Head of HR", "Planned", "30 June 2026",
                 "First 60 trained", "Line manager support"):
        assert text in page.text
    assert "Training booked" not in page.text  # only the latest progress


def test_the_landing_page_links_to_the_public_page_only_when_an_action_exists(
    new_client, hr, wave
):
    anyone = new_client()
    assert "/you-said-we-did" not in anyone.get("/take").text
    assert "No actions have been published yet" in anyone.get("/you-said-we-did").text
    post(hr, f"/admin/actions/new?wave={wave.code}", fields())
    assert "/you-said-we-did" in anyone.get("/take").text


def test_the_trend_chart_and_table_show_the_action_at_its_wave(hr, results_wave, recorded):
    later = results_wave(count=300, code="spring-2026", opens_on=date(2026, 3, 1),
                         wave_index=2, seed=5)
    page = hr.get(f"/results/{later.code}/trend?measure=supervisor_support")
    assert page.status_code == 200
    figure = json.loads(_figure(page.text))
    markers = [trace for trace in figure["data"] if trace.get("name") == "Action"]
    answer = hr.get(f"/api/waves/{later.code}/trend?measure=supervisor_support")
    rows = answer.get_json()["tables"][0]["rows"]
    first_wave = next(row["cells"][0] for row in rows if row["key"] == "autumn-2025")
    assert len(markers) == 1 and markers[0]["x"] == [first_wave]
    assert DOING in markers[0]["hovertext"][0].replace("<br>", " ")
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["Action"]
    by_wave = {row["key"]: row["values"]["actions"] for row in rows}
    assert by_wave[later.code] is None
    assert by_wave["autumn-2025"].startswith(DOING) and "Head of HR" in by_wave["autumn-2025"]


def test_a_measure_without_actions_keeps_its_trend_table_as_it_was(hr, wave, recorded):
    answer = hr.get(f"/api/waves/{wave.code}/trend?measure=who5").get_json()
    assert "actions" not in [c["key"] for c in answer["tables"][0]["columns"]]


def test_the_default_questionnaire_asks_whether_effective_action_was_taken(instrument):
    definition = Definition(instrument.definition)
    item = definition.items["effective_action_taken"]
    assert item["scale"] == "agree5"
    assert definition.text(item["text"]) == (
        "Effective action has been taken on the results of the last survey")
    assert "effective_action_taken" in reportable_measures(definition)


def _figure(html: str) -> str:
    import html as entities

    start = html.index('data-figure="') + len('data-figure="')
    return entities.unescape(html[start:html.index('"', start)])
