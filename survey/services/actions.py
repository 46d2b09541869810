"""Actions on results ("you said, we did"): recorded by results readers against a measure
or item of a closed wave, changed as they progress, with append-only progress notes.

Everything written here is published without login (survey/published/), so it is text
the staff chose to publish, never a figure. Each change is audited with codes and field
names only: the text itself is on the public page already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import Action, ActionNote, ActionStatus, User, Wave, WaveState
from survey.reporting import measure_title, reportable_measures
from survey.services import DomainError, NotFound
from survey.services.audit import ACTION_CHANGED, ACTION_CREATED, ACTION_NOTE_ADDED, record
from survey.services.instruments import wave_definition

STATUS_NAMES = {
    ActionStatus.PLANNED: "Planned",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.DROPPED: "Dropped",
}
EDITABLE = ("finding", "action", "owner_role", "due_on", "status")


@dataclass(frozen=True)
class ActionText:
    """What staff write about an action (all of it public)."""

    finding: str
    action: str
    owner_role: str
    due_on: date
    status: ActionStatus


def closed_waves() -> list[Wave]:
    """Waves actions may be recorded against, newest first."""
    query = select(Wave).where(Wave.state == WaveState.CLOSED)
    return list(db.session.scalars(query.order_by(Wave.opens_on.desc(), Wave.id.desc())))


def closed_wave(code: str) -> Wave:
    wave = db.session.scalar(select(Wave).filter_by(code=code, state=WaveState.CLOSED))
    if wave is None:
        raise NotFound("There is no closed wave with this code.")
    return wave


def wave_measures(wave: Wave) -> dict[str, str]:
    """The measures and items reported for the wave: code -> title."""
    definition = wave_definition(wave)
    return {code: measure_title(definition, code) for code in reportable_measures(definition)}


def create_action(actor: User, wave: Wave, measure: str, text: ActionText) -> Action:
    if wave.state != WaveState.CLOSED:
        raise DomainError("Actions are recorded only against closed waves.")
    if measure not in wave_measures(wave):
        raise DomainError("Choose a measure or item reported in this wave.")
    row = Action(wave_id=wave.id, measure=measure, **vars(text))
    db.session.add(row)
    db.session.flush()
    record(ACTION_CREATED, actor, action_id=row.id, wave=wave.code, measure=measure,
           status=row.status.value)
    return row


def update_action(actor: User, row: Action, text: ActionText) -> list[str]:
    """Change the action's text; returns the names of the fields that changed."""
    changed = [name for name in EDITABLE if getattr(row, name) != getattr(text, name)]
    for name in changed:
        setattr(row, name, getattr(text, name))
    if changed:
        db.session.flush()
        record(ACTION_CHANGED, actor, action_id=row.id, wave=row.wave.code, fields=changed,
               status=row.status.value)
    return changed


def add_note(actor: User, row: Action, text: str) -> ActionNote:
    note = ActionNote(action_id=row.id, text=text)
    db.session.add(note)
    db.session.flush()
    db.session.refresh(row, ["notes"])
    record(ACTION_NOTE_ADDED, actor, action_id=row.id, wave=row.wave.code, note=note.id)
    return note


def get_action(action_id: int) -> Action:
    row = db.session.get(Action, action_id)
    if row is None:
        raise NotFound("There is no such action.")
    return row


def any_actions() -> bool:
    return bool(db.session.scalar(select(exists().where(Action.id.is_not(None)))))


def actions_by_wave(wave_code: str | None = None) -> list[tuple[Wave, list[Action]]]:
    """Every action, grouped by wave (newest wave first), optionally for one wave."""
    query = (
        select(Action).join(Action.wave)
        .options(selectinload(Action.notes), selectinload(Action.wave))
        .order_by(Wave.opens_on.desc(), Wave.id.desc(), Action.id)
    )
    if wave_code is not None:
        query = query.where(Wave.code == wave_code)
    grouped: dict[int, tuple[Wave, list[Action]]] = {}
    for row in db.session.scalars(query):
        grouped.setdefault(row.wave_id, (row.wave, []))[1].append(row)
    return list(grouped.values())


def actions_on_measure(wave_ids: list[int], measure: str) -> dict[int, list[Action]]:
    """The actions on one measure recorded against any of these waves, by wave id."""
    query = (
        select(Action).options(selectinload(Action.notes))
        .where(Action.wave_id.in_(wave_ids), Action.measure == measure).order_by(Action.id)
    )
    found: dict[int, list[Action]] = {}
    for row in db.session.scalars(query):
        found.setdefault(row.wave_id, []).append(row)
    return found


def measure_actions(waves: list[Wave], measure: str) -> dict[str, str]:
    """Each wave's actions on one measure as one line of text, by wave code."""
    found = actions_on_measure([wave.id for wave in waves], measure)
    return {
        wave.code: "; ".join(
            f"{row.action} ({STATUS_NAMES[row.status]}; owner: {row.owner_role})"
            for row in found[wave.id]
        )
        for wave in waves if wave.id in found
    }
