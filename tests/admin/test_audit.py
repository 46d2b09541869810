"""The audit log: staff actions, newest first, administrators only, no respondent data."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, Role
from survey.services import audit
from survey.services.audit import PAGE_SIZE, events_page, record


def test_record_stores_actor_action_and_detail(staff):
    event = record(audit.EXPORT_TAKEN, staff[Role.HR], wave="2026-spring", format="xlsx")
    db.session.commit()
    stored = db.session.get(AuditEvent, event.id)
    assert (stored.actor_email, stored.action) == ("hr@force.test", audit.EXPORT_TAKEN)
    assert stored.detail == {"wave": "2026-spring", "format": "xlsx"}
    assert stored.at is not None


def test_the_log_lists_newest_first_in_pages(app, admin_client):
    for n in range(PAGE_SIZE + 5):
        record(audit.EXPORT_TAKEN, "someone@force.test", number=n)
    db.session.commit()
    events, pages = events_page(1)
    assert pages == 2 and len(events) == PAGE_SIZE
    numbers = [e.detail.get("number") for e in events if e.action == audit.EXPORT_TAKEN]
    assert numbers == sorted(numbers, reverse=True)
    first = admin_client.get("/admin/audit").text
    second = admin_client.get("/admin/audit?page=2").text
    assert "Page 1 of 2" in first and "Older" in first
    assert "Page 2 of 2" in second and "Newer" in second
    assert "number: 54" in first and "number: 0" in second
    assert admin_client.get("/admin/audit?page=99").status_code == 200


def test_only_administrators_see_the_log(new_client, staff, login):
    for role, status in ((Role.HR, 403), (Role.PAO, 403), (Role.ADMIN, 200)):
        client = new_client()
        login(client, staff[role])
        assert client.get("/admin/audit").status_code == status


def test_sign_in_events_show_on_the_page(admin_client):
    page = admin_client.get("/admin/audit").text
    assert "Signed in" in page and "admin@force.test" in page


def test_audit_rows_hold_no_respondent_fields():
    columns = {column.name for column in AuditEvent.__table__.columns}
    assert columns == {"id", "at", "actor_email", "action", "detail"}
    assert not re.search(r"answer|comment|code_hash|ip|agent", " ".join(columns))
    assert db.session.scalar(select(AuditEvent)) is None
