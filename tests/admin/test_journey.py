"""The administrator's whole journey, as a new user would take it, through the pages:
sign in, load units and a questionnaire, create and open a wave, issue codes, load
headcounts, watch response rates, close the wave and import last year's survey."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, InvitationCode, Response, Wave, WaveState
from survey.services.codes import normalise_code
from survey.services.instruments import DEFAULT_INSTRUMENT
from survey.services.responses import submit_response
from tests.admin.test_monitor import cells
from tests.conftest import UNITS, csrf_token
from tests.staff_accounts import PASSWORD

HEADCOUNTS = (
    "unit,breakdown,group,headcount\n,,,60\nnorth_lpa,,,30\nsouth_lpa,,,30\n,sex,female,25\n"
)
LAST_YEAR = "who5_1,who5_2,who5_3,who5_4,who5_5,sex,unit,comment_wellbeing\n" + "".join(
    f"{n % 6},{(n + 1) % 6},3,3,2,{'female' if n % 2 else 'Male'},"
    f"{'North LPA: Response' if n % 3 else 'south_cid'},{'More breaks' if n == 4 else ''}\n"
    for n in range(40)
)


def link(page: str, text: str) -> str:
    """The href of the link whose visible text starts with `text` (as a person clicks it)."""
    for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        if re.sub(r"<[^>]+>", "", unescape(label)).strip().startswith(text):
            return unescape(href)
    raise AssertionError(f"no link {text!r} on the page")


def post(client, url: str, data: dict, page: str | None = None):
    page = page or client.get(url).text
    return client.post(url, data={"csrf_token": csrf_token(page), **data},
                       content_type="multipart/form-data")


def file(text: str | bytes, name: str):
    return (io.BytesIO(text.encode() if isinstance(text, str) else text), name)


def test_an_administrator_runs_a_wave_from_start_to_finish(
    make_user, new_client, code_key
):
    make_user("lead@force.test")
    client = new_client()

    # Sign in from the page a bookmark leads to.
    response = client.get("/admin/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    response = client.post(response.headers["Location"], data={
        "email": "lead@force.test", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    home = client.get(response.headers["Location"]).text
    assert "Run a survey" in home

    # Units, then the questionnaire, with its preview.
    units_url = link(home, "Load the organisation")
    assert post(client, units_url, {"file": file(UNITS.read_bytes(), "units.yaml")}
                ).status_code == 302
    instruments_url = link(home, "Load and preview")
    response = post(client, instruments_url, {
        "file": file(DEFAULT_INSTRUMENT.read_bytes(), DEFAULT_INSTRUMENT.name)})
    assert response.status_code == 302
    listing = client.get(instruments_url).text
    preview = client.get(link(listing, "Preview")).text
    assert "I have felt cheerful and in good spirits" in preview

    # Create the wave, keep three breakdowns, open it.
    new_wave_url = link(home, "Create a wave")
    page = client.get(new_wave_url).text
    instrument_id = re.search(r'<option[^>]*value="(\d+)"', page).group(1)
    response = post(client, new_wave_url, {
        "code": "2026-spring", "title": "Spring 2026 staff survey", "instrument": instrument_id,
        "opens_on": "2026-03-02", "closes_on": "2026-03-23", "threshold": "5",
        "comment_threshold": "10"}, page)
    assert response.status_code == 302
    wave_url = response.headers["Location"]
    page = client.get(wave_url).text
    assert post(client, wave_url, {
        "title": "Spring 2026 staff survey", "opens_on": "2026-03-02", "closes_on": "2026-03-23",
        "threshold": "5", "comment_threshold": "10", "breakdowns": ["sex", "unit", "rank"]},
        page).status_code == 302
    page = client.get(wave_url).text
    assert "Sex, Rank, Unit" in page or "Sex, Unit, Rank" in page
    open_url = re.search(r'action="([^"]+/open)"', page).group(1)
    assert post(client, open_url, {}, page).status_code == 302
    page = client.get(wave_url).text
    assert "Open the wave" not in page and "Issue invitation codes" in page

    # Headcounts, then codes: one download (no more codes than people), then only counts.
    headcounts_url = link(client.get(wave_url).text, "Workforce headcounts")
    assert post(client, headcounts_url, {"file": file(HEADCOUNTS, "headcounts.csv")}
                ).status_code == 302
    codes_url = link(client.get(wave_url).text, "Issue invitation codes")
    download = post(client, codes_url, {"count": "12"})
    assert download.headers["Content-Disposition"].startswith("attachment")
    codes = [row["code"] for row in csv.DictReader(io.StringIO(download.text))]
    assert len(codes) == 12
    assert not any(code in client.get(codes_url).text for code in codes)

    # Respondents answer (through the same service the respondent pages call).
    monitor_url = link(client.get(wave_url).text, "Response rates")
    wave_id = int(wave_url.rsplit("/", 1)[1])
    units = ["north_response"] * 6 + ["south_cid"] * 5
    for code, unit in zip(codes[:4], units, strict=False):
        submit_response(normalise_code(code), code_key, wave_id, {"unit": unit, "sex": "female"},
                        {})
    assert cells(client.get(monitor_url).text)["Whole force"] == "Fewer than 5 or withheld"
    for code, unit in zip(codes[4:11], units[4:], strict=False):
        submit_response(normalise_code(code), code_key, wave_id, {"unit": unit}, {})
    rates = cells(client.get(monitor_url).text)
    assert rates["Whole force"] == "10", "snapshots come with batches of five spends"
    # North has 6 and South 4, every other unit none: South is below k, and showing North
    # would give South away (10 - 6), so both are withheld.
    assert rates["North LPA"] == rates["South LPA"] == "Fewer than 5 or withheld"
    assert "16.7%" in client.get(monitor_url).text  # 10 of 60

    # Close, after reading what it will purge.
    close_url = link(client.get(wave_url).text, "Close the wave")
    confirmation = client.get(close_url).text
    assert "Every answer submitted so far is published" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", confirmation))
    assert post(client, close_url, {"confirm": "y"}, confirmation).status_code == 302
    wave = db.session.get(Wave, wave_id)
    db.session.refresh(wave)
    assert wave.state == WaveState.CLOSED
    assert db.session.scalar(select(func.count()).select_from(InvitationCode)) == 0
    rates = cells(client.get(monitor_url).text)
    assert (rates["Whole force"], rates["North LPA"]) == ("11", "6")
    assert rates["South LPA"] == "Fewer than 5 or withheld", "hidden beside the empty units"

    # Last year's survey: a draft wave with the same questionnaire, then the import.
    response = post(client, new_wave_url, {
        "code": "2025-spring", "title": "Spring 2025 staff survey", "instrument": instrument_id,
        "opens_on": "2025-03-03", "closes_on": "2025-03-24", "threshold": "10",
        "comment_threshold": "15"})
    past_url = response.headers["Location"]
    import_url = link(client.get(past_url).text, "import its responses from CSV")
    response = post(client, import_url, {"file": file(LAST_YEAR, "2025.csv")})
    assert response.status_code == 302
    assert "Imported 40 responses" in client.get(past_url).text
    past = db.session.scalar(select(Wave).filter_by(code="2025-spring"))
    assert past.state == WaveState.CLOSED
    assert db.session.scalar(
        select(func.count()).select_from(Response).filter_by(wave_id=past.id)) == 40

    # Everything is in the audit log, and nothing a respondent gave is.
    log = client.get("/admin/audit").text
    for words in ("Signed in", "Unit tree loaded", "Instrument version loaded", "Wave created",
                  "Wave opened", "Invitation codes issued", "Headcounts loaded", "Wave closed",
                  "Past wave imported"):
        assert words in log, words
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert not any(code in details for code in codes)
    assert "More breaks" not in details and "north_response" not in details
