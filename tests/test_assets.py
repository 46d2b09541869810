"""Static files under versioned URLs kept a year; text responses compressed."""

from __future__ import annotations

import gzip
import re


def static_url(page: str, name: str) -> str:
    match = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]{{12}})"', page)
    assert match, f"no versioned URL for {name}"
    return match.group(1)


def test_static_files_have_versioned_urls_kept_for_a_year(client):
    url = static_url(client.get("/take").text, "css/site.css")
    response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()


def test_an_unversioned_or_stale_static_url_is_revalidated(client):
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url)
        assert "immutable" not in response.headers.get("Cache-Control", "")
        response.close()


def test_pages_and_files_are_gzipped_for_clients_that_accept_it(client):
    plain = client.get("/take")
    zipped = client.get("/take", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.data) < len(plain.data)
    assert gzip.decompress(zipped.data).count(b"<form") == plain.data.count(b"<form")
    assert "Content-Encoding" not in plain.headers
    css = client.get(static_url(plain.text, "css/site.css"), headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    original = client.get("/static/css/site.css")
    assert gzip.decompress(css.data) == original.data
    original.close()
