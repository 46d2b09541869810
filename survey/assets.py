"""Static files under versioned URLs kept for a year, and compressed responses.

`url_for('static', filename=...)` adds `v=<content hash>`: a changed file gets a new URL,
so a URL that names the current hash may be kept by the browser for a year without asking
again (immutable). Any other static URL is revalidated as usual.

Text responses (pages, JSON, CSV, CSS, JavaScript) are gzipped for clients that accept it.
A file's compressed bytes are kept per ETag, so plotly.js is compressed once per process.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/json", "application/javascript")
SMALLEST = 512  # bytes: below this gzip saves nothing worth a round of CPU
HTML_LEVEL = 5  # fast for pages built per request; files are compressed once, at 9
_compressed_files: dict[str, bytes] = {}


def register_assets(app: Flask) -> None:
    app.url_defaults(_version_static_urls)
    app.after_request(_cache_versioned_static)
    app.after_request(compress)


@cache
def static_version(folder: str, filename: str) -> str:
    """A short hash of a static file's content (once per process: files ship with a
    release, which restarts the processes)."""
    path = Path(folder) / filename
    if not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    if version := static_version(current_app.static_folder, values["filename"]):
        values["v"] = version


def _cache_versioned_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = static_version(current_app.static_folder, filename)
    if current and request.args.get("v") == current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def compress(response: Response) -> Response:
    """gzip a text response when the client accepts it (after every other header)."""
    if not _should_compress(response):
        return response
    if response.direct_passthrough:  # a file: compress once per version of its content
        body = _compressed_file(response)
    else:
        body = gzip.compress(response.get_data(), HTML_LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _compressed_file(response: Response) -> bytes:
    key = f"{request.path}|{response.get_etag()[0]}"
    opened = response.response
    try:
        if key not in _compressed_files:
            _compressed_files[key] = gzip.compress(b"".join(opened), 9, mtime=0)
    finally:
        opened.close()
    response.direct_passthrough = False
    return _compressed_files[key]


def _should_compress(response: Response) -> bool:
    if response.status_code != 200 or "Content-Encoding" in response.headers:
        return False
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return False
    if not (response.mimetype or "").startswith(COMPRESSIBLE):
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False
    length = response.content_length
    return length is None or length >= SMALLEST
