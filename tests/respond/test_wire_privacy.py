"""What crosses the wire: the code only ever in POST bodies (never a URL), no referrer,
a strict Content Security Policy that the pages actually keep to, no third-party
assets, no caching of respondent pages, HSTS over https."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from survey.services.codes import normalise_code
from tests.conftest import csrf_token, serving
from tests.respond.html_check import PageReader

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "survey" / "static"


def code_forms(code: str) -> set[str]:
    canonical = normalise_code(code)
    return {code, code.lower(), canonical, canonical.lower(), code.replace("-", "")}


@pytest.fixture
def walked(walk_every_page):
    return walk_every_page()


def test_the_code_is_never_in_a_url(walked):
    code, responses = walked
    forms = code_forms(code)
    for response in responses:
        urls = [response.request.url, response.headers.get("Location", "")]
        if response.mimetype == "text/html":
            page = PageReader(response.get_data(as_text=True))
            urls += [value for _, _, value in page.urls()]
        for url in urls:
            assert not any(form in url for form in forms), f"the code is in {url}"
    posted = [r for r in responses if r.request.method == "POST"]
    assert any(r.request.path == "/survey/submit" for r in posted)
    # Requests the client made carry no query string at all.
    assert all(not r.request.query_string for r in responses)


def test_every_response_sets_the_privacy_headers(walked):
    _, responses = walked
    for response in responses:
        headers = response.headers
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        csp = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["frame-ancestors"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["form-action"] == "'self'"
        assert "Strict-Transport-Security" not in headers  # plain http in these requests


def test_respondent_pages_are_never_cached(walked):
    _, responses = walked
    respond_paths = {"/", "/take", "/survey", "/survey/submit", "/done", "/no-such-page"}
    checked = 0
    for response in responses:
        if response.request.path in respond_paths:
            assert response.headers["Cache-Control"] == "no-store", response.request.path
            checked += 1
    assert checked > 15


def test_hsts_is_sent_over_https(client, make_wave):
    make_wave()
    response = client.get("/take", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 31_536_000
    assert "Strict-Transport-Security" not in client.get("/take").headers


def test_pages_have_no_inline_script_or_style(walked):
    """So the strict CSP breaks nothing: every script is a same-origin file."""
    _, responses = walked
    scripts = 0
    for response in (r for r in responses if r.mimetype == "text/html"):
        page = PageReader(response.get_data(as_text=True))
        assert not page.find("style"), response.request.path
        for element in page.elements:
            assert "style" not in element.attrs, f"style= on <{element.tag}>"
            assert not [a for a in element.attrs if a.startswith("on")], element.attrs
            for value in element.attrs.values():
                assert not value.strip().lower().startswith("javascript:")
        for script in page.find("script"):
            scripts += 1
            assert script.attrs.get("src", "").startswith("/static/js/")
            assert not script.text.strip()
    assert scripts >= 2


def test_every_asset_and_link_is_same_origin(walked):
    _, responses = walked
    for response in (r for r in responses if r.mimetype == "text/html"):
        for tag, name, value in PageReader(response.get_data(as_text=True)).urls():
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, f"<{tag} {name}={value}> leaves the site"


def test_templates_name_no_third_party_urls():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found = re.findall(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", text)
        assert not found, f"{template.relative_to(ROOT)} loads from another site: {found}"
        assert "|safe" not in text.replace(" ", ""), f"{template.name} turns off escaping"


def test_the_stylesheet_and_scripts_load_nothing_from_elsewhere():
    for asset in [*STATIC.rglob("*.css"), *STATIC.rglob("*.js")]:
        text = asset.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text), asset.name
        assert "@import" not in text and "fetch(" not in text and "XMLHttpRequest" not in text


# take.js in a real browser ----------------------------------------------------------

PROBE = """
<script src="probe.js"></script>
"""
PROBE_JS = """
document.body.setAttribute("data-result", JSON.stringify({
  href: window.location.href,
  value: document.getElementById("code").value,
  told: !document.getElementById("code-from-link").hidden
}));
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def landing_site(client, make_wave, tmp_path):
    """The rendered landing page and the static files, served over http on localhost."""
    make_wave()
    page = client.get("/take").get_data(as_text=True)
    (tmp_path / "take").write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    shutil.copytree(STATIC, tmp_path / "static")
    (tmp_path / "probe.js").write_text(PROBE_JS, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, "": "text/html"}

    def log_message(self, *args):
        pass


def browser_result(url: str, profile: Path) -> dict:
    completed = subprocess.run(  # noqa: S603 (fixed arguments, local test page)
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    match = re.search(r'data-result="([^"]*)"', completed.stdout)
    assert match, completed.stdout[-2000:] + completed.stderr[-2000:]
    return json.loads(match.group(1).replace("&quot;", '"'))


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium for a real browser")
def test_take_js_moves_the_code_from_the_fragment_into_the_form(landing_site, tmp_path):
    code = "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345"
    result = browser_result(f"{landing_site}/take#{code}", tmp_path / "profile-1")
    assert result == {"href": f"{landing_site}/take", "value": code, "told": True}
    # An in-page link target such as the skip link's is left alone.
    result = browser_result(f"{landing_site}/take#main", tmp_path / "profile-2")
    assert result == {"href": f"{landing_site}/take#main", "value": "", "told": False}


def test_the_journey_works_over_https_without_a_referer(client, make_wave, issue):
    wave = make_wave()
    https = {"base_url": "https://localhost"}
    page = client.get("/take", **https).get_data(as_text=True)
    response = client.post(
        "/take", data={"csrf_token": csrf_token(page), "code": issue(wave)[0]}, **https
    )
    assert response.status_code == 200
    assert "Step 1 of" in response.get_data(as_text=True)
