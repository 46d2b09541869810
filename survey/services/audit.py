"""The audit log of staff actions: who did what, when. Never respondent data.

Callers pass counts and codes of things (wave codes, instrument versions, numbers of
codes issued); never answers, invitation codes, comment text or anything a respondent
typed. A failed sign-in is recorded without the email address tried, so the log cannot
show which addresses have accounts.
"""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, User

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_THROTTLED = "sign_in_throttled"
SIGN_OUT = "sign_out"
SESSION_EXPIRED = "session_expired"
INSTRUMENT_LOADED = "instrument_loaded"
UNITS_LOADED = "units_loaded"
WAVE_CREATED = "wave_created"
WAVE_CHANGED = "wave_changed"
WAVE_OPENED = "wave_opened"
WAVE_CLOSED = "wave_closed"
WAVE_IMPORTED = "wave_imported"
CODES_ISSUED = "codes_issued"
HEADCOUNTS_LOADED = "headcounts_loaded"
PIPELINE_LOADED = "pipeline_loaded"
EXPORT_TAKEN = "export_taken"
USER_CREATED = "user_created"
USER_CHANGED = "user_changed"
USER_DEACTIVATED = "user_deactivated"
PASSWORD_CHANGED = "password_changed"  # noqa: S105  (an action name, not a password)
TOKEN_CREATED = "token_created"  # noqa: S105  (action names, not tokens)
TOKEN_REVOKED = "token_revoked"  # noqa: S105
TOKEN_USED = "token_used"  # noqa: S105
ACTION_CREATED = "action_created"
ACTION_CHANGED = "action_changed"
ACTION_NOTE_ADDED = "action_note_added"

DESCRIPTIONS = {
    SIGN_IN: "Signed in",
    SIGN_IN_FAILED: "Failed sign-in (address not recorded)",
    SIGN_IN_THROTTLED: "Sign-in refused: too many attempts",
    SIGN_OUT: "Signed out",
    SESSION_EXPIRED: "Session expired after inactivity",
    INSTRUMENT_LOADED: "Instrument version loaded",
    UNITS_LOADED: "Unit tree loaded",
    WAVE_CREATED: "Wave created",
    WAVE_CHANGED: "Wave settings changed",
    WAVE_OPENED: "Wave opened",
    WAVE_CLOSED: "Wave closed",
    WAVE_IMPORTED: "Past wave imported",
    CODES_ISSUED: "Invitation codes issued and downloaded",
    HEADCOUNTS_LOADED: "Headcounts loaded",
    PIPELINE_LOADED: "Promotion pipeline counts loaded",
    EXPORT_TAKEN: "Export taken",
    USER_CREATED: "Staff account created",
    USER_CHANGED: "Staff account changed",
    USER_DEACTIVATED: "Staff account deactivated",
    PASSWORD_CHANGED: "Password set",
    TOKEN_CREATED: "API token created",
    TOKEN_REVOKED: "API token revoked",
    TOKEN_USED: "API token used",
    ACTION_CREATED: "Action on results recorded (published)",
    ACTION_CHANGED: "Action on results changed (published)",
    ACTION_NOTE_ADDED: "Progress note added to an action (published)",
}
PAGE_SIZE = 50


def record(action: str, actor: User | str | None, **detail) -> AuditEvent:
    """Add an audit event; `detail` must be JSON-serialisable and hold no respondent data.

    `actor` is the signed-in user, a label such as "command line", or None (unknown).
    The caller's transaction commits it together with the action it describes.
    """
    email = actor.email if isinstance(actor, User) else actor
    event = AuditEvent(action=action, actor_email=email, detail=detail)
    db.session.add(event)
    db.session.flush()
    return event


def events_page(page: int, per_page: int = PAGE_SIZE) -> tuple[list[AuditEvent], int]:
    """One page of events, newest first, and the number of pages."""
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(events), pages


def describe(action: str) -> str:
    return DESCRIPTIONS.get(action, action.replace("_", " ").capitalize())
