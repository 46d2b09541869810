"""Every route, fuzzed: no request makes the server fail, whoever sends it.

The test walks `app.url_map` and, for each rule and method, has hypothesis generate
requests (with a fixed seed per rule, a bounded number per rule): path ids and codes, query strings
and form fields, with NUL bytes, ids beyond any database integer, unicode digits such as
"²", huge numbers, very long strings, plausible codes of this wave and instrument, and
sometimes a file for the upload pages. Each request goes out as an anonymous visitor or
as a signed-in administrator, HR business partner or Positive Action Officer, with a
valid CSRF token most of the time so that it reaches the view.

It checks, for every request: no status of 500 or above; a NUL in the path or query is
a 400 (in a form: a 400 unless the request was turned away before its form was read);
an id beyond the database's integer range is a 404 (or 400); and a request answered
with an error status stored nothing (a failed sign-in's audit event apart).

FUZZ_EXAMPLES (default 20) is the number of requests per rule and method; FUZZ_REPORT=1
prints statuses per rule; FUZZ_COUNT_ONLY=1 counts without failing. docs/reliability.md
gives the figures.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import zlib
from collections import Counter
from html import unescape
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select, update
from werkzeug.routing import IntegerConverter

from survey.admin.access import SEEN, UPLOAD_ENDPOINTS
from survey.admin.sessions import STARTED
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Headcount, Role, User, Wave
from survey.results.views import plotly_version
from survey.security import MAX_ID
from survey.services.instruments import unit_choices
from tests.conftest import csrf_token
from tests.staff_accounts import PASSWORD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# Count statuses without failing (to measure a build without the guards: docs/reliability.md).
COUNT_ONLY = bool(os.environ.get("FUZZ_COUNT_ONLY"))
ROLES = (None, Role.ADMIN, Role.HR, Role.PAO)
STATE = re.compile(r'name="state" type="hidden" value="([^"]+)"')
NAME = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')

NASTY = [
    "\x00", "a\x00b", "\x00\x00", "²", "١٢", "Ⅻ", "\U0001d7d9", "٣", "½", "1²",
    "99999999999999999999", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63),
    str(2**64), str(-(2**63) - 1), str(10**30), "-1", "0", "00000000000000000000001",
    "1e309", "1e3", "0x1f", "NaN", "inf", "-inf", "1_000", " 7 ", "", " ", "\t",
    "../../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "%", "%00",
    "\u202e", "\ufeff", "\uffff", "é" * 300, "x" * 5000, "9" * 5000, "a@b.c" * 60,
    "2026-02-30", "0000-01-01", "9999-12-31", "-0001-01-01", "2026-13-01",
    "admin@force.test", "hr@force.test", "a long test password", "\r\n", "true", "y",
]
QUERY_NAMES = [
    "format", "level", "measure", "breakdown", "group", "question", "wave", "reference",
    "pair", "rows", "cols", "shown_level", "shown_breakdown", "page", "next",
]
FORM_NAMES = [
    "code", "title", "instrument", "opens_on", "closes_on", "threshold", "comment_threshold",
    "breakdowns", "count", "email", "password", "confirm", "role", "unit_scope", "active",
    "nav", "state", "confirm",
]


def plausible_values(definition: Definition, world: dict) -> list[str]:
    """Real codes of this installation, so that requests get past "not offered here"."""
    values = [
        "csv", "xlsx", "pdf", "html", "json", "next", "back", "review", "section-0",
        "section-1", "section-99", "admin", "hr", "pao", "1", "2", "5", "10", "5000", "5001",
        "2026-01-01", "2027-12-31", "y", "on", "spring-2027", "Spring 2027",
        *world["codes"], *world["states"], *world["wave_codes"], world["round"],
    ]
    values += list(definition.breakdowns) + list(definition.levels) + list(definition.measures)
    values += [item["code"] for item in definition.text_items()]
    values += [f"{a}*{b}" for a, b in definition.data.get("intersections", [])]
    return values


NASTY_FILES = [
    b"a: &a [1,2,3]\nb: [*a,*a,*a]\n",
    b"[" * 2000 + b"]" * 2000,
    b"- code: x\n  name: y\n  children: &c [{code: z, name: w}]\n"
    b"- {code: q, name: r, children: *c}\n",
    b"- {code: \"a\\0b\", name: x}\n",
    b"- {code: [1, 2], name: {a: b}}\n",
    b"format: 1\ncode: x\nversion: 99999999999999999999\n",
    b"unit,breakdown,group,headcount\n,,,\xc2\xb2\n,,,1000000000000000000000000000000\n",
    b"unit,breakdown,group,headcount\n,,,a\x00b\n",
    b"\xff\xfe\x00\x00",
    b"",
]


def names(known: list[str]):
    """Mostly the names the views read; sometimes any text, now and then a NUL."""
    return st.one_of(
        st.sampled_from(known), st.sampled_from(known), st.sampled_from(known),
        st.sampled_from(known), st.sampled_from(FORM_NAMES), st.text(max_size=8),
        st.just("x\x00"),
    )


def form_fields(app, world, rule) -> list[str]:
    """The field names of the form this rule receives: from its own page (fetched by the
    administrator, with real ids), or the respondent's section page."""
    if rule.endpoint == "respond.start":
        return ["code"]
    if rule.endpoint.startswith("respond."):
        page = world["section_page"]
    elif "GET" in rule.methods:
        refresh(app, world["clients"][Role.ADMIN], Role.ADMIN, world)
        ids = {name: str(world["ids"].get(name, 1)) for name in rule.arguments}
        page = world["clients"][Role.ADMIN].get(build_path(rule, ids)).text
    else:
        page = ""
    found = sorted(set(NAME.findall(page)) - {"csrf_token"})
    return found or FORM_NAMES


def values(plausible: list[str]):
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(plausible),
        st.sampled_from(plausible),
        st.text(max_size=30),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.text(min_size=200, max_size=1500),
    )


def path_value(converter, plausible: list[str], world: dict):
    if isinstance(converter, IntegerConverter):
        return st.one_of(
            st.integers(min_value=0, max_value=12).map(str),
            st.sampled_from([
                str(MAX_ID), str(MAX_ID + 1), str(2**63 - 1), str(2**63), str(2**64),
                "9" * 20, "9" * 400, "0" * 30 + "1", "-1", "²", "١٢", "1e3", "0x1f", "1\x00",
                "\x00",
            ]),
            st.integers(min_value=MAX_ID + 1, max_value=2**90).map(str),
        )
    codes = [*world["wave_codes"], world["round"], world["plotly"]]
    return st.one_of(
        st.sampled_from(codes), st.sampled_from(codes), st.sampled_from(plausible),
        st.sampled_from(NASTY), st.text(max_size=40),
    )


def field_values(world: dict) -> dict[str, list[str]]:
    """Values that make sense for particular fields, so that forms get past their checks."""
    definition = world["definition"]
    answers = sorted({
        str(option.value) for item in definition.items.values() if item["type"] != "text"
        for option in definition.options(item, world["units"])
    })
    numbers = ["5", "10", "15", "100000", "100001", "5000", "5001", "0", "2147483648", "²"]
    dates = ["2026-01-01", "2026-12-31", "2030-02-28", "2026-02-30", "9999-12-31"]
    return {
        "code": world["codes"] + ["spring-2027", "x" * 41],
        "state": world["states"],
        "nav": ["next", "back", "review", "section-0", "section-1", "section-99"],
        "email": ["new@force.test", "admin@force.test", "a" * 250 + "@x.uk"],
        "role": ["admin", "hr", "pao", "root"],
        "threshold": numbers, "comment_threshold": numbers, "count": numbers,
        "instrument": [str(world["ids"]["instrument_id"]), "0", "2147483648"],
        "opens_on": dates, "closes_on": dates,
        "active": ["y", ""], "confirm": ["y", PASSWORD], "password": [PASSWORD, "short"],
        "breakdowns": list(definition.breakdowns),
        "unit_scope": [code for code, _ in world["units"]],
        **dict.fromkeys(definition.items, answers),
    }


def requests_for(rule, method: str, plausible: list[str], fields: list[str], world: dict):
    """A strategy of (role, path values, query, form, csrf, file) for one rule."""
    path_args = st.fixed_dictionaries(
        {name: path_value(conv, plausible, world) for name, conv in rule._converters.items()}
    )
    query = st.one_of(
        st.just({}), st.dictionaries(names(QUERY_NAMES), values(plausible), max_size=4)
    )
    known = field_values(world)

    def field(name: str):
        sensible = st.sampled_from(known[name]) if known.get(name) else values(plausible)
        return st.one_of(sensible, sensible, sensible, sensible, values(plausible),
                         st.lists(st.one_of(sensible, values(plausible)), min_size=2, max_size=3))

    form = st.builds(
        lambda listed, extra: {**extra, **listed},
        st.fixed_dictionaries({}, optional={name: field(name) for name in fields}),
        st.one_of(st.just({}), st.just({}),
                  st.dictionaries(names(fields), values(plausible), max_size=3)),
    ) if method == "POST" else st.just({})
    upload = (
        st.one_of(st.none(), st.sampled_from(NASTY_FILES), st.binary(max_size=300))
        if method == "POST" and rule.endpoint in UPLOAD_ENDPOINTS else st.none()
    )
    return st.tuples(
        st.sampled_from(ROLES), path_args, query, form,
        st.sampled_from([True, True, True, False]), upload,
    )


def build_path(rule, args: dict) -> str:
    path = rule.rule
    for name, value in args.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + ">", quote(value, safe=""), path)
    return path


def has_nul(*parts) -> bool:
    for part in parts:
        if isinstance(part, dict):
            if any(has_nul(k, v) for k, v in part.items()):
                return True
        elif isinstance(part, list):
            if any(has_nul(v) for v in part):
                return True
        elif isinstance(part, str) and "\x00" in part:
            return True
    return False


def id_out_of_range(rule, args: dict) -> bool:
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            value = args[name]
            if not re.fullmatch(r"[0-9]{1,19}", value) or int(value) > MAX_ID:
                return True
    return False


def snapshot() -> tuple:
    """Row counts of every table, and the staff-editable rows in full."""
    db.session.expire_all()
    counts = db.session.execute(select(*[
        select(func.count()).select_from(table).scalar_subquery()
        for table in db.metadata.sorted_tables
    ])).one()
    users = db.session.execute(
        select(User.email, User.role, User.active, User.password_hash, User.unit_scope)
        .order_by(User.id)
    ).all()
    waves = db.session.execute(
        select(Wave.code, Wave.state, Wave.title, Wave.threshold, Wave.comment_threshold,
               Wave.breakdowns, Wave.codes_issued, Wave.opens_on, Wave.closes_on)
        .order_by(Wave.id)
    ).all()
    db.session.rollback()
    return tuple(counts), users, waves


@pytest.fixture
def world(app, instrument, make_wave, results_wave, pipeline_counts, issue, staff, new_client,
          login):
    """A released wave with responses, an open wave with codes, a draft, promotion counts,
    headcounts; a browser per role (signed in through the real form)."""
    released = results_wave(count=150)
    db.session.add(Headcount(wave_id=released.id, unit="", breakdown="", group_code="",
                             count=400))
    opened = make_wave(state="open", code="open-now")
    draft = make_wave(state="draft", code="draft-one")
    codes = issue(opened, 6)
    clients = {None: new_client()}
    for role in ROLES[1:]:
        clients[role] = new_client()
        assert login(clients[role], staff[role]).status_code == 302
    page = clients[None].get("/take")
    started = clients[None].post("/take", data={"code": codes[0],
                                                 "csrf_token": csrf_token(page.text)})
    assert started.status_code == 200
    pages = respondent_pages(clients[None], started.text, Definition(instrument.definition))
    db.session.commit()
    return {
        "pages": pages,
        "clients": clients,
        "staff": {role: (user.id, user.role, user.email) for role, user in staff.items()},
        "codes": codes,
        "states": STATE.findall(started.text),
        "section_page": started.text,
        "ids": {"wave_id": draft.id, "instrument_id": instrument.id,
                "user_id": staff[Role.HR].id},
        "wave_codes": [released.code, "open-now", "draft-one"],
        "round": pipeline_counts,
        "definition": Definition(instrument.definition),
        "units": unit_choices(),
        "plotly": plotly_version(),
    }


def respondent_pages(client, first: str, definition: Definition) -> list[tuple[str, dict]]:
    """(state, section) for every section page of the survey, then (state, None) for the
    review page: walked once with Continue, so each state is a genuine one."""
    pages, page = [], first
    for section in definition.sections:
        state = unescape(STATE.search(page).group(1))
        pages.append((state, section))
        page = client.post("/survey", data={"state": state, "nav": "next",
                                            "csrf_token": csrf_token(page)}).text
    pages.append((unescape(STATE.search(page).group(1)), None))
    return pages


def refresh(app, client, role, world) -> str:
    """Put the role's browser back in a fresh signed-in state (whatever the last fuzzed
    request did to the account or the session), and return a valid CSRF token for it.
    Forgets the last snapshot if it had to change the database."""
    # The test client shares the test's app context, so a request that failed in the
    # database leaves its transaction here (a real request's teardown would discard it).
    db.session.rollback()
    with client.session_transaction() as session:
        if role is not None:
            user_id, user_role, _ = world["staff"][role]
            row = db.session.execute(select(User.role, User.active, User.unit_scope,
                                            User.session_version).filter_by(id=user_id)).one()
            if tuple(row[:3]) != (user_role, True, None):  # a fuzzed request changed it
                db.session.execute(update(User).where(User.id == user_id).values(
                    role=user_role, active=True, unit_scope=None))
                world["last"] = None
            version = row.session_version
            db.session.commit()
            now = int(time.time())
            session.update({"_user_id": f"{user_id}:{version}", "_fresh": True, SEEN: now,
                            STARTED: now})
            session.permanent = True
        session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())  # noqa: S324
        raw = session["csrf_token"]
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_every_route_survives_fuzzed_requests(app, world, dialect, capsys, monkeypatch):
    # Answer as a deployed server does: an unhandled error is a 500 response, not an
    # exception raised into the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    definition = world["definition"]
    plausible = plausible_values(definition, world)
    statuses: Counter = Counter()
    by_rule: dict[str, Counter] = {}
    failures: list[str] = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            counted = by_rule.setdefault(f"{method} {rule.rule}", Counter())
            try:
                fuzz_rule(app, world, rule, method, plausible, counted)
            except AssertionError as error:
                failures.append(f"{method} {rule.rule}: {error}")
    for counted in by_rule.values():
        statuses.update(counted)
    sent = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    with capsys.disabled():
        print(f"\nfuzz [{dialect}]: {len(rules)} rules, {sent} requests, "
              f"{server_errors} answered 5xx; statuses {dict(sorted(statuses.items()))}")
        if os.environ.get("FUZZ_REPORT"):  # per rule, to see how far requests get
            for name, counted in by_rule.items():
                print(f"  {name}: {dict(sorted(counted.items()))}")
    assert not failures, "\n".join(failures)
    assert sent >= len(rules) * EXAMPLES


def fuzz_rule(app, world, rule, method, plausible, statuses) -> None:
    fields = form_fields(app, world, rule)
    world["last"] = None
    @seed(zlib.crc32(f"{method} {rule.rule}".encode()))  # fixed, and different per rule
    @settings(
        max_examples=EXAMPLES, database=None, deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink), report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests_for(rule, method, plausible, fields, world))
    def check(drawn):
        role, args, query, form, with_token, upload = drawn
        client = world["clients"][role]
        token = refresh(app, client, role, world)
        path = build_path(rule, args)
        if query:
            path += "?" + urlencode(query, quote_via=quote)
        if upload is not None:
            form.pop("file", None)  # the file field carries the upload, not text
        data = dict(form)
        if method == "POST" and with_token:
            data["csrf_token"] = token
        if upload is not None:
            data["file"] = (io.BytesIO(upload), "fuzz.yaml")
        before = world.get("last") or snapshot()
        response = client.open(path, method=method, data=data)
        response.close()  # file responses (plotly.js) hold the file open until closed
        status = response.status_code
        statuses[status] += 1
        where = f"{role} {method} {path[:200]!r} form={str(form)[:300]} -> {status}"
        world["last"] = after = snapshot()  # also the next request's "before"
        if COUNT_ONLY:
            return
        assert status < 500, where
        if has_nul(args, query):
            assert status == 400, f"NUL in the address: {where}"
        elif has_nul(form):
            turned_away = status in (302, 403) or "Retry-After" in response.headers
            assert status == 400 or turned_away, f"NUL in the form: {where}"
        if id_out_of_range(rule, args):
            assert status in (400, 404), f"id out of range: {where}"
        failed_sign_in = rule.endpoint == "admin.login" and status == 422
        if status >= 400 and not failed_sign_in:
            assert after == before, f"a refused request stored something: {where}"

    check()


def answer_values(definition: Definition, item: dict, units) -> st.SearchStrategy:
    """What a person could send for one question, and what only an edited request could."""
    nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
    if item["type"] == "text":
        limit = item.get("max_length", 500)
        typed = st.characters(exclude_characters="\x00")  # NULs come from NASTY, now and then
        return st.one_of(
            st.text(typed, max_size=limit), st.text(typed, min_size=limit - 2, max_size=limit + 5),
            st.sampled_from(["", " ", "\r\n" * 10, "é" * limit, "\x00", "a\x00b"]), nasty,
        )
    options = [str(option.value) for option in definition.options(item, units)]
    return st.one_of(*[st.sampled_from(options)] * 7, nasty)


def test_respondent_pages_survive_fuzzed_answers(app, world, dialect, capsys, monkeypatch):
    """The respondent path in depth: a genuine state for every page, fuzzed answers,
    comments and buttons (the route fuzzer rarely gets past the state check)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    definition, units = world["definition"], world["units"]
    client = world["clients"][None]
    navs = ["next", "back", "review", "section-0", "section-3", "section-99", "", "\x00"]
    statuses: Counter = Counter()

    @st.composite
    def requests(draw):
        state, section = draw(st.sampled_from(world["pages"]))
        submit = section is None and draw(st.booleans())
        rarely = st.integers(0, 9).map(lambda n: n == 0)  # an edited request, now and then
        data = {"state": draw(values([state])) if draw(rarely) else state}
        if not submit:
            data["nav"] = draw(st.one_of(st.sampled_from(navs), st.text(max_size=12))) if draw(
                rarely) else draw(st.sampled_from(navs[:5]))
            for item in section["items"] if section else []:
                if draw(st.booleans()):
                    data[item["code"]] = draw(answer_values(definition, item, units))
        if draw(rarely):
            data[draw(names(FORM_NAMES))] = draw(values(["x"]))
        return ("/survey/submit" if submit else "/survey"), data

    @seed(20261)
    @settings(max_examples=EXAMPLES * 8, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(requests())
    def check(drawn):
        url, data = drawn
        token = refresh(app, client, None, world)
        before = world.get("last") or snapshot()
        response = client.post(url, data={**data, "csrf_token": token})
        status = response.status_code
        statuses[status] += 1
        where = f"POST {url} {str(data)[:400]} -> {status}"
        world["last"] = after = snapshot()
        if COUNT_ONLY:
            return
        assert status < 500, where
        if has_nul(data):
            assert status == 400, f"NUL in the form: {where}"
        if status >= 400:
            assert after == before, f"a refused request stored something: {where}"

    world["last"] = None
    check()
    with capsys.disabled():
        print(f"\nfuzz respondent pages [{dialect}]: {sum(statuses.values())} requests, "
              f"statuses {dict(sorted(statuses.items()))}")
