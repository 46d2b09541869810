"""Uploads in, downloads out."""

from __future__ import annotations

import csv
import io
import re

from flask import Response

from survey.services.codes import invitation_link


def uploaded_bytes(form) -> bytes:
    """The bytes of the form's `file` field (the size limit was set before the body was read)."""
    return form.file.data.read()


def optional_upload(field) -> bytes | None:
    """The bytes of an optional file field, or None when no file was chosen."""
    return field.data.read() if field.data else None


def uploaded_name(form) -> str:
    return re.sub(r"[^\w.\- ]", "_", form.file.data.filename or "upload")[:100]


def download(text: str, filename: str, mimetype: str = "text/csv") -> Response:
    """A file download that no browser or proxy keeps a copy of."""
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def codes_csv(codes: list[str], base_url: str) -> str:
    """The mail-merge file: one row per code with its link (the code rides in the fragment)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "link"])
    writer.writerows([code, invitation_link(base_url, code)] for code in codes)
    return buffer.getvalue()
