"""Waves from the staff pages: create, settings, open, issue codes once, close with a
confirmation that says what is purged."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from sqlalchemy import func, select

from survey.extensions import db, spending
from survey.models import AuditEvent, InvitationCode, Response, Tally, Wave, WaveState
from survey.services.audit import CODES_ISSUED, WAVE_CLOSED, WAVE_CREATED, WAVE_OPENED
from survey.services.codes import hash_code, normalise_code
from survey.services.headcounts import replace_headcounts
from survey.services.responses import submit_response
from survey.services.waves import open_wave as wave_ops_open


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def wave_form(instrument, **changes) -> dict:
    return {"code": "2027-spring", "title": "Spring 2027", "instrument": str(instrument.id),
            "opens_on": "2027-03-01", "closes_on": "2027-03-21", "threshold": "10",
            "comment_threshold": "15", **changes}


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def test_an_administrator_creates_a_draft_wave(admin_client, form_token, instrument):
    response = admin_client.post("/admin/waves/new", data={
        **wave_form(instrument), "csrf_token": form_token(admin_client, "/admin/waves/new")})
    assert response.status_code == 302
    wave = db.session.scalar(select(Wave).filter_by(code="2027-spring"))
    assert wave.state == WaveState.DRAFT and wave.threshold == 10
    assert response.headers["Location"] == f"/admin/waves/{wave.id}"
    assert db.session.scalar(select(AuditEvent.detail).filter_by(action=WAVE_CREATED)) == {
        "wave": "2027-spring", "k": 10}


def test_wave_form_errors_are_shown_and_nothing_is_created(admin_client, form_token, instrument):
    token = form_token(admin_client, "/admin/waves/new")
    for changes, message in [
        ({"threshold": "4"}, "k must be at least 5"),
        ({"closes_on": "2027-02-01"}, "on or after the opening date"),
        ({"comment_threshold": "8"}, "cannot be below k"),
        ({"code": "Has Spaces"}, "lower-case letters"),
    ]:
        response = admin_client.post("/admin/waves/new",
                                     data={**wave_form(instrument, **changes), "csrf_token": token})
        assert response.status_code == 422 and message in response.text, changes
    assert count(Wave) == 0


def test_a_duplicate_wave_code_is_refused(admin_client, form_token, instrument, make_wave):
    make_wave(state="draft", code="2027-spring")
    response = admin_client.post("/admin/waves/new", data={
        **wave_form(instrument), "csrf_token": form_token(admin_client, "/admin/waves/new")})
    assert response.status_code == 422 and "already exists" in response.text
    assert count(Wave) == 1


def test_draft_settings_and_breakdowns_can_change_until_opened(admin_client, form_token, make_wave):
    wave = make_wave(state="draft")
    url = f"/admin/waves/{wave.id}"
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url), "title": "Renamed",
        "opens_on": "2027-01-01", "closes_on": "2027-01-31", "threshold": "12",
        "comment_threshold": "15", "breakdowns": ["sex", "unit"]})
    assert response.status_code == 302
    db.session.refresh(wave)
    assert (wave.title, wave.threshold, wave.breakdowns) == ("Renamed", 12, ["sex", "unit"])

    response = admin_client.post(f"{url}/open", data={"csrf_token": form_token(admin_client, url)})
    assert response.status_code == 302
    db.session.refresh(wave)
    assert wave.state == WaveState.OPEN
    event = db.session.scalar(select(AuditEvent).filter_by(action=WAVE_OPENED))
    assert event.detail == {"wave": wave.code, "k": 12, "breakdowns": ["sex", "unit"]}

    page = admin_client.get(url).text
    assert 'name="threshold"' not in page and 'name="breakdowns"' not in page
    assert "fixed when the wave opened" in page
    # Posting fixed settings anyway changes nothing but what may still change.
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url), "title": "Renamed again",
        "opens_on": "2027-01-01", "closes_on": "2027-02-28", "threshold": "5",
        "breakdowns": ["sex"]})
    assert response.status_code == 302
    db.session.refresh(wave)
    assert (wave.title, wave.threshold, wave.breakdowns) == ("Renamed again", 12, ["sex", "unit"])


def test_opening_twice_is_refused_with_a_message(admin_client, form_token, make_wave):
    wave = make_wave(state="open")
    url = f"/admin/waves/{wave.id}"
    response = admin_client.post(f"{url}/open", data={"csrf_token": form_token(admin_client, url)})
    assert response.status_code == 302
    assert "already open" in admin_client.get(url).text


def read_codes(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_codes_are_downloaded_once_and_only_counts_remain(
    admin_client, form_token, make_wave, code_key
):
    wave = make_wave(state="open", code="live")
    url = f"/admin/waves/{wave.id}/codes"
    response = admin_client.post(url, data={"csrf_token": form_token(admin_client, url),
                                            "count": "25", "override": "y"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="live-codes-25.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_codes(response)
    assert len(rows) == 25 and len({row["code"] for row in rows}) == 25
    assert all(row["link"] == f"https://survey.test/take#{row['code']}" for row in rows)
    # Stored only as keyed hashes; the page afterwards shows counts and never a code.
    stored = set(db.session.scalars(select(InvitationCode.code_hash)))
    assert stored == {hash_code(normalise_code(row["code"]), code_key) for row in rows}
    page = admin_client.get(url).text
    assert not any(row["code"] in page for row in rows)
    assert "25" in text_of(page)
    for page_url in (f"/admin/waves/{wave.id}", "/admin/audit", "/admin/waves"):
        body = admin_client.get(page_url).text
        assert not any(row["code"] in body for row in rows), page_url
    event = db.session.scalar(select(AuditEvent).filter_by(action=CODES_ISSUED))
    assert event.detail == {"wave": "live", "count": 25, "after_opening": True, "override": True}


def issue_form(admin_client, form_token, url: str, count: int, override: bool = False):
    data = {"csrf_token": form_token(admin_client, url), "count": str(count)}
    return admin_client.post(url, data={**data, "override": "y"} if override else data)


def test_codes_beyond_the_headcount_need_the_audited_override(
    admin_client, form_token, make_wave
):
    wave = make_wave(state="draft")
    url = f"/admin/waves/{wave.id}/codes"
    refused = issue_form(admin_client, form_token, url, 3)
    assert refused.status_code == 422 and "no workforce headcount" in text_of(refused.text)
    replace_headcounts(wave, b"unit,headcount\n,20\n")
    db.session.commit()
    assert issue_form(admin_client, form_token, url, 20).mimetype == "text/csv"
    refused = issue_form(admin_client, form_token, url, 1)
    assert refused.status_code == 422 and "more codes than people" in text_of(refused.text)
    assert issue_form(admin_client, form_token, url, 1, override=True).mimetype == "text/csv"
    assert count(InvitationCode) == 21
    events = db.session.scalars(select(AuditEvent).filter_by(action=CODES_ISSUED)).all()
    assert [e.detail["override"] for e in events] == [False, True]


def test_codes_issued_after_opening_are_flagged(admin_client, form_token, make_wave, issue):
    wave = make_wave(state="draft")
    issue(wave, 5)
    wave_ops_open(wave)
    issue(wave, 3)
    assert (wave.codes_issued, wave.codes_issued_after_open) == (8, 3)
    page = text_of(admin_client.get(f"/admin/waves/{wave.id}").text)
    assert "8 issued, 3 of them after the wave opened" in page


def test_no_page_counts_codes_used_while_the_wave_is_open(admin_client, make_wave, issue,
                                                           code_key):
    wave = make_wave(state="open")
    codes = issue(wave, 3)
    pages = lambda: [admin_client.get(f"/admin/waves/{wave.id}{tail}").text  # noqa: E731
                     for tail in ("", "/codes", "/close", "/monitor")]
    before = pages()
    submit_response(normalise_code(codes[0]), code_key, wave.id, {"who5_1": 3}, {})
    after = pages()
    for page_before, page_after in zip(before, after, strict=True):
        assert strip_tokens(page_before) == strip_tokens(page_after)


def strip_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page)


def test_codes_cannot_be_issued_for_a_closed_wave(admin_client, form_token, make_wave):
    wave = make_wave(state="closed")
    url = f"/admin/waves/{wave.id}/codes"
    response = admin_client.post(url, data={"csrf_token": form_token(admin_client, url),
                                            "count": "3"})
    assert response.status_code == 422 and "closed" in response.text
    assert count(InvitationCode) == 0


def test_the_close_page_says_what_will_be_purged(admin_client, make_wave, issue, code_key):
    wave = make_wave(state="open", threshold=10)
    codes = issue(wave, 12)
    for code in codes[:3]:
        submit_response(normalise_code(code), code_key, wave.id, {"who5_1": 2}, {})
    db.session.commit()
    page = text_of(admin_client.get(f"/admin/waves/{wave.id}/close").text)
    assert "Every answer submitted so far is published, all at once" in page
    assert "All 12 invitation codes are deleted, used or not" in page
    assert "cannot be undone" in page
    assert "3" not in re.sub(r"\d{4}", "", page), "no count of answers so far"


def test_closing_needs_the_confirmation_box(admin_client, form_token, make_wave):
    wave = make_wave(state="open")
    url = f"/admin/waves/{wave.id}/close"
    response = admin_client.post(url, data={"csrf_token": form_token(admin_client, url)})
    assert response.status_code == 422 and "Tick the box" in response.text
    db.session.refresh(wave)
    assert wave.state == WaveState.OPEN


def test_closing_publishes_everything_and_purges_codes(
    admin_client, form_token, make_wave, issue, code_key
):
    wave = make_wave(state="open", threshold=10)
    codes = issue(wave, 12)
    for code in codes[:3]:
        submit_response(normalise_code(code), code_key, wave.id, {"who5_1": 2}, {})
    db.session.commit()
    url = f"/admin/waves/{wave.id}/close"
    response = admin_client.post(url, data={"csrf_token": form_token(admin_client, url),
                                            "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(wave)
    assert wave.state == WaveState.CLOSED
    assert count(InvitationCode, wave_id=wave.id) == 0
    assert count(Response, wave_id=wave.id) == 3
    assert count(Tally, wave_id=wave.id) > 0
    assert spending.store.pending(wave.id) == []
    event = db.session.scalar(select(AuditEvent).filter_by(action=WAVE_CLOSED))
    assert event.detail == {"wave": wave.code, "responses": 3, "codes_purged": 12}
    # Closing again is not offered.
    assert admin_client.get(url).status_code == 302
