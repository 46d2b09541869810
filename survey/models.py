"""Database models.

Anonymity is a property of this schema (docs/anonymity.md): the tables that hold answers
(`response`, `comment`) have a random key and no column that could link them to an
invitation, a person or a time. On SQLite they are WITHOUT ROWID tables, so not even the
hidden rowid records insertion order. Answers are written without their code, and spends
of codes reach `invitation_code` only in shuffled batches (survey/services/spends.py).
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")
NO_ROWID = {"sqlite_with_rowid": False}


def random_key() -> str:
    """128-bit random primary key: carries no order, unlike an autoincrement id."""
    return secrets.token_hex(16)


class WaveState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    PAO = "pao"


class Unit(db.Model):
    """A node of the organisation's unit tree (configured data, not code)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")


class Instrument(db.Model):
    """One version of a questionnaire, stored as its validated definition."""

    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict] = mapped_column(JSONType)
    loaded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def label(self) -> str:
        return f"{self.title} (v{self.version})"


class Wave(db.Model):
    """One run of an instrument version. Opening fixes instrument, thresholds, breakdowns."""

    __table_args__ = (
        CheckConstraint("threshold >= 5", name="threshold_at_least_5"),
        CheckConstraint("comment_threshold >= threshold", name="comment_threshold_at_least_k"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    threshold: Mapped[int] = mapped_column(Integer, default=10)
    comment_threshold: Mapped[int] = mapped_column(Integer, default=15)
    breakdowns: Mapped[list] = mapped_column(JSONType, default=list)
    intersections: Mapped[list] = mapped_column(JSONType, default=list)
    state: Mapped[WaveState] = mapped_column(
        Enum(
            WaveState, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]
        ),
        default=WaveState.DRAFT,
    )
    codes_issued: Mapped[int] = mapped_column(Integer, default=0)
    # Codes issued while the wave was already open: flagged beside its results, since
    # extra codes in the hands of staff could be used to submit known answers.
    codes_issued_after_open: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    codes_spent_at_close: Mapped[int | None] = mapped_column(Integer)
    # Responses per unit as of the last progress snapshot (taken with a batch of spends,
    # at most every few minutes), so the monitor never moves with one submission.
    progress: Mapped[dict | None] = mapped_column(JSONType)
    progress_at: Mapped[datetime | None] = mapped_column(DateTime)

    instrument: Mapped[Instrument] = relationship()

    @property
    def is_open(self) -> bool:
        return self.state == WaveState.OPEN


class InvitationCode(db.Model):
    """A keyed hash of an invitation code. No recipient, no issue or spend time."""

    __tablename__ = "invitation_code"
    __table_args__ = NO_ROWID

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    spent: Mapped[bool] = mapped_column(default=False)


class Response(db.Model):
    """A submitted response: answers, derived scores and breakdown groups. Nothing else."""

    __table_args__ = NO_ROWID

    key: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSONType)
    scores: Mapped[dict] = mapped_column(JSONType)
    groups: Mapped[dict] = mapped_column(JSONType)


class Comment(db.Model):
    """Free text, stored apart from the answers: only the top-level unit stands beside it."""

    __table_args__ = NO_ROWID

    key: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    question: Mapped[str] = mapped_column(String(40))
    unit_top: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)


class Tally(db.Model):
    """Sufficient statistics of a closed wave's responses, built once when it closes.

    One row per (wave, dimension, group, measure, category): the number of respondents
    `n` and, for scores, the sum and sum of squares of their values. Dimensions are
    `_all`, each reportable breakdown (finest level) and each intersection (`a*b`).
    Reports read these small tables; they never read responses one by one.
    """

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(100), primary_key=True)
    grp: Mapped[str] = mapped_column(String(100), primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(50), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)


class Moment(db.Model):
    """Cross-products of a closed wave's key-driver models, built with the tally at close.

    One row per (wave, dimension, group, model): `n` complete cases (the outcome score
    and every predictor item answered) and `sums`, the upper triangle (row by row) of
    Z'Z with Z = [1, outcome, predictors...] over those cases; `variables` names them.
    Dimensions are `_all` and each reportable breakdown at its finest groups.
    """

    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(100), primary_key=True)
    grp: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), primary_key=True)
    variables: Mapped[list] = mapped_column(JSONType)
    n: Mapped[int] = mapped_column(Integer)
    sums: Mapped[list] = mapped_column(JSONType)


class User(db.Model):
    """A member of staff who runs or reads surveys. Respondents never have accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    # Bumped at every sign-in and sign-out: a session cookie carries the version it was
    # issued with, so an older cookie (signed out, or replaced by a newer sign-in) is refused.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # HR business partners may be scoped to unit codes (and their sub-units); None = all.
    unit_scope: Mapped[list | None] = mapped_column(JSONType)

    # Flask-Login's user protocol, without tying the model to Flask-Login.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """An alternative id: changes whenever session_version does (server-side sign-out)."""
        return f"{self.id}:{self.session_version}"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ApiToken(db.Model):
    """A personal access token for the JSON API: only its SHA-256 is kept (the token is
    shown once); it acts with its owner's role, until it expires or is revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class AuditEvent(db.Model):
    """Something a member of staff did. Never holds respondent data (answers, codes)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now, index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


class Headcount(db.Model):
    """Workforce size for a wave: per unit ('' = whole force) and optionally per group of a
    breakdown ('' breakdown and group = everyone in the unit). Staff numbers, not answers."""

    __table_args__ = (
        UniqueConstraint("wave_id", "unit", "breakdown", "group_code"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    unit: Mapped[str] = mapped_column(String(40), default="")
    breakdown: Mapped[str] = mapped_column(String(40), default="")
    group_code: Mapped[str] = mapped_column(String(60), default="")
    count: Mapped[int] = mapped_column(Integer)


class PromotionCount(db.Model):
    """Promotion outcomes from HR records: per round, stage and group, how many entered
    and how many progressed. Workforce counts, never survey answers."""

    __table_args__ = (
        UniqueConstraint("round_code", "stage", "breakdown", "group_code"),
        CheckConstraint("progressed >= 0 AND progressed <= entered", name="progressed_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_code: Mapped[str] = mapped_column(String(60), index=True)
    stage: Mapped[str] = mapped_column(String(100))
    stage_order: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[str] = mapped_column(String(40))
    group_code: Mapped[str] = mapped_column(String(60))
    entered: Mapped[int] = mapped_column(Integer)
    progressed: Mapped[int] = mapped_column(Integer)


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Action(db.Model):
    """"You said, we did": what a closed wave's results showed on one measure or item and
    what the force does about it. Staff-written text, published without login; it holds
    a role (e.g. "Head of HR"), never a required person's name, and no figure."""

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    measure: Mapped[str] = mapped_column(String(40))
    finding: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, native_enum=False, length=12,
             values_callable=lambda e: [m.value for m in e]),
        default=ActionStatus.PLANNED,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    wave: Mapped[Wave] = relationship()
    notes: Mapped[list[ActionNote]] = relationship(
        order_by="ActionNote.id", back_populates="action_item"
    )

    @property
    def latest_note(self) -> ActionNote | None:
        return self.notes[-1] if self.notes else None


class ActionNote(db.Model):
    """A progress note on an action: append-only (nothing edits or deletes one)."""

    __tablename__ = "action_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    text: Mapped[str] = mapped_column(Text)

    action_item: Mapped[Action] = relationship(back_populates="notes")
