"""Comments: counted in the database, listed a page at a time, searchable; the whole list
only as a background export whose download is audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent
from survey.reporting import PAGE_SIZE
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.conftest import csrf_token


def closed_wave_with_comments(make_wave, count: int):
    wave = make_wave(code="talk")
    rows = [({"unit": "north_cid"}, {"comment_wellbeing": f"north remark {i:03}"})
            for i in range(count)]
    rows += [({}, {"comment_wellbeing": f"quiet {i}"}) for i in range(3)]
    import_responses(wave, rows)
    close_wave(wave)
    db.session.commit()
    return wave


def listed(page: str) -> list[str]:
    return re.findall(r"<li>((?:north remark|quiet) [0-9]+)</li>", page)


def test_comments_come_a_page_at_a_time(make_wave, hr):
    closed_wave_with_comments(make_wave, PAGE_SIZE + 10)
    first = hr.get("/results/talk/comments?question=comment_wellbeing").text
    second = hr.get("/results/talk/comments?question=comment_wellbeing&unit=_all&page=2")
    assert listed(first) == [f"north remark {i:03}" for i in range(PAGE_SIZE)]
    expected = [f"north remark {i:03}" for i in range(PAGE_SIZE, PAGE_SIZE + 10)]
    assert listed(second.text) == [*expected, "quiet 0", "quiet 1", "quiet 2"]
    assert "Page 2 of 2" in second.text


def test_a_search_lists_only_matching_comments_of_a_shown_group(make_wave, hr):
    closed_wave_with_comments(make_wave, 20)
    page = hr.get("/results/talk/comments?question=comment_wellbeing&q=REMARK 01").text
    assert listed(page) == [f"north remark {i:03}" for i in range(10, 20)]
    api = hr.get("/api/waves/talk/comments?question=comment_wellbeing&q=quiet").get_json()
    assert [row["cells"][0] for row in api["tables"][1]["rows"]] == [
        "quiet 0", "quiet 1", "quiet 2"
    ]


def test_a_hidden_group_cannot_be_listed(make_wave, hr):
    closed_wave_with_comments(make_wave, 20)
    response = hr.get("/results/talk/comments?question=comment_wellbeing&unit=not_stated")
    assert response.status_code == 400
    assert "quiet" not in response.text


def test_the_whole_list_is_exported_in_the_background_and_its_download_audited(make_wave, hr):
    closed_wave_with_comments(make_wave, PAGE_SIZE + 10)
    page = hr.get("/results/talk/comments?question=comment_wellbeing").text
    started = hr.post(
        "/results/talk/comments/export",
        data={"csrf_token": csrf_token(page), "question": "comment_wellbeing", "format": "csv"},
    )
    assert started.status_code == 303
    status = hr.get(started.headers["Location"]).text
    link = re.search(r'href="(/results/exports/[^"]+/file)"', status).group(1)
    taken = hr.get(link)
    body = taken.data.decode("utf-8-sig")
    taken.close()
    assert all(f"north remark {i:03}" in body for i in range(PAGE_SIZE + 10))
    audited = db.session.scalars(select(AuditEvent).filter_by(action="export_taken")).all()
    assert [event.detail["view"] for event in audited] == ["comments"]


def test_another_account_cannot_see_or_take_an_export(make_wave, hr, clients):
    from survey.models import Role

    closed_wave_with_comments(make_wave, 20)
    page = hr.get("/results/talk/comments?question=comment_wellbeing").text
    started = hr.post(
        "/results/talk/comments/export",
        data={"csrf_token": csrf_token(page), "question": "comment_wellbeing", "format": "pdf"},
    )
    other = clients[Role.PAO]
    assert other.get(started.headers["Location"]).status_code == 404
    assert other.get(started.headers["Location"] + "/file").status_code == 404
