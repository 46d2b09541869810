"""The bad inputs of issue 11, one by one: each is refused with a clear 4xx (never a 500,
never a frozen server) and stores nothing. The route fuzzer (test_fuzz_routes.py) covers
the same ground at random; these pin the reported cases.
"""

from __future__ import annotations

import re
import signal
import time
from contextlib import contextmanager
from html import unescape
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.instruments import InstrumentError, parse_instrument
from survey.instruments.loader import MAX_INSTRUMENT_BYTES, MAX_YAML_DEPTH
from survey.models import AuditEvent, Headcount, Instrument, Role, Unit, User, Wave
from survey.security import MAX_ID
from survey.services import DomainError
from survey.services.instruments import DEFAULT_INSTRUMENT, duplicated, load_units_text
from tests.admin.test_instruments_units import upload
from tests.conftest import csrf_token


@contextmanager
def deadline(seconds: float):
    """Fail the test (rather than hang it) if the block runs longer than `seconds`."""

    def expire(*_):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def laughs(levels: int = 9) -> list[str]:
    """Lines of a billion-laughs chain: `levels` anchors, each nine aliases of the last;
    the last one expands to 9**levels strings."""
    lines = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for previous, name in pairwise(names[:levels]):
        lines.append(f"&{name} [{','.join(['*' + previous] * 9)}]")
    return lines


# The issue's two bombs: an instrument (labels must be text, so every error message would
# print the whole expansion) and a unit tree (each unit's name is printed as text).
INSTRUMENT_BOMB = (
    "format: 1\ncode: bomb\nversion: 1\ntitle: t\nlicence: l\nscales: {}\nsections: []\n"
    "labels:\n" + "".join(f"  l{n}: {line}\n" for n, line in enumerate(laughs()))
).encode()
UNIT_BOMB = "".join(
    f"- {{code: u{n}, name: {line}}}\n" for n, line in enumerate(laughs())
).encode()
NESTED = b"[" * 1000 + b"]" * 1000


def problems(page: str) -> list[str]:
    block = re.search(r'<ul class="problems">(.*?)</ul>', page, re.S)
    assert block, "no problem list on the page"
    return [unescape(i).strip() for i in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def stored() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Instrument, Unit, AuditEvent, Wave, Headcount, User)
    )


# Uploaded YAML -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content", "expected"),
    [
        ("/admin/instruments", INSTRUMENT_BOMB, "anchors (&a) are not allowed"),
        ("/admin/units", UNIT_BOMB, "anchors (&a) are not allowed"),
        ("/admin/instruments", NESTED, f"nested more than {MAX_YAML_DEPTH} deep"),
        ("/admin/units", NESTED, f"nested more than {MAX_YAML_DEPTH} deep"),
        ("/admin/units", b"- {code: x, name: y}\n- *x\n", "aliases (*x) are not allowed"),
        ("/admin/instruments", b"title: &t x\n", "anchors (&t) are not allowed"),
        ("/admin/units", b'- {code: "a\\0b", name: y}\n', "the NUL character is not allowed"),
        ("/admin/units", b"- {code: x, name: .inf}\n", "infinite or NaN numbers"),
    ],
    ids=["instrument-bomb", "unit-bomb", "instrument-nest", "unit-nest", "alias",
         "anchor", "nul", "infinity"],
)
def test_unsafe_yaml_is_refused_at_once_naming_the_file(admin_client, form_token, url,
                                                       content, expected):
    before = stored()
    with deadline(5):
        started = time.perf_counter()
        response = upload(admin_client, form_token(admin_client, url), url, content, "evil.yaml")
        elapsed = time.perf_counter() - started
    assert response.status_code == 422
    [problem] = problems(response.text)
    assert problem.startswith("The file evil.yaml was refused: line ") and expected in problem
    assert elapsed < 1.0
    assert stored() == before


def test_the_bombs_are_the_size_the_issue_reported():
    assert len(INSTRUMENT_BOMB) < 500 and len(UNIT_BOMB) < 500


def test_an_oversized_instrument_is_refused_naming_the_file_and_the_limit():
    text = DEFAULT_INSTRUMENT.read_text() + "#" * MAX_INSTRUMENT_BYTES
    with pytest.raises(InstrumentError) as error:
        parse_instrument(text, "huge.yaml")
    assert "The file huge.yaml was refused: the file is " in str(error.value)
    assert f"{MAX_INSTRUMENT_BYTES:,} bytes" in str(error.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("version: 1\n", f"version: {MAX_ID + 1}\n"), f"version: must be at most {MAX_ID}"),
        (("title: ", "title: " + "T" * 201 + " "), "title: must be at most 200 characters"),
    ],
)
def test_instrument_values_the_table_cannot_hold_are_refused(change, expected):
    text = DEFAULT_INSTRUMENT.read_text().replace(*change, 1)
    with pytest.raises(InstrumentError) as error:
        parse_instrument(text, "x.yaml")
    assert expected in error.value.problems


def test_a_unit_code_or_name_longer_than_its_column_is_refused(app):
    for tree in ("- {code: " + "c" * 41 + ", name: n}\n", "- {code: c, name: " + "n" * 201 + "}\n"):
        with pytest.raises(DomainError, match=r"^units\.yaml: units\[0\]: a unit's code needs"):
            load_units_text(tree, "units.yaml")


def test_the_unit_duplicate_check_is_linear():
    """list.count per code took 9.7 s for 8,000 units; 100,000 codes now take milliseconds
    (quadratically they would take hours)."""
    codes = [f"u{n}" for n in range(50_000)]
    with deadline(5):
        started = time.perf_counter()
        found = duplicated(codes + codes[:3] + codes)
        elapsed = time.perf_counter() - started
    assert len(found) == 50_000 and found[:3] == ["u0", "u1", "u10"]
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_a_unit_file_with_duplicates_is_refused_naming_them(app):
    units = "".join(f"- {{code: u{n}, name: Unit {n}}}\n" for n in range(2000))
    with deadline(20), pytest.raises(DomainError) as error:
        load_units_text(units + "- {code: u7, name: Again}\n", "units.yaml")
    assert str(error.value) == "units.yaml: unit codes used more than once: u7"


def test_eight_thousand_units_load(app):
    units = "".join(f"- {{code: u{n}, name: Unit {n}}}\n" for n in range(8000))
    with deadline(30):
        assert load_units_text(units, "units.yaml") == 8000
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 8000


# Form fields and addresses -------------------------------------------------------------


def test_a_k_beyond_any_database_integer_is_a_form_error(admin_client, form_token, instrument):
    before = stored()
    response = admin_client.post("/admin/waves/new", data={
        "code": "big-k", "title": "Big k", "instrument": str(instrument.id),
        "opens_on": "2027-03-01", "closes_on": "2027-03-21",
        "threshold": "99999999999999999999", "comment_threshold": "99999999999999999999",
        "csrf_token": form_token(admin_client, "/admin/waves/new"),
    })
    assert response.status_code == 422
    assert "k can be at most 100,000" in response.text
    assert "The comments threshold can be at most 100,000" in response.text
    assert stored() == before


@pytest.mark.parametrize(
    ("headcount", "expected"),
    [("²", "'²' is not a whole number of people"), (str(10**30), "more than 10,000,000 people")],
)
def test_a_headcount_of_a_unicode_digit_or_too_many_people_is_a_row_error(
    admin_client, form_token, make_wave, headcount, expected
):
    wave = make_wave(state="draft")
    before = stored()
    url = f"/admin/waves/{wave.id}/headcounts"
    content = f"unit,breakdown,group,headcount\n,,,{headcount}\n".encode()
    response = upload(admin_client, form_token(admin_client, url), url, content, "hc.csv")
    assert response.status_code == 422
    assert problems(response.text) == [f"row 2, column D (headcount): {expected}."]
    assert stored() == before


def test_a_nul_in_an_email_is_a_400_and_stores_nothing(new_client, staff, admin_client,
                                                      form_token):
    client = new_client()
    page = client.get("/admin/login")
    before = stored()
    response = client.post("/admin/login", data={
        "email": "admin@force.test\x00", "password": "whatever it is",
        "csrf_token": csrf_token(page.text),
    })
    assert response.status_code == 400
    response = admin_client.post("/admin/users", data={
        "email": "new\x00@force.test", "role": "hr", "password": "a long new password",
        "confirm": "a long new password", "csrf_token": form_token(admin_client, "/admin/users"),
    })
    assert response.status_code == 400
    assert stored() == before, "no account, no failed-sign-in event"


NUL_ADDRESSES = [
    "/results/autumn%00-2025", "/results/autumn-2025/breakdown?level=sex%00",
    "/results/pipeline/sgt%00", "/api/waves/x%00", "/api/pipeline/x%00",
    "/admin/waves?x%00=1", "/take?%00", "/static/css/site%00.css", "/admin/waves/1%00",
]


def test_a_nul_anywhere_in_the_address_is_a_400(admin_client, new_client):
    for client in (admin_client, new_client()):
        for path in NUL_ADDRESSES:
            response = client.get(path)
            assert response.status_code == 400, path
            if path.startswith("/api/"):
                assert response.json["error"]["status"] == 400


HUGE_IDS = [MAX_ID + 1, 2**63, 2**64, 10**30, "9" * 400, "%C2%B2", "%D9%A1", "1e3"]
ID_ROUTES = ["/admin/waves/{}", "/admin/waves/{}/monitor", "/admin/waves/{}/codes",
             "/admin/users/{}", "/admin/instruments/{}/preview"]


def test_ids_beyond_the_database_integer_range_are_404(admin_client):
    for template in ID_ROUTES:
        for huge in HUGE_IDS:
            assert admin_client.get(template.format(huge)).status_code == 404, (template, huge)
        # The largest id the column holds is still looked up (and not found).
        assert admin_client.get(template.format(MAX_ID)).status_code == 404


def test_staff_roles_see_404_not_500_for_huge_ids(new_client, staff, login):
    client = new_client()
    login(client, staff[Role.HR])
    assert client.get(f"/admin/waves/{2**63}/monitor").status_code == 404
