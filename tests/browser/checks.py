"""What is checked on every page the browser visits, and the figures the run reports."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# axe-core is served to the page from the site's own origin (the browser context answers
# this URL from the file), so the pages' strict CSP stays on while axe runs: inline
# injection would need the CSP turned off, and CSP breakage is one thing these tests catch.
AXE_PATH = "/__browser-tests/axe.min.js"
SNAPSHOT_PATH = "/__browser-tests/snapshot"
BLOCKING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")

RUN_AXE = """() => axe.run(document, {resultTypes: ["violations"]}).then(result =>
  result.violations.map(v => ({id: v.id, impact: v.impact,
                               targets: v.nodes.map(n => n.target.join(" "))})))"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@dataclass
class PageRecord:
    path: str
    violations: Counter = field(default_factory=Counter)  # impact -> affected elements
    rules: dict = field(default_factory=dict)  # rule id -> impact
    overflow_320: int = 0  # px the page scrolls sideways at 320 px wide


@dataclass
class Report:
    pages: dict[str, PageRecord] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)
    visits: int = 0
    audits: int = 0  # axe-core runs: once per kind of page and URL (hr, pao share pages)

    def totals(self) -> Counter:
        return sum((record.violations for record in self.pages.values()), Counter())

    def summary_lines(self, folder: Path) -> list[str]:
        totals = self.totals()
        counts = ", ".join(f"{impact} {totals[impact]}" for impact in IMPACTS)
        lines = [
            f"browser: {self.visits} page visits, {self.audits} checked with axe-core, "
            f"{len(self.pages)} kinds of page; elements in violation by impact: {counts}",
            f"browser: {len(self.screenshots)} screenshots (320 and 1280 px) in {folder}",
        ]
        for name, record in sorted(self.pages.items()):
            found = " ".join(f"{rule}({impact})" for rule, impact in sorted(record.rules.items()))
            lines.append(f"  {name:32} {record.path:48} {found or 'no violations'}")
        return lines

    def write_json(self, folder: Path) -> None:
        data = {
            name: {"path": r.path, "violations": dict(r.violations), "rules": r.rules,
                   "overflow_320": r.overflow_320}
            for name, r in sorted(self.pages.items())
        }
        (folder / "axe-report.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


class PageChecks:
    """Checks a page where it stands: axe-core, script errors, CSP, screenshots."""

    def __init__(self, browser, site: str, screens: Path, report: Report) -> None:
        self.browser = browser
        self.site = site
        self.screens = screens
        self.report = report
        self.problems: dict[int, list[str]] = {}
        self._auditor = None
        self.audited: set[tuple[str, str]] = set()
        self.navigations: dict[int, str] = {}
        self.photographed: set[str] = set()
        screens.mkdir(exist_ok=True)

    def serve_axe(self, context) -> None:
        """Let this context's pages load axe-core from the site's origin, and collect
        every script error and CSP violation its pages report."""
        context.route(self.site + AXE_PATH, lambda route: route.fulfill(
            path=str(AXE), content_type="text/javascript"))
        found = self.problems[id(context)] = []
        context.on("request", self._note_navigation)
        context.on("weberror", lambda error: found.append(f"script error: {error.error}"))
        context.on("console", lambda message: found.append(message.text)
                   if "Content Security Policy" in message.text else None)

    def _note_navigation(self, request) -> None:
        """Remember how each page's document was fetched (GET after any redirect)."""
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.navigations[id(request.frame.page)] = request.method

    def page(self, page, name: str) -> PageRecord:
        """Check the page now shown (JavaScript on): no serious or critical axe violation,
        no script error or CSP violation; photograph it the first time `name` is seen."""
        problems = self.problems[id(page.context)]
        assert not problems, f"{name}: {problems}"
        if (name, page.url) in self.audited:  # the same page again (hr, then pao)
            self.report.visits += 1
            return self.report.pages[name]
        self.audited.add((name, page.url))
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.add_script_tag(url=AXE_PATH)
        return self._record(page, name, page.evaluate(RUN_AXE))

    def page_without_js(self, page, name: str) -> PageRecord:
        """A page in a context without JavaScript, where axe cannot run: axe checks (and
        the screenshots show) the same HTML served from the same origin to an auditor page."""
        auditor = self._auditor_page()
        html = page.content()
        auditor.context.unroute(self.site + SNAPSHOT_PATH)
        auditor.context.route(self.site + SNAPSHOT_PATH, lambda route: route.fulfill(
            body=html, content_type="text/html"))
        auditor.goto(self.site + SNAPSHOT_PATH)
        auditor.add_script_tag(url=AXE_PATH)
        return self._record(page, name, auditor.evaluate(RUN_AXE), shown=auditor)

    def _auditor_page(self):
        if self._auditor is None:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            self.serve_axe(context)
            self._auditor = context.new_page()
        return self._auditor

    def _record(self, page, name: str, violations: list[dict], shown=None) -> PageRecord:
        self.report.visits += 1
        self.report.audits += 1
        path = page.url.removeprefix(self.site)
        record = self.report.pages.setdefault(name, PageRecord(path))
        for violation in violations:
            record.rules[violation["id"]] = violation["impact"]
            record.violations[violation["impact"]] += len(violation["targets"])
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        if blocking:
            listed = "\n".join(
                f"  {v['id']} ({v['impact']}): {', '.join(v['targets'][:5])}" for v in blocking
            )
            pytest.fail(f"axe-core on {name} ({path}):\n{listed}")
        if name not in self.photographed:
            self.photographed.add(name)
            record.overflow_320 = self._photograph(shown or page, name)
            assert record.overflow_320 <= 0, (  # WCAG 1.4.10: tables scroll in their box
                f"{name} scrolls sideways by {record.overflow_320} px at 320 px wide")
        self.report.write_json(self.screens)
        return record

    def _photograph(self, page, name: str) -> int:
        """Screenshots at each width; returns how far the page scrolls sideways at 320 px.

        A page fetched by GET is loaded afresh in a 320 px window, as a phone gets it
        (charts size themselves as they load); a page that answered a form post cannot be
        fetched again, so its window is narrowed instead (no such page has a chart)."""
        self._shoot(page, name, 1280)
        if self.navigations.get(id(page)) != "GET":
            page.set_viewport_size({"width": 320, "height": 900})
            overflow = self._shoot(page, name, 320)
            page.set_viewport_size({"width": 1280, "height": 900})
            return overflow
        narrow = page.context.new_page()
        try:
            narrow.set_viewport_size({"width": 320, "height": 900})
            narrow.goto(page.url)
            return self._shoot(narrow, name, 320)
        finally:
            narrow.close()

    def _shoot(self, page, name: str, width: int) -> int:
        shot = self.screens / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        self.report.screenshots.append(shot)
        return page.evaluate(OVERFLOW)
