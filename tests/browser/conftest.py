"""A real browser against a live server: Debian's Chromium, driven by Playwright.

The app runs in a thread (werkzeug, loopback, a free port) on the test database, so a test
builds its data with the ordinary fixtures and services and reads back what the browser
stored. One Chromium serves the whole run. Every page a test visits goes through
`checks.page(...)`: axe-core must find no serious or critical violation, the browser must
report no script error and no Content Security Policy violation, and each distinct page is
photographed at 320 and 1280 px wide (into browser-screens/, git-ignored).

Without /usr/bin/chromium or axe-core (tests/browser/node_modules, `npm ci` there) these
tests are skipped with the reason; .ci/run installs both, and under CI (CI set) a missing
one fails the run instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from survey.extensions import db
from tests.browser.checks import AXE, CHROMIUM, PageChecks, Report
from tests.conftest import serving

SCREENS = Path(__file__).resolve().parents[2] / "browser-screens"

_report = Report()


def release_database() -> None:
    """End the test's own transaction before the browser asks the server for anything:
    on SQLite every transaction, even a read, takes the write lock (survey/database.py)."""
    db.session.commit()


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"needs axe-core at {AXE} (npm ci --prefix tests/browser)"
    return None


class _QuietHandler(WSGIRequestHandler):
    """No access log: the respond path must not log, and test output stays readable."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def site(app):
    """The base URL of the app, served on 127.0.0.1 by a thread for the whole run."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    with serving(server) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run installs both")  # a skip would hide a broken install
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def checks(browser, site):
    return PageChecks(browser, site, SCREENS, _report)


@pytest.fixture
def context(browser, checks):
    """A fresh browser profile (own cookies) with JavaScript on, checked page by page."""
    made = []

    def build(**options):
        opened = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        checks.serve_axe(opened)
        made.append(opened)
        return opened

    yield build
    for opened in made:
        opened.close()


def pytest_terminal_summary(terminalreporter):
    if _report.pages:
        for line in _report.summary_lines(SCREENS):
            terminalreporter.write_line(line)
