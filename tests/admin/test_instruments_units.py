"""Questionnaire upload (problems item by item), the respondent-identical preview, units."""

from __future__ import annotations

import io
import re
from html import unescape

import yaml
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.extensions import db
from survey.instruments import Definition
from survey.models import AuditEvent, Instrument, Unit
from survey.services.audit import INSTRUMENT_LOADED, UNITS_LOADED
from survey.services.instruments import DEFAULT_INSTRUMENT
from tests.conftest import UNITS


def upload(client, token, url, content: bytes, name: str):
    # Encoded in memory: the test client would spool a large body to a temporary file and,
    # when the app refuses it unread (413), leave that file for the garbage collector.
    file = FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
    boundary, body = encode_multipart({"csrf_token": token, "file": file})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def list_items(page: str) -> list[str]:
    block = re.search(r'<ul class="problems">(.*?)</ul>', page, re.S)
    assert block, "no problem list on the page"
    return [unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_an_administrator_loads_the_default_questionnaire(admin_client, form_token):
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", DEFAULT_INSTRUMENT.read_bytes(), "default.yaml")
    assert response.status_code == 302
    instrument = db.session.scalar(select(Instrument))
    assert (instrument.code, instrument.version) == ("workforce-wellbeing-fairness", 1)
    page = admin_client.get("/admin/instruments").text
    assert "Workforce Wellbeing and Fairness Survey" in page and "Loaded" in page
    event = db.session.scalar(select(AuditEvent).filter_by(action=INSTRUMENT_LOADED))
    assert event.detail == {"instrument": "workforce-wellbeing-fairness", "version": 1,
                            "file": "default.yaml"}


def test_every_problem_of_a_bad_file_is_listed_and_nothing_is_loaded(admin_client, form_token):
    text = DEFAULT_INSTRUMENT.read_text()
    broken = (
        text.replace('scale: who5, text: "I have felt calm', 'scale: who6, text: "I have felt calm')
        .replace("{code: cbi_2,", "{code: cbi_1,")
    )
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", broken.encode(), "broken.yaml")
    assert response.status_code == 422
    problems = list_items(response.text)
    assert problems == [
        "sections[0].items[1] (who5_2): scale 'who6' is not defined",
        "sections[2].items[1] (cbi_1): item code is used twice",
        "measures[5] (cbi_work): 'cbi_2' is not a scale item",
    ]
    assert db.session.scalar(select(func.count()).select_from(Instrument)) == 0


def test_structural_problems_are_listed_one_by_one(admin_client, form_token):
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", b"format: 1\ncode: x\n", "tiny.yaml")
    assert response.status_code == 422
    problems = list_items(response.text)
    assert len(problems) >= 3 and all("required property" in p for p in problems)


def test_a_version_already_loaded_is_refused(admin_client, form_token, instrument):
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", DEFAULT_INSTRUMENT.read_bytes(), "again.yaml")
    assert response.status_code == 422
    assert "already loaded" in " ".join(list_items(response.text))


def test_a_file_that_is_not_utf8_is_refused(admin_client, form_token):
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", "title: caf\xe9".encode("latin-1"), "x.yaml")
    assert response.status_code == 422
    assert "UTF-8" in " ".join(list_items(response.text))


def test_uploads_may_be_larger_than_the_respondent_limit(app, admin_client, form_token):
    """The site-wide limit is 64 KB; staff uploads get UPLOAD_MAX_BYTES, set before the body
    is read (CSRF checking reads it first)."""
    padding = b"\n# " + b"x" * 200 * 1024 + b"\n"
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", DEFAULT_INSTRUMENT.read_bytes() + padding, "big.yaml")
    assert response.status_code == 302
    too_big = b"x" * (app.config["UPLOAD_MAX_BYTES"] + 1)
    response = upload(admin_client, form_token(admin_client, "/admin/instruments"),
                      "/admin/instruments", too_big, "huge.yaml")
    assert response.status_code == 413


def test_other_staff_posts_keep_the_small_limit(admin_client, form_token, staff):
    response = admin_client.post(f"/admin/users/{staff[next(iter(staff))].id}", data={
        "csrf_token": form_token(admin_client), "role": "x" * 70 * 1024})
    assert response.status_code == 413


def test_the_preview_shows_every_question_and_answer_as_respondents_see_them(
    admin_client, instrument
):
    page = admin_client.get(f"/admin/instruments/{instrument.id}/preview").text
    definition = Definition(instrument.definition)
    for section in definition.sections:
        assert definition.text(section["title"]) in unescape(page)
    for code, item in definition.items.items():
        assert f'id="{code}"' in page or f'id="{code}-0"' in page, code
        assert unescape(definition.text(item["text"])).split("\n")[0][:40] in unescape(page)
    assert "{review_meeting}" not in page and "MAX one-to-ones" in page
    assert "Strongly agree" in page and "Prefer not to say" in page
    assert "North LPA: Response" in unescape(page), "unit answers come from the unit tree"
    assert 'name="ethnicity"' in page and "Asian or Asian British" in page, "option groups"


def test_the_preview_cannot_submit_answers(admin_client, instrument):
    page = admin_client.get(f"/admin/instruments/{instrument.id}/preview").text
    main = page.split('<main', 1)[1]
    assert "<form" not in main.split("</main>")[0]
    assert 'type="submit"' not in main.split("</main>")[0]
    assert "/survey" not in main


def test_the_import_header_row_names_every_question(admin_client, instrument):
    response = admin_client.get(f"/admin/instruments/{instrument.id}/import-template.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    header = response.text.strip().split(",")
    assert header == list(Definition(instrument.definition).items)


def test_an_administrator_loads_the_unit_tree(admin_client, form_token):
    response = upload(admin_client, form_token(admin_client, "/admin/units"), "/admin/units",
                      UNITS.read_bytes(), "units.yaml")
    assert response.status_code == 302
    expected = len(unit_codes(yaml.safe_load(UNITS.read_text())))
    assert db.session.scalar(select(func.count()).select_from(Unit)) == expected
    page = admin_client.get("/admin/units").text
    assert "North LPA" in page and "north_cid" in page
    assert db.session.scalar(select(AuditEvent.detail).filter_by(action=UNITS_LOADED)) == {
        "units": expected}


def unit_codes(nodes: list) -> list[str]:
    return [
        code for node in nodes for code in [node["code"], *unit_codes(node.get("children", []))]
    ]


def test_a_bad_unit_tree_is_refused_with_its_reason(admin_client, form_token):
    bad = b"- {code: a, name: A}\n- {code: a, name: Again}\n"
    response = upload(admin_client, form_token(admin_client, "/admin/units"), "/admin/units",
                      bad, "units.yaml")
    assert response.status_code == 422
    assert "more than once" in " ".join(list_items(response.text))
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_the_unit_tree_cannot_be_replaced_once_waves_exist(admin_client, form_token, make_wave):
    make_wave(state="draft")
    response = upload(admin_client, form_token(admin_client, "/admin/units"), "/admin/units",
                      UNITS.read_bytes(), "units.yaml")
    assert response.status_code == 422
    assert "in use by waves" in " ".join(list_items(response.text))
