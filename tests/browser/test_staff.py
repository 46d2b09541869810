"""Staff in a real browser: each role signs in through the form and opens every page that
the links it is shown lead to; hr and pao also take every export and API answer of a closed
wave with data, each with its own content type. No link shown to a role is refused."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from survey.models import Role
from tests.browser.conftest import release_database
from tests.staff_accounts import PASSWORD

STAFF_PATHS = ("/admin", "/results", "/api")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": "text/csv", "xlsx": XLSX, "pdf": "application/pdf"}
FORMAT = re.compile(r"[?&]format=(\w+)")
LINKS = "links => links.map(a => [a.getAttribute('href'), a.hasAttribute('download')])"
CODES = ("autumn-2025", "spring-2026", "summer-2026", "sgt-2026")


@pytest.fixture
def waves(results_wave, pipeline_counts, make_wave, staff) -> dict[str, str]:
    """A closed wave with 600 responses (imported, then closed), an open and a draft wave,
    a promotion round: every kind of staff page has something to show."""
    results_wave(code=CODES[0])
    make_wave(code=CODES[1])
    make_wave(state="draft", code=CODES[2])
    emails = {role: user.email for role, user in staff.items()}
    release_database()
    return emails


def page_name(role: Role, path: str) -> str:
    """One name per kind of page: ids and codes become 'id', the query is dropped."""
    parts = [
        "id" if part.isdigit() or part in CODES else part
        for part in path.split("?")[0].strip("/").split("/")
    ]
    if parts[0] == "admin":
        parts[0] = f"staff-{role.value}"
    return "-".join(parts)


def sign_in(page, checks, site: str, email: str) -> None:
    page.goto(site + "/admin/")
    assert page.url.startswith(site + "/admin/login")
    checks.page(page, "staff-sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(site + "/admin/")


def take_export(page, site: str, href: str, click: bool) -> str:
    """An export link answers with its format's media type, as an attachment that reads
    as that format; with `click`, the browser also downloads it under the server's name."""
    fmt = FORMAT.search(href).group(1)
    response = page.request.get(site + href)
    assert response.status == 200, href
    assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt], href
    name = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["content-disposition"])
    assert name and name.group(1).endswith("." + fmt), href
    body = response.body()
    if fmt == "pdf":
        assert body.startswith(b"%PDF-")
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(body), read_only=True).sheetnames
    else:
        # One row per figure under a header, or a table as laid out under its title
        # (comments, heatmap, drivers); a page publishing no table has the header only.
        assert body.decode("utf-8-sig").splitlines()
    if click:  # Chromium fetches a download outside the page's network events
        with page.expect_download() as saved:
            page.locator(f'a[href="{href}"]').first.click()
        assert saved.value.suggested_filename == name.group(1)
        assert saved.value.failure() is None
    return fmt


def take_json(page, site: str, href: str) -> str:
    response = page.request.get(site + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/json", href
    assert isinstance(json.loads(response.body()), dict)
    return "json"


def take_report(page, site: str, href: str) -> str:
    """The board's fairness report: a whole PDF, as an attachment."""
    response = page.request.get(site + href)
    assert response.status == 200, href
    assert response.headers["content-type"] == "application/pdf", href
    assert "attachment" in response.headers.get("content-disposition", ""), href
    assert response.body().startswith(b"%PDF-")
    return "fairness report"


def take_template(page, site: str, href: str) -> str:
    """A blank CSV layout for an upload (headcounts, past responses)."""
    response = page.request.get(site + href)
    assert response.status == 200
    assert response.headers["content-type"].split(";")[0] == "text/csv", href
    assert "attachment" in response.headers.get("content-disposition", ""), href
    return "csv template"


def take_file(page, site: str, href: str, download: bool, clicked: set) -> str:
    """Check a link to a file; the first export of each format on each kind of page is
    also downloaded by clicking it."""
    if FORMAT.search(href):
        assert download, f"{href} is an export without the download attribute"
        kind = (page_name(Role.HR, page.url.removeprefix(site)), FORMAT.search(href).group(1))
        click = kind not in clicked
        clicked.add(kind)
        return take_export(page, site, href, click)
    if href.startswith("/api"):
        return take_json(page, site, href)
    return take_template(page, site, href)


def tour(page, checks, site: str, role: Role) -> tuple[list[str], Counter]:
    """Open staff home, then every staff link any opened page shows, once each."""
    queue, seen, opened, files, clicked = ["/admin/"], {"/admin/"}, [], Counter(), set()
    while queue:
        path = queue.pop(0)
        response = page.goto(site + path)
        assert response.status == 200, f"{role.value}: {path} answered {response.status}"
        checks.page(page, page_name(role, path))
        opened.append(path)
        for href, download in page.eval_on_selector_all("a[href]", LINKS):
            if not href.startswith(STAFF_PATHS) or href in seen:
                continue
            seen.add(href)
            if href.endswith("/fairness-report"):
                files[take_report(page, site, href)] += 1
            elif FORMAT.search(href) or href.startswith("/api") or href.endswith(".csv"):
                files[take_file(page, site, href, download, clicked)] += 1
            else:
                queue.append(href)
    return opened, files


def test_the_administrator_opens_every_staff_page(context, checks, site, waves):
    page = context(accept_downloads=True).new_page()
    sign_in(page, checks, site, waves[Role.ADMIN])
    opened, files = tour(page, checks, site, Role.ADMIN)
    kinds = {page_name(Role.ADMIN, path) for path in opened}
    assert {f"staff-admin-{kind}" for kind in (
        "waves", "waves-new", "waves-id", "waves-id-codes", "waves-id-close",
        "waves-id-headcounts", "waves-id-import", "waves-id-monitor", "instruments",
        "instruments-id-preview", "units", "users", "users-id", "audit",
    )} <= kinds
    assert not any(path.startswith(("/results", "/api")) for path in opened)
    assert files == Counter({"csv template": 2})  # headcounts, past responses


@pytest.mark.parametrize("role", [Role.HR, Role.PAO], ids=["hr", "pao"])
def test_results_readers_open_every_results_page_and_export(context, checks, site, waves, role):
    page = context(accept_downloads=True).new_page()
    sign_in(page, checks, site, waves[role])
    opened, files = tour(page, checks, site, role)
    kinds = {page_name(role, path) for path in opened}
    assert {"results", "results-id", "results-id-breakdown", "results-id-intersection",
            "results-id-trend", "results-id-comments", "results-id-representation",
            "results-pipeline", "results-pipeline-id"} <= kinds
    assert not any(path.startswith("/admin/waves/") and "monitor" not in path for path in opened)
    views = [path for path in opened if path.startswith("/results/")
             and path not in ("/results/", "/results/pipeline/")]
    # Every results view offers its files (the glossary and pages of links offer none).
    assert files["pdf"] == files["csv"] == files["xlsx"] >= len(views) - 8
    assert files["json"] >= files["pdf"]
    assert files["fairness report"] == 1
